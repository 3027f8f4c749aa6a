/* SPDX-License-Identifier: MIT */
/*
 * gdb_crash: stores through a NULL pointer in a function of its own and dies
 * of SIGSEGV (exit status 139), for the gdb test crash_sigsegv
 * (tests/gdb/): gdb must stop at the fault, go back an instruction and see
 * the fault again. The stored value is the time, printed first. Built
 * without optimization (see the pragma).
 */
#pragma GCC optimize("O0")
#include "util.h"

int *volatile bad_ptr; /* NULL, and the compiler cannot know it */
long g_val;

__attribute__((noinline)) static void crash(int *p, int v)
{
	*p = v;
}

int main(void)
{
	g_val = (long)(ts_ns(CLOCK_REALTIME) % 1000000007);
	say("val %ld\n", g_val);
	say("pid %d\n", (int)getpid());
	say("EXIT-SUCCESS\n");
	crash(bad_ptr, (int)g_val);
	say("survived the crash\n");
	return 1;
}
