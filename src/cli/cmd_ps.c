// SPDX-License-Identifier: MIT
/*
 * cli: rewind ps — the processes of a trace, one line each: PID, PPID,
 * exit status (a number, or -N for death by signal N, as rr prints it;
 * "none" for a recording cut short) and the command line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "trace/trace.h"

int cmd_ps(int argc, char **argv)
{
	const struct cli_cmd *self = cli_find("ps");
	const struct trace_header *h;
	struct trace_reader *rd;
	struct trace_event ev;
	struct buf cmd = BUF_INIT;
	char *trace, status[32] = "none";
	int got, ret = 0;

	if (cli_wants_help(self, argc, argv))
		return 0;
	if (argc > 2)
		return cli_usage_error(self, "unexpected argument '%s'", argv[2]);
	trace = cli_resolve_trace(argc > 1 ? argv[1] : NULL);
	if (trace_reader_open(trace, &rd)) {
		error("%s", trace_reader_error(NULL));
		free(trace);
		return 1;
	}
	h = trace_reader_header(rd);
	for (uint32_t i = 0; i < h->argc; i++)
		buf_printf(&cmd, "%s%s", i ? " " : "", h->argv[i]);
	while ((got = trace_read_event(rd, &ev)) > 0) {
		if (ev.kind != EV_EXIT)
			continue;
		if (WIFEXITED(ev.wait_status))
			snprintf(status, sizeof(status), "%d", WEXITSTATUS(ev.wait_status));
		else if (WIFSIGNALED(ev.wait_status))
			snprintf(status, sizeof(status), "-%d", WTERMSIG(ev.wait_status));
	}
	if (got < 0)
		ret = error("%s", trace_reader_error(rd)) ? 1 : 1;
	else
		printf("PID\tPPID\tEXIT\tCMD\n%d\t--\t%s\t%s\n", (int)h->pid, status, buf_cstr(&cmd));
	buf_release(&cmd);
	trace_reader_close(rd);
	free(trace);
	return ret;
}
