// SPDX-License-Identifier: MIT
/*
 * shm_mprotect: a read-only shared mapping of a POSIX shared memory object
 * (opened read-write), then made writable with mprotect. Like shm_shared,
 * the memory is shared with whatever else maps the object: rewind must
 * refuse to record once it is writable (one clear line naming mprotect).
 * Natively it writes a byte and exits, printing nothing.
 */
#include "util.h"

#include <fcntl.h>

int main(void)
{
	char name[64];
	snprintf(name, sizeof(name), "/rewind-shmp-%d", (int)getpid());
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	test_assert(fd >= 0);
	shm_unlink(name);
	test_assert(ftruncate(fd, 4096) == 0);
	char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	test_assert(p != MAP_FAILED);
	test_assert(p[0] == 0);
	test_assert(mprotect(p, 4096, PROT_READ | PROT_WRITE) == 0);
	p[0] = 1;
	return 0;
}
