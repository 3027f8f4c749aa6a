/* SPDX-License-Identifier: MIT */
/*
 * open_stat_getdents: make a temporary directory with mkdtemp, create files,
 * stat/fstat/lstat/fstatat them, list the directory with raw getdents64 (into
 * a buffer that ends at an unmapped page) and with readdir, print inode
 * numbers and nanosecond mtimes, then remove everything.
 */
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void print_stat(const char *what, const struct stat *st)
{
	say("%s: ino %llu mode %o nlink %lu size %lld mtime %lld.%09ld\n", what,
	    (unsigned long long)st->st_ino, (unsigned)st->st_mode, (unsigned long)st->st_nlink,
	    (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

int main(void)
{
	static const char *const names[] = { "alpha", "beta", "gamma" };
	char dir[4096], path[4200];
	struct stat st;
	struct dirent *de;
	DIR *d;
	int dfd, fd, count;
	size_t i;
	long n;
	char *g;

	snprintf(dir, sizeof(dir), "%s/rewind-getdents-XXXXXX", tmp_base());
	test_assert(mkdtemp(dir) != NULL);
	say("dir %s\n", dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_assert(dfd >= 0);

	for (i = 0; i < ARRAY_LEN(names); i++) {
		fd = openat(dfd, names[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		test_assert(fd >= 0);
		write_all(fd, dir, i * 7 + 1);
		test_assert(fstat(fd, &st) == 0);
		print_stat(names[i], &st);
		test_assert(st.st_size == (off_t)(i * 7 + 1));
		test_assert(close(fd) == 0);
	}
	test_assert(symlinkat("alpha", dfd, "link") == 0);
	snprintf(path, sizeof(path), "%s/link", dir);
	test_assert(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
	print_stat("lstat link", &st);
	test_assert(stat(path, &st) == 0 && S_ISREG(st.st_mode));
	print_stat("stat link", &st);
	test_assert(fstatat(dfd, "gamma", &st, 0) == 0);
	print_stat("fstatat gamma", &st);
	errno = 0;
	test_assert(fstatat(dfd, "missing", &st, 0) == -1 && errno == ENOENT);
	say("fstatat missing: errno %d\n", errno);

	/* Raw getdents64 into a small guarded buffer: several calls needed. */
	g = guard_alloc(64);
	count = 0;
	while ((n = syscall(SYS_getdents64, dfd, g, 64)) > 0) {
		long off = 0;

		say("getdents64 returned %ld\n", n);
		while (off < n) {
			struct linux_dirent64 *e = (void *)(g + off);

			say("  ino %llu type %u name %s\n", (unsigned long long)e->d_ino,
			    e->d_type, e->d_name);
			off += e->d_reclen;
			count++;
		}
	}
	test_assert(n == 0);
	test_assert(count == 6);

	d = fdopendir(dup(dfd));
	test_assert(d != NULL);
	rewinddir(d);
	count = 0;
	while ((de = readdir(d)) != NULL) {
		say("readdir ino %llu name %s\n", (unsigned long long)de->d_ino, de->d_name);
		count++;
	}
	test_assert(count == 6);
	test_assert(closedir(d) == 0);

	test_assert(unlinkat(dfd, "link", 0) == 0);
	for (i = 0; i < ARRAY_LEN(names); i++)
		test_assert(unlinkat(dfd, names[i], 0) == 0);
	test_assert(fstat(dfd, &st) == 0);
	print_stat("dir", &st);
	test_assert(close(dfd) == 0);
	test_assert(rmdir(dir) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
