/* SPDX-License-Identifier: MIT */
/*
 * gdb_calls: one function called three times with different arguments and a
 * small function whose call is stepped into backwards, for the gdb tests
 * reverse_continue_breakpoint and reverse_step_finish (tests/gdb/). The
 * arguments come from getrandom() and getpid(), and are printed, so a test
 * can hold what gdb shows against what the recording saw. Built without
 * optimization (see the pragma) so every variable and line is visible.
 *
 * The gdb scripts use the line numbers of the lines marked "line N": keep
 * them where they are when editing.
 */
#pragma GCC optimize("O0")
#include "util.h"

#include <sys/random.h>

long stamps[4];
long seed;

__attribute__((noinline)) static long visit(int n, long stamp)
{
	long r = stamp * n;

	say("visit %d %ld\n", n, stamp);
	return r;
}

__attribute__((noinline)) static long square_plus(long x)
{
	long y = x * x;

	y = y + seed;
	return y;
}

int main(void)
{
	unsigned int r[3];
	long sum = 0, sq;
	int n;

	seed = (long)getpid();
	say("seed %ld\n", seed);
	test_assert(getrandom(r, sizeof(r), 0) == (ssize_t)sizeof(r));
	for (n = 1; n <= 3; n++) {
		stamps[n] = (long)(r[n - 1] % 100000);
		say("stamp%d %ld\n", n, stamps[n]);
	}
	for (n = 1; n <= 3; n++)
		sum += visit(n, stamps[n]);
	say("sum %ld\n", sum);
	say("x %ld\n", sum % 1000);
	sq = square_plus(sum % 1000); /* line 54: the call reverse_step_finish goes back to */
	say("square %ld\n", sq);      /* line 55: reverse_step_finish starts here */
	say("EXIT-SUCCESS\n");
	return 0;
}
