// SPDX-License-Identifier: MIT
/*
 * cli: where traces live and how they are named.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

char *cli_trace_root(bool create)
{
	const char *env = getenv("REWIND_TRACE_DIR"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *root;
	if (env && *env)
		root = xstrdup(env);
	else if (xdg && *xdg)
		root = xasprintf("%s/rewind", xdg);
	else
		root = xasprintf("%s/.local/share/rewind", home && *home ? home : "/tmp");
	if (create) {
		int err = mkdir_p(root);
		if (err) {
			error("cannot create the trace directory '%s': %s", root, strerror(-err));
			free(root);
			return NULL;
		}
	}
	return root;
}

char *cli_resolve_trace(const char *arg)
{
	char *root, *path;
	struct stat st;
	if (arg && (strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, "..")))
		return xstrdup(arg);
	root = cli_trace_root(false);
	path = xasprintf("%s/%s", root, arg ? arg : "latest-trace");
	if (arg && stat(path, &st) < 0 && stat(arg, &st) == 0) {
		/* Not a trace name, but a directory here. */
		free(path);
		path = xstrdup(arg);
	}
	free(root);
	return path;
}

char *cli_new_trace_dir(const char *exe, const char **ret_err)
{
	const char *base = strrchr(exe, '/');
	char *root = cli_trace_root(true);
	if (!root) {
		*ret_err = "";
		return NULL;
	}
	base = base ? base + 1 : exe;
	for (unsigned n = 0; n < 100000; n++) {
		char *dir = xasprintf("%s/%s-%u", root, base, n);
		if (mkdir(dir, 0700) == 0) {
			free(root);
			return dir;
		}
		int e = errno;
		free(dir);
		if (e != EEXIST) {
			error("cannot create a trace in '%s': %s", root, strerror(e));
			free(root);
			*ret_err = "";
			return NULL;
		}
	}
	free(root);
	*ret_err = "too many traces";
	return NULL;
}

int cli_set_latest(const char *dir)
{
	char *root = cli_trace_root(false);
	char *link = xasprintf("%s/latest-trace", root);
	char *tmp = xasprintf("%s/.latest-trace.%d", root, (int)getpid());
	const char *target = dir;
	size_t rl = strlen(root);
	int err = 0;
	/* A trace under the root is linked by its name, so the root can move. */
	if (!strncmp(dir, root, rl) && dir[rl] == '/' && !strchr(dir + rl + 1, '/'))
		target = dir + rl + 1;
	(void)unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
		err = -errno;
		(void)unlink(tmp);
	}
	free(tmp);
	free(link);
	free(root);
	return err;
}

int cli_exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}
