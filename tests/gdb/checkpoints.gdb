# checkpoints: monitor checkpoint saves a position; after going further,
# 'run c1' comes back to it (gdb's run then continues to the next
# breakpoint, the second visit); 'monitor checkpoints' lists it; 'run 1'
# restarts at the first event and reaches the first visit again.
set confirm off
break visit
continue
printf "n=%d stamp=%ld\n", n, stamp
monitor checkpoint
continue
continue
printf "n=%d stamp=%ld\n", n, stamp
run c1
printf "n=%d stamp=%ld\n", n, stamp
monitor checkpoints
run 1
printf "n=%d stamp=%ld\n", n, stamp
