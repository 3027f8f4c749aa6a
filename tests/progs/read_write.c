/* SPDX-License-Identifier: MIT */
/*
 * read_write: write(2) to stdout and stderr, read(2) a file we wrote and
 * /proc/self/stat (whose content differs every run), read into a buffer that
 * ends at an unmapped page, and short reads at EOF.
 */
#include "util.h"

#include <fcntl.h>

int main(void)
{
	char path[4096], buf[512], stat_buf[1024];
	const char msg[] = "hello from read_write\n";
	int fd;
	ssize_t n;
	char *g;

	say("pid %d\n", (int)getpid());
	test_assert(write(1, msg, sizeof(msg) - 1) == (ssize_t)sizeof(msg) - 1);
	test_assert(write(2, "to stderr\n", 10) == 10);
	test_assert(write(1, "", 0) == 0);

	snprintf(path, sizeof(path), "%s/rewind-read_write-%d", tmp_base(), (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	test_assert(fd >= 0);
	n = snprintf(buf, sizeof(buf), "file content %lld\n", ts_ns(CLOCK_REALTIME));
	test_assert(write(fd, buf, (size_t)n) == n);
	test_assert(lseek(fd, 0, SEEK_SET) == 0);

	/* Read exactly the file size into a guarded buffer, then hit EOF. */
	g = guard_alloc((size_t)n);
	test_assert(read(fd, g, (size_t)n) == n);
	say("read %zd bytes: %.*s", n, (int)n, g);
	test_assert(read(fd, g, (size_t)n) == 0);
	say("read at EOF: 0\n");

	/* A short read: ask for more than there is. */
	test_assert(lseek(fd, 5, SEEK_SET) == 5);
	memset(buf, 0, sizeof(buf));
	test_assert(read(fd, buf, sizeof(buf)) == n - 5);
	say("short read of %zd: %s", n - 5, buf);
	test_assert(close(fd) == 0);
	test_assert(unlink(path) == 0);

	/* A read of a bad fd fails the same way in replay. */
	errno = 0;
	test_assert(read(fd, buf, 1) == -1 && errno == EBADF);
	say("read closed fd: errno %d\n", errno);

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	test_assert(fd >= 0);
	n = read(fd, stat_buf, sizeof(stat_buf) - 1);
	test_assert(n > 0);
	stat_buf[n] = '\0';
	say("/proc/self/stat: %s", stat_buf);
	test_assert(close(fd) == 0);

	say_err("stderr again, pid %d\n", (int)getpid());
	say("EXIT-SUCCESS\n");
	return 0;
}
