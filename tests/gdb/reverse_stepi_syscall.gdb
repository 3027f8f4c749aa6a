# reverse_stepi_syscall: instruction by instruction backwards from main into
# getpid() in libc, over its return and then over its syscall instruction.
break gdb_funcs.c:42
continue
delete
reverse-stepi
printf "in main: %d\n", $pc >= main && $pc < main + 0x1000
reverse-stepi
printf "at a ret: %d\n", *(unsigned char *)$pc == 0xc3
reverse-stepi
printf "at a syscall: %d\n", *(unsigned short *)$pc == 0x050f
printf "g_pid=%d\n", g_pid
stepi
printf "at a ret: %d\n", *(unsigned char *)$pc == 0xc3
printf "rax=%ld\n", $rax
