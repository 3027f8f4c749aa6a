# spawn_exec_bps: a conditional breakpoint (a trap) and a plain one (an
# int3) in a process that forks a child, which execs /bin/true; then the
# process execs gdb_calls, and the way back across that exec and the fork.
break hot if k == 1500
break after_child
continue
printf "status=%d\n", status
continue
printf "k=%d\n", k
catch exec
continue
break visit
continue
printf "n=%d\n", n
reverse-continue
enable 1
reverse-continue
printf "back k=%d\n", k
enable 2
reverse-continue
printf "back status=%d\n", status
