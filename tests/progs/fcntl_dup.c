/* SPDX-License-Identifier: MIT */
/*
 * fcntl_dup: dup2() stdout to fd 5 and write to 5 (that output is part of
 * the program's stdout); fcntl F_GETFL/F_SETFL/F_GETFD/F_SETFD/F_DUPFD_CLOEXEC;
 * then close fd 1, open a file (which takes fd 1) and write to it: those
 * bytes go to the file, NOT to the terminal, and replay must not print them.
 * Finally stdout is restored from fd 5 and the file is read back.
 */
#include "util.h"

#include <fcntl.h>

int main(void)
{
	char path[4096], buf[256];
	int fd, flags, n;

	say("pid %d\n", (int)getpid());
	test_assert(dup2(1, 5) == 5);
	dprintf(5, "written to fd 5 (a dup of stdout) at %lld\n", ts_ns(CLOCK_REALTIME));

	flags = fcntl(5, F_GETFD);
	say("fd 5 F_GETFD %d\n", flags);
	test_assert(flags == 0);
	test_assert(fcntl(5, F_SETFD, FD_CLOEXEC) == 0);
	test_assert(fcntl(5, F_GETFD) == FD_CLOEXEC);
	fd = fcntl(5, F_DUPFD_CLOEXEC, 10);
	say("F_DUPFD_CLOEXEC from 10: %d, F_GETFD %d\n", fd, fcntl(fd, F_GETFD));
	test_assert(fd >= 10 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	test_assert(close(fd) == 0);

	snprintf(path, sizeof(path), "%s/rewind-fcntl_dup-%d", tmp_base(), (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	test_assert(fd >= 0);
	flags = fcntl(fd, F_GETFL);
	say("file F_GETFL %#o\n", flags & ~O_LARGEFILE);
	test_assert((flags & O_ACCMODE) == O_RDWR);
	test_assert(fcntl(fd, F_SETFL, flags | O_APPEND) == 0);
	test_assert(fcntl(fd, F_GETFL) & O_APPEND);
	test_assert(close(fd) == 0);

	/* fd 1 becomes the file. */
	test_assert(close(1) == 0);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	test_assert(fd == 1);
	n = snprintf(buf, sizeof(buf), "this line goes to the file, pid %d\n", (int)getpid());
	test_assert(write(1, buf, (size_t)n) == n);
	test_assert(dup2(5, 1) == 1);
	say("stdout restored, fd 1 F_GETFD %d\n", fcntl(1, F_GETFD));
	test_assert(fcntl(1, F_GETFD) == 0);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	test_assert(fd >= 0);
	memset(buf, 0, sizeof(buf));
	test_assert(read(fd, buf, sizeof(buf) - 1) == n);
	say("file holds: %s", buf);
	test_assert(close(fd) == 0);
	test_assert(unlink(path) == 0);

	errno = 0;
	test_assert(fcntl(99, F_GETFD) == -1 && errno == EBADF);
	say("F_GETFD on fd 99: errno %d\n", errno);
	say("EXIT-SUCCESS\n");
	return 0;
}
