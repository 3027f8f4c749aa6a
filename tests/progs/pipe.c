/* SPDX-License-Identifier: MIT */
/*
 * pipe: pipe and pipe2 within one process: write then read, FIONREAD, a
 * non-blocking read of an empty pipe (EAGAIN), EOF after the write end is
 * closed, EPIPE (with SIGPIPE ignored) after the read end is closed.
 */
#include "util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>

int main(void)
{
	int p[2], q[2], avail;
	char msg[128], buf[128];
	int len;

	say("pid %d\n", (int)getpid());
	test_assert(pipe(p) == 0);
	test_assert(pipe2(q, O_CLOEXEC | O_NONBLOCK) == 0);
	say("pipe fds %d %d, pipe2 fds %d %d\n", p[0], p[1], q[0], q[1]);

	len = snprintf(msg, sizeof(msg), "message from %d at %lld", (int)getpid(),
		       ts_ns(CLOCK_MONOTONIC));
	test_assert(write(p[1], msg, (size_t)len) == len);
	test_assert(ioctl(p[0], FIONREAD, &avail) == 0);
	say("FIONREAD %d\n", avail);
	test_assert(avail == len);
	memset(buf, 0, sizeof(buf));
	test_assert(read(p[0], buf, sizeof(buf)) == len);
	say("read back: %s\n", buf);

	errno = 0;
	test_assert(read(q[0], buf, sizeof(buf)) == -1 && errno == EAGAIN);
	say("empty non-blocking read: errno %d\n", errno);
	test_assert(write(q[1], "xyz", 3) == 3);
	test_assert(read(q[0], buf, 2) == 2 && memcmp(buf, "xy", 2) == 0);
	test_assert(read(q[0], buf, 2) == 1 && buf[0] == 'z');
	say("partial reads ok\n");

	test_assert(close(p[1]) == 0);
	test_assert(read(p[0], buf, sizeof(buf)) == 0);
	say("EOF after close\n");
	test_assert(close(p[0]) == 0);

	test_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	test_assert(close(q[0]) == 0);
	errno = 0;
	test_assert(write(q[1], "x", 1) == -1 && errno == EPIPE);
	say("write to widowed pipe: errno %d\n", errno);
	test_assert(close(q[1]) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
