/* SPDX-License-Identifier: MIT */
/*
 * stdio_buffered: about 1 MB of printf() output to stdout through stdio's
 * buffer (full buffering when stdout is a file or pipe), with values that
 * differ each run, then a little to stderr.
 */
#include "util.h"

#include <sys/random.h>

int main(void)
{
	uint64_t x, sum = 0;
	long bytes = 0;
	int i;

	test_assert(getrandom(&x, sizeof(x), 0) == sizeof(x));
	x |= 1;
	bytes += printf("pid %d seed %016llx\n", (int)getpid(), (unsigned long long)x);
	for (i = 0; bytes < (1 << 20); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sum += x;
		bytes += printf("line %6d: %016llx %20llu %s\n", i, (unsigned long long)x,
				(unsigned long long)sum, i % 7 ? "lorem ipsum dolor sit amet" : "");
	}
	printf("%d lines, %ld bytes\n", i, bytes);
	test_assert(fflush(stdout) == 0);
	fprintf(stderr, "done, sum %llu\n", (unsigned long long)sum);
	printf("EXIT-SUCCESS\n");
	return 0;
}
