/* SPDX-License-Identifier: MIT */
/*
 * clock_ops: clock_getres() of several clocks, and a timerfd: create,
 * settime (one shot of 10 ms, then an interval of 5 ms), gettime, and a
 * blocking read() of the expiration count.
 */
#include "util.h"

#include <sys/timerfd.h>

int main(void)
{
	static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
					 CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME_COARSE };
	struct itimerspec its = { .it_value = { 0, 10 * 1000000 } }, cur;
	struct timespec res;
	uint64_t expirations;
	long long t0;
	size_t i;
	int fd;

	say("pid %d\n", (int)getpid());
	for (i = 0; i < ARRAY_LEN(ids); i++) {
		test_assert(clock_getres(ids[i], &res) == 0);
		say("clock %d res %lld.%09ld\n", (int)ids[i], (long long)res.tv_sec, res.tv_nsec);
	}

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	test_assert(fd >= 0);
	t0 = ts_ns(CLOCK_MONOTONIC);
	test_assert(timerfd_settime(fd, 0, &its, NULL) == 0);
	test_assert(timerfd_gettime(fd, &cur) == 0);
	say("armed, %lld.%09ld left\n", (long long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
	test_assert(read(fd, &expirations, sizeof(expirations)) == sizeof(expirations));
	say("one shot: %llu expirations after %lld ns\n", (unsigned long long)expirations,
	    ts_ns(CLOCK_MONOTONIC) - t0);
	test_assert(expirations == 1);

	its.it_value.tv_nsec = 5 * 1000000;
	its.it_interval.tv_nsec = 5 * 1000000;
	test_assert(timerfd_settime(fd, 0, &its, NULL) == 0);
	t0 = ts_ns(CLOCK_MONOTONIC);
	for (i = 0; i < 3; i++) {
		test_assert(read(fd, &expirations, sizeof(expirations)) == sizeof(expirations));
		say("interval read %zu: %llu expirations, %lld ns\n", i,
		    (unsigned long long)expirations, ts_ns(CLOCK_MONOTONIC) - t0);
		test_assert(expirations >= 1);
	}
	its = (struct itimerspec){ 0 };
	test_assert(timerfd_settime(fd, 0, &its, &cur) == 0);
	say("disarmed, interval was %lld ns\n", (long long)cur.it_interval.tv_nsec);
	test_assert(close(fd) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
