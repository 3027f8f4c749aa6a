// SPDX-License-Identifier: MIT
/*
 * busy_loop: print the pid, then compute forever without a syscall. Used by
 * tests/errors/interrupt_busy.sh: a SIGINT that lands in the loop must end
 * the recording (it is not held back for a syscall that never comes).
 */
#include "util.h"

int main(void)
{
	volatile unsigned long x = 0;
	say("busy pid %d\n", (int)getpid());
	for (;;)
		x++;
}
