/* SPDX-License-Identifier: MIT */
/*
 * cli: the command line. One file per command; each cmd_*() returns the
 * process exit status. Errors are printed here (one line) and nowhere below.
 */
#ifndef REWIND_CLI_CLI_H
#define REWIND_CLI_CLI_H

#include "base/base.h"

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage; /* full help text */
};

extern const struct cli_cmd cli_cmds[];
const struct cli_cmd *cli_find(const char *name);
/* Print the usage of cmd to stdout (help) or a hint to stderr (misuse) and return 1. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...) PRINTF(2, 3);
void cli_print_help(const struct cli_cmd *cmd);
/* True if argv[1] is -h/--help; prints help. */
bool cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv);

/* traces.c: where traces live. All returned strings: caller frees. */
char *cli_trace_root(bool create);
/* Resolve a TRACE argument (path, name under the root, or NULL for latest-trace). */
char *cli_resolve_trace(const char *arg);
/* Reserve a fresh <exe>-<N> directory under the root. */
char *cli_new_trace_dir(const char *exe, const char **ret_err);
int cli_set_latest(const char *dir);
/* The exit status that mirrors a wait status: code, or 128+signal. */
int cli_exit_code(int wait_status);
/* The processes of a trace, in order of creation (cmd_ps.c). */
struct trace_reader;
struct cli_proc {
	int32_t pid, ppid;     /* recorded; ppid 0 for the initial process */
	char status[16];       /* exit as rr prints it, "none" if not seen */
	char *cmd;             /* its last command line */
	uint64_t first_event;  /* its first event (after its creation) */
	uint64_t exec_event;   /* its first exec, 0 if none */
	uint64_t cmd_event;    /* the exec that made cmd its command, 0 if none */
};
/* Read the rest of the trace: 0 or -1 (trace_reader_error() says why). Free with cli_procs_free. */
int cli_read_procs(struct trace_reader *rd, struct cli_proc **ret, size_t *ret_n);
void cli_procs_free(struct cli_proc *p, size_t n);

int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif /* REWIND_CLI_CLI_H */
