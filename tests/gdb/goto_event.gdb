# goto_event: rewind replay -g N (N: the first write syscall, see goto= in
# tests/table.in) starts gdb when event N is the next to run: the syscall
# before it (clock_gettime, for g_seed) has just returned; monitor when says
# N. One instruction back and forth, then to the end and back to the start.
monitor when
bt
printf "g_seed=%ld\n", g_seed
printf "g_pid=%d\n", g_pid
reverse-stepi
monitor when
stepi
monitor when
continue
monitor when
printf "g_seed=%ld\n", g_seed
reverse-continue
monitor when
