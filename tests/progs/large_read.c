/* SPDX-License-Identifier: MIT */
/*
 * large_read: write a 20 MB file of random bytes, read it back with one
 * read() of 20 MB into a buffer that ends at an unmapped page, and again in
 * 4 KB chunks, and print an FNV-1a checksum of each. Tests that large
 * syscall outputs are recorded whole.
 */
#include "util.h"

#include <fcntl.h>
#include <sys/random.h>

#define SIZE (20u << 20)

int main(void)
{
	unsigned char *src, *dst, chunk[4096];
	uint64_t h_src, h_one, h_chunks = FNV1A_INIT;
	char path[4096];
	size_t done = 0, reads = 0;
	ssize_t n;
	int fd;

	say("pid %d\n", (int)getpid());
	src = malloc(SIZE);
	test_assert(src);
	while (done < SIZE) {
		n = getrandom(src + done, SIZE - done, 0);
		test_assert(n > 0);
		done += (size_t)n;
	}
	h_src = fnv1a(FNV1A_INIT, src, SIZE);
	say("generated checksum %016llx\n", (unsigned long long)h_src);

	snprintf(path, sizeof(path), "%s/rewind-large_read-%d", tmp_base(), (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	test_assert(fd >= 0);
	test_assert(unlink(path) == 0);
	write_all(fd, src, SIZE);
	free(src);

	dst = guard_alloc(SIZE);
	test_assert(lseek(fd, 0, SEEK_SET) == 0);
	n = read(fd, dst, SIZE);
	say("one read returned %zd\n", n);
	test_assert(n == (ssize_t)SIZE);
	h_one = fnv1a(FNV1A_INIT, dst, SIZE);
	say("one-read checksum %016llx\n", (unsigned long long)h_one);

	test_assert(lseek(fd, 0, SEEK_SET) == 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		h_chunks = fnv1a(h_chunks, chunk, (size_t)n);
		reads++;
	}
	test_assert(n == 0);
	say("%zu chunk reads, checksum %016llx\n", reads, (unsigned long long)h_chunks);
	test_assert(h_one == h_src && h_chunks == h_src);
	test_assert(close(fd) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
