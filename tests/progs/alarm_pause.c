/* SPDX-License-Identifier: MIT */
/*
 * alarm_pause: asynchronous SIGALRM from setitimer(ITIMER_REAL), always
 * arriving while the process is blocked in a syscall (never while it
 * computes): first in pause(); then during a blocking read() of an empty
 * pipe, with SA_RESTART (the read restarts; the second alarm's handler
 * stops the timer and writes a byte into the pipe so the read returns 1) and without it (the
 * read fails with EINTR).
 */
#include "util.h"

#include <signal.h>
#include <sys/time.h>

static volatile int alarms;
static int pipe_w = -1;

static void on_alarm(int sig)
{
	static const struct itimerval off;

	(void)sig;
	alarms++;
	if (alarms == 2 && pipe_w >= 0) {
		/* Stop the interval timer here, so no third alarm can come. */
		if (setitimer(ITIMER_REAL, &off, NULL) != 0 || write(pipe_w, "!", 1) != 1)
			_exit(3);
	}
}

static void arm(long ms, long interval_ms)
{
	struct itimerval it = {
		.it_value = { .tv_sec = 0, .tv_usec = ms * 1000 },
		.it_interval = { .tv_sec = 0, .tv_usec = interval_ms * 1000 },
	};

	test_assert(setitimer(ITIMER_REAL, &it, NULL) == 0);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval left;
	long long t0;
	int p[2];
	char c;
	ssize_t n;

	say("pid %d\n", (int)getpid());
	test_assert(pipe(p) == 0);

	/* pause() */
	test_assert(sigaction(SIGALRM, &sa, NULL) == 0);
	t0 = ts_ns(CLOCK_MONOTONIC);
	arm(20, 0);
	errno = 0;
	test_assert(pause() == -1 && errno == EINTR);
	say("pause interrupted after %lld ns, alarms %d\n", ts_ns(CLOCK_MONOTONIC) - t0, alarms);
	test_assert(alarms == 1);
	test_assert(getitimer(ITIMER_REAL, &left) == 0);
	test_assert(left.it_value.tv_sec == 0 && left.it_value.tv_usec == 0);

	/* read() with SA_RESTART: two alarms, the read is restarted after the first. */
	alarms = 0;
	pipe_w = p[1];
	sa.sa_flags = SA_RESTART;
	test_assert(sigaction(SIGALRM, &sa, NULL) == 0);
	t0 = ts_ns(CLOCK_MONOTONIC);
	arm(20, 20);
	n = read(p[0], &c, 1);
	arm(0, 0);
	say("SA_RESTART read returned %zd '%c' after %lld ns, alarms %d\n", n, c,
	    ts_ns(CLOCK_MONOTONIC) - t0, alarms);
	test_assert(n == 1 && c == '!' && alarms == 2);

	/* read() without SA_RESTART: EINTR. */
	alarms = 0;
	pipe_w = -1;
	sa.sa_flags = 0;
	test_assert(sigaction(SIGALRM, &sa, NULL) == 0);
	t0 = ts_ns(CLOCK_MONOTONIC);
	arm(20, 0);
	errno = 0;
	n = read(p[0], &c, 1);
	say("plain read returned %zd errno %d after %lld ns, alarms %d\n", n, errno,
	    ts_ns(CLOCK_MONOTONIC) - t0, alarms);
	test_assert(n == -1 && errno == EINTR && alarms == 1);
	say("EXIT-SUCCESS\n");
	return 0;
}
