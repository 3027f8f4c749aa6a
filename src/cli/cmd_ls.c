// SPDX-License-Identifier: MIT
/*
 * cli: rewind ls and rewind rm.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/buf.h"
#include "trace/trace.h"

struct entry {
	char *name;
	struct timespec mtime;
};

static int by_time(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool is_trace(const char *dir)
{
	char *v = xasprintf("%s/version", dir);
	bool ok = access(v, F_OK) == 0;
	free(v);
	return ok;
}

static uint64_t du_total;
static int du_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)p;
	(void)flag;
	(void)f;
	du_total += (uint64_t)st->st_blocks * 512;
	return 0;
}

int cmd_ls(int argc, char **argv)
{
	const struct cli_cmd *self = cli_find("ls");
	char *root, latest[PATH_MAX] = "";
	struct entry *ents = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d;

	if (cli_wants_help(self, argc, argv))
		return 0;
	if (argc > 1)
		return cli_usage_error(self, "unexpected argument '%s'", argv[1]);
	root = cli_trace_root(false);
	d = opendir(root);
	if (!d) {
		free(root);
		return 0; /* no traces yet */
	}
	{
		char *l = xasprintf("%s/latest-trace", root);
		ssize_t k = readlink(l, latest, sizeof(latest) - 1);
		latest[k > 0 ? k : 0] = 0;
		free(l);
	}
	while ((de = readdir(d))) {
		char *p;
		struct stat st;
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "latest-trace"))
			continue;
		p = xasprintf("%s/%s", root, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && is_trace(p)) {
			GROW(ents, alloc, n + 1);
			ents[n++] = (struct entry){ .name = xstrdup(de->d_name), .mtime = st.st_mtim };
		}
		free(p);
	}
	closedir(d);
	if (n)
		qsort(ents, n, sizeof(*ents), by_time);
	if (n)
		printf("%-32s %-19s %9s  %s\n", "NAME", "RECORDED", "SIZE", "COMMAND");
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", root, ents[i].name), when[32] = "?";
		struct trace_reader *rd;
		struct tm tm;
		time_t t = ents[i].mtime.tv_sec;
		struct buf cmd = BUF_INIT;
		du_total = 0;
		nftw(p, du_one, 16, FTW_PHYS);
		if (trace_reader_open(p, &rd) == 0) {
			const struct trace_header *h = trace_reader_header(rd);
			t = (time_t)(h->start_ns / 1000000000ull);
			for (uint32_t k = 0; k < h->argc; k++)
				buf_printf(&cmd, "%s%s", k ? " " : "", h->argv[k]);
			trace_reader_close(rd);
		} else {
			buf_printf(&cmd, "(unreadable)");
		}
		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%-32s %-19s %8.1fM  %s%s\n", ents[i].name, when, (double)du_total / 1048576.0,
		       buf_cstr(&cmd), !strcmp(latest, ents[i].name) ? "   (latest)" : "");
		buf_release(&cmd);
		free(p);
		free(ents[i].name);
	}
	free(ents);
	free(root);
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return (flag == FTW_DP ? rmdir(p) : unlink(p)) < 0 ? -1 : 0;
}

int cmd_rm(int argc, char **argv)
{
	const struct cli_cmd *self = cli_find("rm");
	char *root;
	int ret = 0;

	if (cli_wants_help(self, argc, argv))
		return 0;
	if (argc < 2)
		return cli_usage_error(self, "no trace named");
	root = cli_trace_root(false);
	for (int i = 1; i < argc; i++) {
		const char *name = argv[i];
		char *p, *link, target[PATH_MAX];
		ssize_t k;
		if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
		    !strcmp(name, "latest-trace")) {
			ret = error("'%s' is not a trace name (see 'rewind ls')", name) ? 1 : 1;
			continue;
		}
		p = xasprintf("%s/%s", root, name);
		if (!is_trace(p)) {
			ret = error("no trace named '%s' in '%s'", name, root) ? 1 : 1;
			free(p);
			continue;
		}
		if (nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
			ret = error("cannot remove '%s': %s", p, strerror(errno)) ? 1 : 1;
		link = xasprintf("%s/latest-trace", root);
		k = readlink(link, target, sizeof(target) - 1);
		if (k > 0) {
			target[k] = 0;
			if (!strcmp(target, name) || !strcmp(target, p))
				(void)unlink(link);
		}
		free(link);
		free(p);
	}
	free(root);
	return ret;
}
