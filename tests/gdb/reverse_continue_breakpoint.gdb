# reverse_continue_breakpoint: run to the end, then back to the three calls
# of visit (latest first) with a breakpoint, then past the first to the start.
continue
break visit
reverse-continue
printf "n=%d\n", n
printf "stamp=%ld\n", stamp
reverse-continue
printf "n=%d\n", n
printf "stamp=%ld\n", stamp
reverse-continue
printf "n=%d\n", n
printf "stamp=%ld\n", stamp
bt
reverse-continue
# forwards again: the first call
continue
printf "n=%d\n", n
