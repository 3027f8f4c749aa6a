# reverse_continue_libc: breakpoints in libc, set while libc is loaded, are
# hit going backwards: write() of the last say() before the current line,
# and __libc_early_init, which ld.so calls right after mapping libc.
# No libc debug info: gdb loads libc quickly, as on a system without it
# (the replay then takes no checkpoint of its own after libc is mapped).
set debug-file-directory /nonexistent
break gdb_funcs.c:52
continue
break write
reverse-continue
bt
delete 2
break __libc_early_init
reverse-continue
bt 1
continue
