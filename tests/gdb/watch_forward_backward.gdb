# watch_forward_backward: stop at the end of the program, watch a global
# counter and run backwards to the two writes to it, then to the start;
# then forwards again through the same two writes.
break at_end
continue
printf "counter=%d\n", counter
printf "stamp2=%ld\n", stamp2
watch -l counter
reverse-continue
bt
printf "stamp2=%ld\n", stamp2
reverse-continue
bt
printf "stamp1=%ld\n", stamp1
reverse-continue
# At _start gdb looks "counter" up from ld.so and finds only the ELF symbol
# (no type) once libc has been seen: name the file to get the C variable.
printf "at start counter=%d\n", 'gdb_counter.c'::counter
continue
bt
continue
bt
printf "stamp2=%ld\n", stamp2
continue
printf "at end counter=%d\n", counter
delete
continue
