/* SPDX-License-Identifier: MIT */
/*
 * gdb_counter: a global counter bumped twice, with syscalls around each
 * bump, for the gdb test watch_forward_backward (the scenario of rr's
 * demos: stop at the end, watch the counter, run backwards to the writes).
 * The stamps are times and random bytes, so the test can check that the
 * replay shows the recorded values.
 */
#pragma GCC optimize("O0")
#include "util.h"

#include <sys/random.h>

int counter;
long stamp1, stamp2;

__attribute__((noinline)) static void bump(void)
{
	counter++; /* the write that watch_forward_backward finds */
}

__attribute__((noinline)) static void at_end(void)
{
	say("counter %d\n", counter);
}

int main(void)
{
	unsigned int r;

	stamp1 = ts_ns(CLOCK_REALTIME) % 1000000007;
	say("stamp1 %ld\n", stamp1);
	bump();
	say("after first bump %d, pid %d\n", counter, (int)getpid());
	test_assert(getrandom(&r, sizeof(r), 0) == (ssize_t)sizeof(r));
	stamp2 = r % 1000000007;
	say("stamp2 %ld\n", stamp2);
	bump();
	say("after second bump %d\n", counter);
	at_end();
	say("EXIT-SUCCESS\n");
	return 0;
}
