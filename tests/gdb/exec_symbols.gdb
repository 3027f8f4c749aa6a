# exec_symbols: exec_into execs gdb_calls, another program. gdb is told of
# the exec (a stop reply with "exec") and loads gdb_calls' symbols: its
# visit() can be broken on, with its arguments shown. Going back across the
# exec, gdb is told again and has exec_into's symbols: leave() stops with
# the recorded token. `catch exec` stops at the exec both ways. gdb
# disables a breakpoint its new program lacks, so each is enabled again.
break leave
continue
printf "token=%ld\n", token
catch exec
continue
break visit
continue
printf "n=%d\n", n
bt 1
reverse-continue
enable 1
reverse-continue
printf "back: token=%ld\n", token
bt 1
continue
enable 3
continue
printf "again: n=%d\n", n
# Instruction by instruction across the exec: stepi over the execve lands on
# the new program's first instruction (where the recording had it), and
# reverse-stepi from there goes back to the execve.
reverse-continue
stepi
bt 1
reverse-stepi
bt 1
