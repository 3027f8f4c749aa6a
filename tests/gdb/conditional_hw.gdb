# conditional_hw: a hardware breakpoint with a condition (Z1 with agent
# bytecode). One rewind can compile goes in as an in-tracee trap instead of
# a debug register; when gdb changes it to one rewind only interprets, it
# goes back to a debug register, and back again.
hbreak visit if n == 2
continue
printf "n=%d stamp=%ld\n", n, stamp
condition 1 n == 1
reverse-continue
printf "n=%d stamp=%ld\n", n, stamp
condition 1 n * n == 9
continue
printf "n=%d stamp=%ld\n", n, stamp
condition 1 n == 2
reverse-continue
printf "n=%d stamp=%ld\n", n, stamp
delete
continue
