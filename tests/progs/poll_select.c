/* SPDX-License-Identifier: MIT */
/*
 * poll_select: poll(), ppoll(), select() and pselect() on a pipe: a timeout
 * on an empty pipe (result 0, elapsed time printed), then readiness after a
 * write, and the timeout that select() leaves in its timeval.
 */
#include "util.h"

#include <poll.h>
#include <sys/select.h>

int main(void)
{
	struct pollfd pfd[2];
	struct timeval tv;
	struct timespec ts = { 0, 5 * 1000000 };
	fd_set rd, wr;
	long long t0;
	int p[2], n;

	say("pid %d\n", (int)getpid());
	test_assert(pipe(p) == 0);
	pfd[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };

	t0 = ts_ns(CLOCK_MONOTONIC);
	n = poll(pfd, 1, 10);
	say("poll empty: %d revents %#x after %lld ns\n", n, pfd[0].revents,
	    ts_ns(CLOCK_MONOTONIC) - t0);
	test_assert(n == 0 && pfd[0].revents == 0);

	n = poll(pfd, 2, 10);
	say("poll both: %d revents %#x %#x\n", n, pfd[0].revents, pfd[1].revents);
	test_assert(n == 1 && pfd[1].revents == POLLOUT);

	test_assert(write(p[1], "x", 1) == 1);
	n = ppoll(pfd, 2, &ts, NULL);
	say("ppoll after write: %d revents %#x %#x\n", n, pfd[0].revents, pfd[1].revents);
	test_assert(n == 2 && pfd[0].revents == POLLIN);

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){ 0, 100000 };
	t0 = ts_ns(CLOCK_MONOTONIC);
	n = select(p[0] + 1, &rd, NULL, NULL, &tv);
	say("select ready: %d isset %d, timeval left %ld.%06ld\n", n, FD_ISSET(p[0], &rd),
	    (long)tv.tv_sec, (long)tv.tv_usec);
	test_assert(n == 1 && FD_ISSET(p[0], &rd));

	char c;
	test_assert(read(p[0], &c, 1) == 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_ZERO(&wr);
	FD_SET(p[1], &wr);
	tv = (struct timeval){ 0, 10000 };
	n = select(p[1] + 1, &rd, &wr, NULL, &tv);
	say("select write: %d rd %d wr %d\n", n, FD_ISSET(p[0], &rd), FD_ISSET(p[1], &wr));
	test_assert(n == 1 && FD_ISSET(p[1], &wr) && !FD_ISSET(p[0], &rd));

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	t0 = ts_ns(CLOCK_MONOTONIC);
	n = pselect(p[0] + 1, &rd, NULL, NULL, &ts, NULL);
	say("pselect empty: %d after %lld ns\n", n, ts_ns(CLOCK_MONOTONIC) - t0);
	test_assert(n == 0 && !FD_ISSET(p[0], &rd));
	say("EXIT-SUCCESS\n");
	return 0;
}
