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

int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif /* REWIND_CLI_CLI_H */
