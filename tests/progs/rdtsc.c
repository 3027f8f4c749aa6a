/* SPDX-License-Identifier: MIT */
/*
 * rdtsc: the rdtsc and rdtscp instructions in a loop, printing values and
 * deltas. They are not syscalls: the recorder must trap them (PR_SET_TSC)
 * and replay must return the recorded values at the same points.
 */
#include "util.h"

#include <x86intrin.h>

int main(void)
{
	unsigned long long t[8], p[8];
	unsigned aux[8];
	int i;

	say("pid %d\n", (int)getpid());
	for (i = 0; i < 8; i++) {
		t[i] = __rdtsc();
		p[i] = __rdtscp(&aux[i]);
	}
	for (i = 0; i < 8; i++) {
		test_assert(t[i] != 0 && p[i] != 0);
		say("rdtsc %llu rdtscp %llu aux %u", t[i], p[i], aux[i]);
		if (i > 0)
			say(" delta %lld", (long long)(t[i] - t[i - 1]));
		say("\n");
	}
	say("EXIT-SUCCESS\n");
	return 0;
}
