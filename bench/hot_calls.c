// SPDX-License-Identifier: MIT
/*
 * hot_calls: about 6 s of work that calls f() about 100,000 times a second,
 * with a time check (a syscall) every 10 ms, and calls mark() once, 5 s in.
 * bench/reverse_hits.sh debugs a recording of it: continue to mark(), then
 * reverse-continue to the last call of f, twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

volatile uint64_t sink;
volatile int calls;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__attribute__((noinline)) void f(int i)
{
	calls = i;
}

__attribute__((noinline)) void mark(uint64_t ms)
{
	printf("mark at %llu ms, %d calls\n", (unsigned long long)ms, calls);
}

int main(void)
{
	uint64_t start = now_ms(), x = 88172645463325252ull, ms = 0;
	int i = 0, marked = 0;
	while ((ms = now_ms() - start) < 6000) {
		for (int k = 0; k < 1000; k++) { /* ~10 ms: 1000 calls, ~10 us apart */
			for (int j = 0; j < 5400; j++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
			}
			sink = x;
			f(i++);
		}
		if (!marked && ms >= 5000) {
			mark(ms);
			marked = 1;
		}
	}
	printf("done: %d calls\n", i);
	return 0;
}
