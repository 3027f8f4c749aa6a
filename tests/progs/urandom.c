/* SPDX-License-Identifier: MIT */
/*
 * urandom: read /dev/urandom (with read(2), into a guarded buffer, and through
 * stdio) and /dev/random, and print the bytes in hex.
 */
#include "util.h"

#include <fcntl.h>

int main(void)
{
	unsigned char buf[32], *g;
	FILE *f;
	int fd, i;

	say("pid %d\n", (int)getpid());
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	test_assert(fd >= 0);
	for (i = 0; i < 3; i++) {
		test_assert(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
		say("urandom %s\n", hex(buf, sizeof(buf)));
	}
	g = guard_alloc(17);
	test_assert(read(fd, g, 17) == 17);
	say("guarded %s\n", hex(g, 17));
	test_assert(close(fd) == 0);

	f = fopen("/dev/urandom", "re");
	test_assert(f);
	test_assert(fread(buf, 1, 16, f) == 16);
	say("fread %s\n", hex(buf, 16));
	test_assert(fclose(f) == 0);

	fd = open("/dev/random", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	test_assert(fd >= 0);
	test_assert(read(fd, buf, 8) == 8);
	say("random %s\n", hex(buf, 8));
	test_assert(close(fd) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
