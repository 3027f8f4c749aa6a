// SPDX-License-Identifier: MIT
/*
 * shm_shared: a shared writable mapping of a POSIX shared memory object,
 * which processes outside the recording could change. rewind must refuse
 * to record it (one clear line), never replay it wrong. Natively it just
 * writes a byte and exits; it prints nothing (tests/table.in runs it in
 * expect-error mode).
 */
#include "util.h"

#include <fcntl.h>

int main(void)
{
	char name[64];
	snprintf(name, sizeof(name), "/rewind-shm-%d", (int)getpid());
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	test_assert(fd >= 0);
	shm_unlink(name);
	test_assert(ftruncate(fd, 4096) == 0);
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	test_assert(p != MAP_FAILED);
	p[0] = 1;
	return 0;
}
