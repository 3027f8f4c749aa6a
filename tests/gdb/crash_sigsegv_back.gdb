# crash_sigsegv_back: from the recorded SIGSEGV, back to a breakpoint at
# the start of the crashing function, forwards instruction by instruction
# onto the faulting store, and the same fault again; then the end.
continue
bt
set $fault_pc = $pc
break crash
reverse-continue
printf "v=%d\n", v
printf "before the fault: %d\n", $pc < $fault_pc
stepi
stepi
printf "at the fault: %d\n", $pc == $fault_pc
continue
bt 1
continue
