// SPDX-License-Identifier: MIT
/*
 * cli: rewind record.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "record/record.h"
#include "task/task.h"

extern char **environ;

/* Find prog like execvp does. Caller frees. */
static char *find_program(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? realpath(prog, NULL) : NULL;
	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *dir ? dir : ".", prog);
		struct stat st;
		if (access(cand, X_OK) == 0 && stat(cand, &st) == 0 && S_ISREG(st.st_mode))
			found = realpath(cand, NULL);
		free(cand);
	}
	free(copy);
	return found;
}

static void ignore_sig(int sig)
{
	(void)sig;
}

/* Remove a trace directory that never got usable. */
static void remove_dir(const char *dir)
{
	char *cmd_files = xasprintf("%s/files", dir);
	static const char *const names[] = { "version", "header", "events", "data", "mmaps" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		(void)unlink(p);
		free(p);
	}
	(void)rmdir(cmd_files);
	(void)rmdir(dir);
	free(cmd_files);
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "wait", no_argument, NULL, 'w' },
		{ "slice", required_argument, NULL, 'c' },
		{ "chaos", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_cmd *self = cli_find("record");
	const char *out = NULL, *why = NULL;
	struct rec_result res;
	struct rec_opts ro = { 0 };
	struct sigaction sa = { .sa_handler = ignore_sig };
	char *exe, *dir;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:wc:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'w':
			ro.wait_all = true;
			break;
		case 'c':
			if (!parse_u64(optarg, &ro.slice_us) || !ro.slice_us ||
			    ro.slice_us > 60000000)
				return cli_usage_error(self, "bad slice '%s' (microseconds, 1 to "
							     "60000000)", optarg);
			break;
		case 'C':
			ro.chaos = true;
			break;
		case 'h':
			cli_print_help(self);
			return 0;
		default:
			return cli_usage_error(self, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(self, "no program to record");
	exe = find_program(argv[optind]);
	if (!exe)
		return error("cannot find program '%s'", argv[optind]) ? 1 : 1;
	if (out) {
		if (mkdir(out, 0700) < 0) {
			ret = error("cannot create the trace directory '%s': %s", out,
				    strerror(errno));
			free(exe);
			return 1;
		}
		dir = realpath(out, NULL);
	} else {
		dir = cli_new_trace_dir(argv[optind], &why);
		if (!dir) {
			if (why && *why)
				error("%s", why);
			free(exe);
			return 1;
		}
	}
	ro.trace_dir = dir;
	ro.exe = exe;
	ro.argv = argv + optind;
	ro.envp = environ;
	/* Ctrl-C goes to the whole process group: the program decides what it means. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	ret = rec_run(&ro, &res);
	if (ret < 0 && !res.events) {
		remove_dir(dir);
	} else {
		char *root = cli_trace_root(true);
		if (root)
			(void)cli_set_latest(dir);
		free(root);
	}
	if (ret == 0) {
		ret = cli_exit_code(res.wait_status);
		if (WIFSIGNALED(res.wait_status))
			error("'%s' was killed by %s", argv[optind],
			      signal_name(WTERMSIG(res.wait_status)));
	} else {
		ret = 1;
	}
	free(dir);
	free(exe);
	return ret;
}
