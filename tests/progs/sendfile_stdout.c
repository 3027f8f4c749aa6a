/* SPDX-License-Identifier: MIT */
/*
 * sendfile_stdout: bytes that reach stdout without write(2): sendfile() from
 * a file to fd 1, and copy_file_range() to fd 1 (which works when
 * stdout is a regular file, as under tests/run.sh; otherwise it fails and we
 * print the errno). `replay -a` must print these bytes too. `cat FILE >FILE2` in
 * coreutils 9 does the same with copy_file_range.
 */
#include "util.h"

#include <fcntl.h>
#include <sys/sendfile.h>

int main(void)
{
	char path[4096], line[128];
	ssize_t n;
	loff_t off = 0;
	int fd, len;

	say("pid %d\n", (int)getpid());
	snprintf(path, sizeof(path), "%s/rewind-sendfile-%d", tmp_base(), (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	test_assert(fd >= 0);
	test_assert(unlink(path) == 0);
	len = snprintf(line, sizeof(line), "file line written at %lld\n", ts_ns(CLOCK_REALTIME));
	write_all(fd, line, (size_t)len);

	n = sendfile(1, fd, &off, (size_t)len);
	test_assert(n == len && off == len);
	say("sendfile sent %zd bytes\n", n);

	off = 0;
	errno = 0;
	n = copy_file_range(fd, &off, 1, NULL, (size_t)len, 0);
	if (n >= 0)
		say("copy_file_range copied %zd bytes\n", n);
	else
		say("copy_file_range failed: errno %d\n", errno);
	test_assert(n == len || n == -1);
	test_assert(close(fd) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
