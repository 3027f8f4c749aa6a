// SPDX-License-Identifier: MIT
/*
 * long_run: about 10 s of computation with a few syscalls per 10 ms (a time
 * check, as real programs do) and a global `phase` that changes about once a
 * second. bench/gdb.sh debugs a recording of it: continue to a breakpoint
 * near the end, reverse-continue to the last write of `phase`, reverse-stepi.
 */
#include <stdio.h>
#include <stdint.h>
#include <time.h>

volatile int phase;
volatile uint64_t sink;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__attribute__((noinline)) static void finish(uint64_t x)
{
	printf("done %d %llu\n", phase, (unsigned long long)x);
}

int main(void)
{
	uint64_t start = now_ms(), x = 88172645463325252ull;
	for (int chunk = 0; now_ms() - start < 10000; chunk++) {
		for (int i = 0; i < 200000; i++) { /* ~10 ms of xorshift */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		sink = x;
		if ((now_ms() - start) / 1000 != (uint64_t)phase)
			phase = (int)((now_ms() - start) / 1000);
	}
	finish(x);
	return 0;
}
