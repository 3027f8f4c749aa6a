// SPDX-License-Identifier: MIT
/*
 * cli: rewind's entry point and command table.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define REWIND_VERSION "0.1.0"

const struct cli_cmd cli_cmds[] = {
	{ "record", cmd_record, "run a program and record its execution",
	  "usage: rewind record [-o DIR] [-w] [-c USEC] [--chaos] [--] PROGRAM [ARGS...]\n"
	  "\n"
	  "Run PROGRAM under the recorder, with every thread and process it starts.\n"
	  "Its output passes through; rewind exits with its exit status, or 128+N if\n"
	  "it was killed by signal N. One thread runs at a time; a thread that\n"
	  "computes without syscalls while another could run is preempted.\n"
	  "\n"
	  "  -o, --output DIR       write the trace to DIR (must not exist)\n"
	  "  -w, --wait             wait for every process to exit, not only the first\n"
	  "                         (otherwise the rest are killed when it exits)\n"
	  "  -c, --slice USEC       preempt after USEC microseconds (default 50000)\n"
	  "      --chaos            randomize slices and thread choices, to record rare\n"
	  "                         interleavings (replay stays exact)\n"
	  "  -h, --help             show this help\n"
	  "\n"
	  "Traces go to $REWIND_TRACE_DIR, else $XDG_DATA_HOME/rewind, else\n"
	  "~/.local/share/rewind, named <program>-<N>; latest-trace points at the newest.\n" },
	{ "replay", cmd_replay, "replay a recorded execution",
	  "usage: rewind replay [-a] [-M] [-g EVENT] [-p PID|NAME] [-s PORT] [TRACE]\n"
	  "                     [-- GDB-ARGS...]\n"
	  "\n"
	  "Replay TRACE (a path or a name under the trace directory; default:\n"
	  "latest-trace) under gdb, which starts at the beginning of the recording.\n"
	  "\n"
	  "  -a, --autopilot   replay without a debugger: write the bytes the program\n"
	  "                    wrote to stdout/stderr, exit with its recorded status\n"
	  "  -M, --mark-stdio  prefix each stdout/stderr write with [rewind PID EVENT]\n"
	  "  -g, --goto EVENT  start debugging when EVENT is the next event\n"
	  "  -p, --onprocess PID|NAME  debug that process (rewind ps lists them),\n"
	  "                    from its first exec (for a NAME, from the exec of NAME);\n"
	  "                    the others replay without stopping\n"
	  "  -s, --dbgport PORT  serve gdb on 127.0.0.1:PORT instead of starting it\n"
	  "  -h, --help        show this help\n"
	  "\n"
	  "Arguments after -- go to gdb, e.g. rewind replay -- -batch -x script.gdb\n" },
	{ "dump", cmd_dump, "print the events of a trace",
	  "usage: rewind dump [-m] [-s] [TRACE] [N | A-B]\n"
	  "\n"
	  "Print one line per event: number, tid, kind, details (for syscalls the\n"
	  "name, arguments and result). N prints one event, A-B a range.\n"
	  "\n"
	  "  -m, --memory      also list the memory written and the mappings\n"
	  "  -s, --stats       print statistics instead of events\n"
	  "  -h, --help        show this help\n" },
	{ "ps", cmd_ps, "list the processes of a trace",
	  "usage: rewind ps [TRACE]\n\nOne line per recorded process: PID, PPID (-- for the first), "
	  "exit status\n(-N: killed by signal N; none: the recording was cut short) and command.\n" },
	{ "ls", cmd_ls, "list traces",
	  "usage: rewind ls\n\nList the traces in the trace directory, newest last.\n" },
	{ "rm", cmd_rm, "delete traces",
	  "usage: rewind rm NAME...\n\nDelete the named traces from the trace directory.\n" },
	{ "help", cmd_help, "show help for a command",
	  "usage: rewind help [COMMAND]\n" },
	{ 0 },
};

static void main_usage(FILE *f)
{
	fprintf(f, "usage: rewind COMMAND [ARGS...]\n\n"
		   "rewind records a program's execution and replays it exactly.\n\n"
		   "commands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'rewind help COMMAND' for a command's options.\n");
}

const struct cli_cmd *cli_find(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void cli_print_help(const struct cli_cmd *cmd)
{
	fputs(cmd->usage, stdout);
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'rewind help %s')\n", cmd->name);
	return 1;
}

bool cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cli_print_help(cmd);
		return true;
	}
	return false;
}

int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *c;
	if (argc < 2) {
		main_usage(stdout);
		return 0;
	}
	c = cli_find(argv[1]);
	if (!c)
		return error("unknown command '%s'", argv[1]) ? 1 : 1;
	cli_print_help(c);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;
	log_init();
	if (argc < 2) {
		main_usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		main_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("rewind %s\n", REWIND_VERSION);
		return 0;
	}
	c = cli_find(argv[1]);
	if (!c) {
		error("unknown command '%s' (see 'rewind --help')", argv[1]);
		return 1;
	}
	return c->fn(argc - 1, argv + 1);
}
