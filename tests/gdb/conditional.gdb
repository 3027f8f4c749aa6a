# conditional: a breakpoint condition evaluated by rewind (gdb sends it as
# agent bytecode): forward, only the matching call stops; backward,
# reverse-continue skips the calls where it is false.
break visit if n == 2
continue
printf "n=%d stamp=%ld\n", n, stamp
continue
reverse-continue
printf "n=%d stamp=%ld\n", n, stamp
condition 1 n == 1
reverse-continue
printf "n=%d stamp=%ld\n", n, stamp
