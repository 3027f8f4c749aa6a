/* SPDX-License-Identifier: MIT */
/*
 * mmap_file: write a file of random bytes, map it MAP_SHARED read-only and
 * MAP_PRIVATE read-write, print the contents seen through each mapping and
 * the mapping addresses, write to the private copy (the file must not change),
 * then unlink the file while it is still mapped. Replay must rebuild both
 * mappings with the recorded contents, even though the file is gone.
 */
#include "util.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>

int main(void)
{
	size_t ps = page_size(), len = 3 * ps;
	unsigned char *data, *shared, *priv, check[16];
	char path[4096];
	int fd;
	size_t i;

	say("pid %d\n", (int)getpid());
	data = malloc(len);
	test_assert(data);
	test_assert(getrandom(data, len, 0) == (ssize_t)len);
	snprintf(path, sizeof(path), "%s/rewind-mmap_file-%d", tmp_base(), (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	test_assert(fd >= 0);
	write_all(fd, data, len);

	shared = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	test_assert(shared != MAP_FAILED);
	priv = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, ps);
	test_assert(priv != MAP_FAILED);
	say("shared at %p, private at %p\n", (void *)shared, (void *)priv);
	test_assert(close(fd) == 0);
	test_assert(unlink(path) == 0);

	for (i = 0; i < 3; i++)
		say("shared page %zu: %s\n", i, hex(shared + i * ps, 16));
	for (i = 0; i < 2; i++)
		say("private page %zu: %s\n", i, hex(priv + i * ps, 16));
	test_assert(memcmp(shared, data, len) == 0);
	test_assert(memcmp(priv, data + ps, 2 * ps) == 0);
	say("checksum %016llx\n", (unsigned long long)fnv1a(FNV1A_INIT, shared, len));

	memcpy(check, shared + ps, sizeof(check));
	memset(priv, 0x5a, 16);
	say("private after write: %s\n", hex(priv, 16));
	test_assert(memcmp(shared + ps, check, sizeof(check)) == 0);
	say("shared unchanged: %s\n", hex(shared + ps, 16));

	test_assert(munmap(priv, 2 * ps) == 0);
	test_assert(munmap(shared, len) == 0);
	free(data);
	say("EXIT-SUCCESS\n");
	return 0;
}
