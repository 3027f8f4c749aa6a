# reverse_continue_hits: from the end, back to the calls of hot (12,001
# calls, 200 to an event interval): the random last one, then the ones
# before it; then with a condition, which the hit index keeps apart from
# the plain breakpoint at the same address.
continue
break hot
reverse-continue
printf "k=%d\n", k
reverse-continue
printf "k=%d\n", k
reverse-continue
printf "k=%d\n", k
delete
break hot if k == 5000
reverse-continue
printf "k=%d\n", k
reverse-continue
