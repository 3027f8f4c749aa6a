# run_restarts: gdb's run starts the replay again from the beginning: the
# same breakpoint is hit again, with the same (recorded) values.
set confirm off
break compute
continue
printf "seed=%ld\n", seed
run
printf "seed=%ld\n", seed
bt
