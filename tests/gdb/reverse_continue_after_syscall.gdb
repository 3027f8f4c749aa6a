# reverse_continue_after_syscall: reverse-continue from the instruction right
# after a syscall, reached by going backwards (as gdb's reverse-next does
# when it steps back into a libc function that made a syscall).
break gdb_funcs.c:42
continue
delete
reverse-stepi
reverse-stepi
printf "at a ret: %d\n", *(unsigned char *)$pc == 0xc3
break gdb_funcs.c:41
reverse-continue
printf "g_pid=%d\n", g_pid
