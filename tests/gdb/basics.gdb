# basics: forward debugging of a replay (expectations in basics.expect).
break compute
continue
bt
printf "seed=%ld\n", seed
printf "pid=%d\n", pid
printf "g_seed=%ld\n", g_seed
printf "g_pid=%d\n", g_pid
print g_seed == seed
step
step
print a
next
print r
finish
next
print v
info registers rip
info symbol $pc
x/4xb g_bytes
finish
tbreak gdb_funcs.c:51
continue
print i
until
until
until
print extra
next
continue
