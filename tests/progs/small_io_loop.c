/* SPDX-License-Identifier: MIT */
/*
 * small_io_loop: a database-like storm of small syscalls: 10000 rounds of
 * lseek+write+read of 64-byte records at pseudo-random offsets of a temp
 * file (seeded from getrandom, so the content differs every run), then a
 * checksum of the whole file and the elapsed time.
 */
#include "util.h"

#include <fcntl.h>
#include <sys/random.h>

#define ROUNDS 10000
#define RECORDS 256
#define RECLEN 64

int main(void)
{
	unsigned char rec[RECLEN], back[RECLEN], file[RECORDS * RECLEN];
	uint64_t seed, x, h;
	char path[4096];
	long long t0;
	int fd, i;

	say("pid %d\n", (int)getpid());
	test_assert(getrandom(&seed, sizeof(seed), 0) == sizeof(seed));
	say("seed %016llx\n", (unsigned long long)seed);
	snprintf(path, sizeof(path), "%s/rewind-small_io-%d", tmp_base(), (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	test_assert(fd >= 0);
	test_assert(unlink(path) == 0);
	test_assert(ftruncate(fd, sizeof(file)) == 0);

	t0 = ts_ns(CLOCK_MONOTONIC);
	x = seed | 1;
	for (i = 0; i < ROUNDS; i++) {
		off_t off;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		off = (off_t)(x % RECORDS) * RECLEN;
		memset(rec, (int)(x >> 56), sizeof(rec));
		memcpy(rec, &i, sizeof(i));
		test_assert(lseek(fd, off, SEEK_SET) == off);
		test_assert(write(fd, rec, sizeof(rec)) == sizeof(rec));
		test_assert(lseek(fd, off, SEEK_SET) == off);
		test_assert(read(fd, back, sizeof(back)) == sizeof(back));
		test_assert(memcmp(rec, back, sizeof(rec)) == 0);
	}
	test_assert(pread(fd, file, sizeof(file), 0) == sizeof(file));
	h = fnv1a(FNV1A_INIT, file, sizeof(file));
	say("%d rounds, file checksum %016llx, %lld ns\n", ROUNDS, (unsigned long long)h,
	    ts_ns(CLOCK_MONOTONIC) - t0);
	test_assert(close(fd) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
