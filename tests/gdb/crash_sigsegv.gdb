# crash_sigsegv: the replay stops at the recorded SIGSEGV; one instruction
# back is before the faulting store; forwards again, the same fault; then
# the program dies of it.
continue
bt
printf "v=%d\n", v
print p
x/i $pc
set $fault_pc = $pc
reverse-stepi
x/i $pc
printf "moved back: %d\n", $pc != $fault_pc
printf "lower: %d\n", $pc < $fault_pc
continue
printf "same pc: %d\n", $pc == $fault_pc
bt 1
continue
