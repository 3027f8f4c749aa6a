# thread_exec_reverse: a thread other than the main one execs; the other
# three threads die and it takes over the pid. gdb follows the replay to
# the end of the new program, then goes back across the exec to the thread
# before it called execve (the restore of a checkpoint whose later copy had
# exec'd: that copy's end sent it a SIGCHLD that used to fail the restore),
# and forward again to the same end.
break run
continue
printf "threads before the exec: %d\n", $_inferior_thread_count
continue
reverse-continue
printf "back in run: %d threads\n", $_inferior_thread_count
bt 1
delete
continue
