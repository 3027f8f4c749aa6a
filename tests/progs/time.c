/* SPDX-License-Identifier: MIT */
/*
 * time: time(), gettimeofday() and clock_gettime() of REALTIME, MONOTONIC,
 * BOOTTIME, PROCESS_CPUTIME_ID and THREAD_CPUTIME_ID, several times each.
 * Most go through the vDSO natively; the recorder must still capture them.
 */
#include "util.h"

#include <sys/syscall.h>
#include <sys/time.h>

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
	{ CLOCK_REALTIME, "REALTIME" },
	{ CLOCK_MONOTONIC, "MONOTONIC" },
	{ CLOCK_BOOTTIME, "BOOTTIME" },
	{ CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME" },
	{ CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME" },
	{ CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW" },
	{ CLOCK_REALTIME_COARSE, "REALTIME_COARSE" },
};

int main(void)
{
	struct timeval tv;
	struct timespec ts;
	time_t t1, t2;
	long long prev[ARRAY_LEN(clocks)] = { 0 };
	int round;
	size_t i;

	say("pid %d\n", (int)getpid());
	t1 = time(NULL);
	test_assert(time(&t2) == t2);
	say("time %lld %lld\n", (long long)t1, (long long)t2);
	test_assert(t2 >= t1 && t1 > 1600000000);

	for (round = 0; round < 3; round++) {
		test_assert(gettimeofday(&tv, NULL) == 0);
		say("gettimeofday %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
		for (i = 0; i < ARRAY_LEN(clocks); i++) {
			long long ns = ts_ns(clocks[i].id);

			say("%s %lld.%09lld\n", clocks[i].name, ns / 1000000000, ns % 1000000000);
			if (clocks[i].id == CLOCK_MONOTONIC || clocks[i].id == CLOCK_BOOTTIME)
				test_assert(ns >= prev[i]);
			prev[i] = ns;
		}
	}

	/* The same through the raw syscall, bypassing the vDSO. */
	test_assert(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == 0);
	say("raw MONOTONIC %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	test_assert(syscall(SYS_gettimeofday, &tv, NULL) == 0);
	say("raw gettimeofday %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
	say("raw time %ld\n", syscall(SYS_time, NULL));
	errno = 0;
	test_assert(clock_gettime((clockid_t)12345, &ts) == -1 && errno == EINVAL);
	say("bad clock: errno %d\n", errno);
	say("EXIT-SUCCESS\n");
	return 0;
}
