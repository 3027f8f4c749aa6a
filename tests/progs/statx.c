/* SPDX-License-Identifier: MIT */
/*
 * statx: statx() of a fresh file (birth time, inode, mtime in ns), of an
 * fd with AT_EMPTY_PATH, into a struct that ends at an unmapped page, and of
 * a missing path (ENOENT).
 */
#include "util.h"

#include <fcntl.h>
#include <sys/stat.h>

static void show(const char *what, const struct statx *s)
{
	say("%s: mask %#x ino %llu size %llu mode %o btime %lld.%09u mtime %lld.%09u\n", what,
	    s->stx_mask, (unsigned long long)s->stx_ino, (unsigned long long)s->stx_size,
	    s->stx_mode, (long long)s->stx_btime.tv_sec, s->stx_btime.tv_nsec,
	    (long long)s->stx_mtime.tv_sec, s->stx_mtime.tv_nsec);
}

int main(void)
{
	struct statx sx, *g = guard_alloc(sizeof(*g));
	char path[4096];
	int fd;

	say("pid %d\n", (int)getpid());
	snprintf(path, sizeof(path), "%s/rewind-statx-%d", tmp_base(), (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0604);
	test_assert(fd >= 0);
	write_all(fd, path, 10);

	test_assert(statx(AT_FDCWD, path, 0, STATX_ALL, &sx) == 0);
	show("path", &sx);
	test_assert(sx.stx_size == 10 && (sx.stx_mode & 0777) == 0604);
	test_assert(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, g) == 0);
	show("fd", g);
	test_assert(g->stx_ino == sx.stx_ino);
	test_assert(statx(AT_FDCWD, "/", 0, STATX_INO | STATX_MNT_ID, &sx) == 0);
	say("root: ino %llu mnt_id %llu\n", (unsigned long long)sx.stx_ino,
	    (unsigned long long)sx.stx_mnt_id);
	test_assert(close(fd) == 0);
	test_assert(unlink(path) == 0);
	errno = 0;
	test_assert(statx(AT_FDCWD, path, 0, STATX_ALL, &sx) == -1 && errno == ENOENT);
	say("after unlink: errno %d\n", errno);
	say("EXIT-SUCCESS\n");
	return 0;
}
