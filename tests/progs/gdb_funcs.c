/* SPDX-License-Identifier: MIT */
/*
 * gdb_funcs: a few small functions with arguments, globals and a loop, for
 * the gdb tests basics, run_restarts, goto_event and registers_unchanged
 * (tests/gdb/). Every value comes from the kernel (time, pid, random bytes)
 * and is printed, so a gdb test can check that the replay shows exactly what
 * the recording saw. Built without optimization (see the pragma) so every
 * variable and line is visible to gdb.
 *
 * The gdb scripts use the line numbers of the lines marked "line N": keep
 * them where they are when editing.
 */
#pragma GCC optimize("O0")
#include "util.h"

#include <sys/random.h>

long g_seed;
int g_pid;
unsigned char g_bytes[4];

__attribute__((noinline)) static long mix(long a, int b)
{
	long r = a * 31;
	r ^= b;
	return r + 7;
}

__attribute__((noinline)) static long compute(long seed, int pid)
{
	long v = mix(seed, pid); /* line 31: basics steps into mix from here */
	v = v + 1;
	return v;
}

int main(void)
{
	long total, extra = 0;
	int i;

	g_pid = (int)getpid();
	test_assert(getrandom(g_bytes, sizeof(g_bytes), 0) == (ssize_t)sizeof(g_bytes));
	g_seed = (long)(ts_ns(CLOCK_REALTIME) % 1000000007);
	say("seed %ld\n", g_seed);
	say("pid %d\n", g_pid);
	say("bytes 0x%02x\t0x%02x\t0x%02x\t0x%02x\n", g_bytes[0], g_bytes[1], g_bytes[2], g_bytes[3]);
	say("mix %ld\n", mix(g_seed, g_pid));
	total = compute(g_seed, g_pid);
	say("result %ld\n", total);
	for (i = 0; i < 3; i++)
		extra += g_bytes[i]; /* line 51: basics stops here with tbreak */
	say("extra %ld\n", extra); /* line 52: basics runs `until` here */
	say("EXIT-SUCCESS\n");
	return 0;
}
