# stepi_after_syscall: gdb starts right after a syscall (-g: the boundary
# of the first write, where the getpid before it has just returned). A
# stepi from there runs exactly one instruction, as from anywhere else:
# it used to trap on the way out of the replayed syscall without running
# one, and a reverse-stepi that counted steps from such a boundary landed
# one instruction off whenever the count and the replay of it started one
# from a checkpoint and one from a run.
set $a = $pc
stepi
printf "moved %d\n", $pc != $a
set $b = $pc
stepi
printf "moved again %d\n", $pc != $b
reverse-stepi
printf "back to b %d\n", $pc == $b
reverse-stepi
printf "back to a %d\n", $pc == $a
stepi
printf "forward to b %d\n", $pc == $b
