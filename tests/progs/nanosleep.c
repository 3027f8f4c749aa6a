/* SPDX-License-Identifier: MIT */
/*
 * nanosleep: sleep 10 ms with nanosleep(), clock_nanosleep() (relative and
 * TIMER_ABSTIME) and usleep(), printing the measured elapsed nanoseconds.
 */
#include "util.h"

int main(void)
{
	struct timespec req = { .tv_sec = 0, .tv_nsec = 10 * 1000000 }, rem, abs;
	long long t0, dt;

	say("pid %d\n", (int)getpid());
	t0 = ts_ns(CLOCK_MONOTONIC);
	test_assert(nanosleep(&req, &rem) == 0);
	dt = ts_ns(CLOCK_MONOTONIC) - t0;
	say("nanosleep 10 ms took %lld ns\n", dt);
	test_assert(dt >= 10000000);

	t0 = ts_ns(CLOCK_MONOTONIC);
	test_assert(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0);
	dt = ts_ns(CLOCK_MONOTONIC) - t0;
	say("clock_nanosleep 10 ms took %lld ns\n", dt);
	test_assert(dt >= 10000000);

	test_assert(clock_gettime(CLOCK_MONOTONIC, &abs) == 0);
	t0 = abs.tv_sec * 1000000000LL + abs.tv_nsec;
	abs.tv_nsec += 10000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	test_assert(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0);
	dt = ts_ns(CLOCK_MONOTONIC) - t0;
	say("clock_nanosleep until +10 ms took %lld ns\n", dt);
	test_assert(dt >= 10000000);

	t0 = ts_ns(CLOCK_MONOTONIC);
	test_assert(usleep(10000) == 0);
	say("usleep 10 ms took %lld ns\n", ts_ns(CLOCK_MONOTONIC) - t0);

	req.tv_nsec = 1000000000;
	errno = 0;
	test_assert(nanosleep(&req, NULL) == -1 && errno == EINVAL);
	say("bad nanosleep: errno %d\n", errno);
	say("EXIT-SUCCESS\n");
	return 0;
}
