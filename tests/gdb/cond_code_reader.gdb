# cond_code_reader: a conditional breakpoint on hot() is an in-tracee trap
# (a jmp over its first instruction) while the program copies hot()'s
# first bytes (at call 50,000). Replay notices the read, goes back, and
# runs again with that breakpoint on a debug register: the program sees
# its own bytes, forwards and in the scans of reverse-continue.
break hot if k == 70000
continue
printf "k=%d\n", k
printf "seen=%u\n", code_seen[0]+code_seen[1]+code_seen[2]+code_seen[3]+code_seen[4]+code_seen[5]+code_seen[6]+code_seen[7]+code_seen[8]+code_seen[9]+code_seen[10]+code_seen[11]+code_seen[12]+code_seen[13]+code_seen[14]+code_seen[15]
printf "same=%d\n", *(unsigned long *)code_seen == *(unsigned long *)hot && *(unsigned long *)&code_seen[8] == *((unsigned long *)hot + 1)
# A new breakpoint (a trap again), found backwards across the read.
delete
break hot if k == 30000
reverse-continue
printf "k=%d\n", k
printf "seen=%u\n", code_seen[0]+code_seen[1]+code_seen[2]+code_seen[3]+code_seen[4]+code_seen[5]+code_seen[6]+code_seen[7]+code_seen[8]+code_seen[9]+code_seen[10]+code_seen[11]+code_seen[12]+code_seen[13]+code_seen[14]+code_seen[15]
# Forwards across the read once more, from before it.
delete
break hot if k == 99999
continue
printf "k=%d\n", k
printf "seen=%u\n", code_seen[0]+code_seen[1]+code_seen[2]+code_seen[3]+code_seen[4]+code_seen[5]+code_seen[6]+code_seen[7]+code_seen[8]+code_seen[9]+code_seen[10]+code_seen[11]+code_seen[12]+code_seen[13]+code_seen[14]+code_seen[15]
printf "same=%d\n", *(unsigned long *)code_seen == *(unsigned long *)hot && *(unsigned long *)&code_seen[8] == *((unsigned long *)hot + 1)
