/* SPDX-License-Identifier: MIT */
/*
 * gdb_hits: hot() called 12,000 times, 200 calls between two getppid()
 * syscalls (60 event intervals), then once more with a random argument,
 * for the gdb test reverse_continue_hits and the script hit_index: a
 * reverse-continue from the end meets far more hits than its scan takes
 * before bisecting, and a second debugging session answers from the hit
 * index the first one left in the trace. The random call's argument is
 * printed, so a test can hold what gdb shows against the recording.
 */
#pragma GCC optimize("O0")
#include "util.h"

#include <sys/random.h>

#define CALLS 12000
#define PER_EVENT 200

volatile long total;

__attribute__((noinline)) static void hot(int k)
{
	total += k;
}

int main(void)
{
	unsigned short r;

	for (int k = 0; k < CALLS; k++) {
		if (k % PER_EVENT == 0)
			(void)getppid();
		hot(k);
	}
	test_assert(getrandom(&r, sizeof(r), 0) == (ssize_t)sizeof(r));
	hot(CALLS + r);
	say("last %d\n", CALLS + r);
	say("total %ld\n", total);
	say("EXIT-SUCCESS\n");
	return 0;
}
