# threads: stop in each thread's call of work, list the threads, read
# another thread's frames, then go back to the earlier threads' calls.
break work
continue
printf "n=%d\n", n
continue
printf "n=%d\n", n
info threads
thread 1
bt 1
continue
printf "n=%d\n", n
reverse-continue
printf "n=%d\n", n
reverse-continue
printf "n=%d\n", n
