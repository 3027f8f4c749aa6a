/* SPDX-License-Identifier: MIT */
/*
 * gdb_after_syscall: five raw getpid syscalls, with a global label on the
 * instruction right after the syscall instruction, for the gdb test
 * break_after_syscall. Replay stops there at each call's exit (the event's
 * boundary) for its own reasons; a breakpoint there must still be hit once
 * per call, as without rewind. `calls` counts the calls that returned.
 */
#include "util.h"

static volatile int calls;

__attribute__((noinline)) static long raw_getpid(void)
{
	long ret;
	__asm__ volatile("mov $39, %%eax\n\t"
			 "syscall\n\t"
			 ".globl after_syscall\n"
			 "after_syscall:\n\t"
			 "nop"
			 : "=a"(ret)
			 :
			 : "rcx", "r11", "memory");
	return ret;
}

int main(void)
{
	long sum = 0;
	for (int i = 0; i < 5; i++) {
		sum += raw_getpid();
		calls = i + 1;
	}
	say("pid %d sum %ld calls %d\n", (int)getpid(), sum, calls);
	say("EXIT-SUCCESS\n");
	return 0;
}
