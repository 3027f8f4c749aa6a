# syscall_backwards_direct: after a read() called directly from main, go back
# over its line with reverse-next: buf shows the previous read's bytes. gdb
# steps back into read() in libc and puts a breakpoint on its first
# instruction to get out of it; then it goes forwards again.
# No libc debug info: gdb loads libc quickly, as on a system without it
# (the replay then takes no checkpoint of its own after libc is mapped).
set debug-file-directory /nonexistent
break gdb_readback.c:50
continue
printf "buf=%s\n", buf
reverse-next
printf "buf=%s\n", buf
bt 1
next
printf "buf=%s\n", buf
