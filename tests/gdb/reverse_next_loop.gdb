# reverse_next_loop: from the line after a five-iteration loop, reverse-next
# back through every line of the loop to before it, printing the loop
# variable and the running sum at each stop.
define rn
  reverse-next
  printf "i=%d acc=%ld\n", i, acc
end
break gdb_loop.c:29
continue
printf "i=%d acc=%ld\n", i, acc
# iteration i=4: the i++ of the loop head, then the body's two lines
rn
rn
rn
# i=3
rn
rn
rn
# i=2
rn
rn
rn
# i=1
rn
rn
rn
# i=0
rn
rn
rn
# out of the loop, into the line before it
reverse-next
printf "acc=%ld\n", acc
# and forwards over the whole loop again, to the breakpoint after it
continue
printf "i=%d acc=%ld\n", i, acc
