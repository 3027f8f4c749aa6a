// SPDX-License-Identifier: MIT
/*
 * cli: rewind replay.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "replay/replay.h"
#include "task/task.h"

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "autopilot", no_argument, NULL, 'a' },
		{ "mark-stdio", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_cmd *self = cli_find("replay");
	struct rep_opts ro = { 0 };
	struct rep_result res;
	bool autopilot = false;
	char *trace, *self_exe;
	const char *arg = NULL;
	int c, ret;

	/* Everything after "--" is for gdb. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			argc = i;
			break;
		}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "aMh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			autopilot = true;
			break;
		case 'M':
			ro.mark = true;
			break;
		case 'h':
			cli_print_help(self);
			return 0;
		default:
			return cli_usage_error(self, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		arg = argv[optind++];
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	if (!autopilot)
		return error("debugging a replay under gdb is not available yet; use "
			     "'rewind replay -a' to replay without a debugger") ? 1 : 1;
	trace = cli_resolve_trace(arg);
	self_exe = realpath("/proc/self/exe", NULL);
	if (!self_exe) {
		free(trace);
		return error("cannot find rewind's own executable") ? 1 : 1;
	}
	ro.trace_dir = trace;
	ro.echo = true;
	ro.self_exe = self_exe;
	ret = rep_run(&ro, &res);
	if (ret == 0 && WIFSIGNALED(res.wait_status))
		error("'%s' was killed by %s", res.prog ? res.prog : "?",
		      signal_name(WTERMSIG(res.wait_status)));
	ret = ret < 0 ? 1 : cli_exit_code(res.wait_status);
	free(res.prog);
	free(trace);
	free(self_exe);
	return ret;
}
