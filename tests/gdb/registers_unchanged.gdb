# registers_unchanged: registers can be read at a breakpoint; writes to
# registers and memory are refused (a replay shows what the program did),
# and the replay goes on unchanged after the refusals.
break mix
continue
info registers
print $rip
printf "pc is rip: %d\n", $pc == $rip
set $saved_rax = $rax
set $saved_rip = $rip
# An error ends a gdb script, so the refused writes go through Python.
python
for cmd in ("set var g_seed = 1", "set $rax = 1", "set $rip = 0", "print g_pid = 5"):
    try:
        gdb.execute(cmd)
        print("ACCEPTED " + cmd)
    except gdb.error as e:
        print("REFUSED %s: %s" % (cmd, e))
end
printf "rax unchanged: %d\n", $rax == $saved_rax
printf "rip unchanged: %d\n", $rip == $saved_rip
printf "g_seed=%ld\n", g_seed
printf "g_pid=%d\n", g_pid
next
next
printf "r=%ld\n", r
finish
