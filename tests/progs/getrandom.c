/* SPDX-License-Identifier: MIT */
/*
 * getrandom: getrandom() with various flags and sizes, one into a buffer
 * that ends at an unmapped page, printed in hex.
 */
#include "util.h"

#include <sys/random.h>

int main(void)
{
	unsigned char buf[64], big[4096];
	unsigned char *g;
	ssize_t n;
	int i;

	say("pid %d\n", (int)getpid());
	for (i = 0; i < 4; i++) {
		test_assert(getrandom(buf, 16, 0) == 16);
		say("getrandom(16) %s\n", hex(buf, 16));
	}
	test_assert(getrandom(buf, sizeof(buf), GRND_NONBLOCK) == (ssize_t)sizeof(buf));
	say("GRND_NONBLOCK %s\n", hex(buf, sizeof(buf)));
	test_assert(getrandom(buf, 8, GRND_INSECURE) == 8 || errno == EINVAL);
	say("GRND_INSECURE %s\n", hex(buf, 8));

	g = guard_alloc(33);
	test_assert(getrandom(g, 33, 0) == 33);
	say("guarded %s\n", hex(g, 33));
	/* The kernel fills what it can and returns the count (or EFAULT if none). */
	n = getrandom(g - 3, 40, 0);
	say("40 bytes into 36 accessible: returned %zd\n", n);
	test_assert(n == 36);
	errno = 0;
	test_assert(getrandom(g + 33, 1, 0) == -1 && errno == EFAULT);
	say("fully inaccessible: errno %d\n", errno);

	test_assert(getrandom(big, sizeof(big), 0) == (ssize_t)sizeof(big));
	say("4096 bytes checksum %016llx\n",
	    (unsigned long long)fnv1a(FNV1A_INIT, big, sizeof(big)));
	test_assert(getrandom(buf, 0, 0) == 0);
	errno = 0;
	test_assert(getrandom(buf, 8, 0xff00) == -1 && errno == EINVAL);
	say("bad flags: errno %d\n", errno);
	say("EXIT-SUCCESS\n");
	return 0;
}
