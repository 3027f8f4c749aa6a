/* SPDX-License-Identifier: MIT */
/*
 * cpu_bound: about 0.3 s of pure computation with no syscall in the loop,
 * between two clock_gettime() calls; prints the (deterministic) result and
 * the (varying) elapsed time.
 */
#include "util.h"

int main(void)
{
	long long t0, dt;
	uint64_t x = 88172645463325252ULL, acc = 0;
	long i;

	say("pid %d\n", (int)getpid());
	t0 = ts_ns(CLOCK_MONOTONIC);
	for (i = 0; i < 150000000L; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += x >> 60;
	}
	dt = ts_ns(CLOCK_MONOTONIC) - t0;
	say("result %016llx %llu\n", (unsigned long long)x, (unsigned long long)acc);
	say("elapsed %lld ns\n", dt);
	test_assert(dt > 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
