# syscall_backwards: after the second read() into buf, go back over the
# line that made it (a call of the program's read_into, which calls read()):
# buf shows the first read's bytes again; forwards, the second's.
break gdb_readback.c:47
continue
printf "buf=%s\n", buf
printf "n2=%ld\n", n2
reverse-next
printf "buf=%s\n", buf
x/s buf
next
printf "buf=%s\n", buf
# back into read_into, at its end: the read has happened
reverse-step
printf "buf=%s\n", buf
# and back to its call: it has not
reverse-finish
printf "buf=%s\n", buf
