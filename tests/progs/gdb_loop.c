/* SPDX-License-Identifier: MIT */
/*
 * gdb_loop: a loop of five iterations adding random bytes, for the gdb test
 * reverse_next_loop (tests/gdb/), which goes back through the loop with
 * reverse-next from the line after it. The partial sums are printed after
 * the loop, so the test can hold each value gdb shows against the
 * recording. Built without optimization (see the pragma).
 *
 * The gdb script uses the line numbers of the lines marked "line N": keep
 * them where they are when editing.
 */
#pragma GCC optimize("O0")
#include "util.h"

#include <sys/random.h>

int main(void)
{
	unsigned char r[5];
	long acc = 0, partial[5];
	int i;

	test_assert(getrandom(r, sizeof(r), 0) == (ssize_t)sizeof(r));
	say("pid %d\n", (int)getpid());
	for (i = 0; i < 5; i++) { /* line 25: the loop head */
		acc += r[i] + 1;  /* line 26: the loop body */
		partial[i] = acc;
	}
	say("acc %ld\n", acc); /* line 29: reverse_next_loop starts here */
	for (i = 0; i < 5; i++)
		say("partial%d %ld\n", i, partial[i]);
	say("EXIT-SUCCESS\n");
	return 0;
}
