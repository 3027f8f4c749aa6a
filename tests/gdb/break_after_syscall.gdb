# break_after_syscall: a breakpoint on the instruction right after a
# syscall instruction. Replay stands there at the end of each replayed
# call, a stop of its own; it used to step over the breakpoint from there
# without reporting it, so not one of the five hits reached gdb, and
# reverse-continue found none either.
break *after_syscall
continue
printf "hit, calls %d\n", calls
continue
printf "hit, calls %d\n", calls
continue
printf "hit, calls %d\n", calls
continue
printf "hit, calls %d\n", calls
continue
printf "hit, calls %d\n", calls
continue
reverse-continue
printf "back, calls %d\n", calls
reverse-continue
printf "back, calls %d\n", calls
