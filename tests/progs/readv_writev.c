/* SPDX-License-Identifier: MIT */
/*
 * readv_writev: writev() of three iovecs to stdout and to a file, readv()
 * and preadv() back into three buffers (the last one ending at an unmapped
 * page), pwritev(), and a readv() that is cut short by EOF.
 */
#include "util.h"

#include <fcntl.h>
#include <sys/uio.h>

int main(void)
{
	char head[32], mid[8], path[4096], stamp[64], a[5], b[7];
	char *tail = guard_alloc(9);
	struct iovec out[3], in[3];
	ssize_t n, total;
	int fd;

	snprintf(head, sizeof(head), "pid %d ", (int)getpid());
	snprintf(stamp, sizeof(stamp), "time %lld\n", ts_ns(CLOCK_REALTIME));
	out[0] = (struct iovec){ head, strlen(head) };
	out[1] = (struct iovec){ "writev ", 7 };
	out[2] = (struct iovec){ stamp, strlen(stamp) };
	total = (ssize_t)(out[0].iov_len + out[1].iov_len + out[2].iov_len);
	test_assert(writev(1, out, 3) == total);

	snprintf(path, sizeof(path), "%s/rewind-readv-%d", tmp_base(), (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	test_assert(fd >= 0);
	test_assert(unlink(path) == 0);
	out[1] = (struct iovec){ "0123456789abcdefghij", 20 };
	test_assert(writev(fd, out, 3) == total + 13);

	test_assert(lseek(fd, 0, SEEK_SET) == 0);
	memset(mid, 0, sizeof(mid));
	in[0] = (struct iovec){ a, sizeof(a) };
	in[1] = (struct iovec){ mid, sizeof(mid) };
	in[2] = (struct iovec){ tail, 9 };
	n = readv(fd, in, 3);
	say("readv %zd: [%.5s] [%.8s] [%.9s]\n", n, a, mid, tail);
	test_assert(n == 22);

	in[0] = (struct iovec){ b, sizeof(b) };
	n = preadv(fd, in, 2, (off_t)strlen(head));
	say("preadv %zd: [%.7s] [%.8s]\n", n, b, mid);
	test_assert(n == 15 && memcmp(b, "0123456", 7) == 0);

	out[0] = (struct iovec){ "XY", 2 };
	out[1] = (struct iovec){ "Z", 1 };
	test_assert(pwritev(fd, out, 2, 1) == 3);
	n = pread(fd, a, sizeof(a), 0);
	say("after pwritev: [%.5s]\n", a);
	test_assert(n == 5 && memcmp(a + 1, "XYZ", 3) == 0);

	/* Near EOF: only part of the iovecs is filled. */
	test_assert(lseek(fd, -4, SEEK_END) > 0);
	memset(mid, '.', sizeof(mid));
	in[0] = (struct iovec){ a, 2 };
	in[1] = (struct iovec){ mid, sizeof(mid) };
	n = readv(fd, in, 2);
	say("readv at EOF %zd: [%.2s] [%.8s]\n", n, a, mid);
	test_assert(n == 4);
	test_assert(close(fd) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
