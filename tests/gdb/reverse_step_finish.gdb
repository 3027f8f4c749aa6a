# reverse_step_finish: from the line after a call, reverse-next goes back
# over the call; from there forwards, then reverse-step into the called
# function's last line and two lines further back (where y = x * x is not
# yet plus seed), and reverse-finish out to the call site.
break gdb_calls.c:55
continue
printf "sq=%ld\n", sq
reverse-next
printf "x=%ld\n", sum % 1000
next
reverse-step
printf "y=%ld\n", y
printf "x=%ld\n", x
reverse-step
reverse-step
printf "y is x*x: %d\n", y == x * x
printf "y+seed=%ld\n", y + seed
bt
reverse-finish
bt
next
printf "sq=%ld\n", sq
