// SPDX-License-Identifier: MIT
/*
 * cli: rewind replay — under gdb (the default), serving gdb on a port (-s),
 * or without a debugger (-a).
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
#include "gdbserver/gdbserver.h"
#include "replay/replay.h"
#include "task/task.h"
#include "trace/trace.h"

/* Find a program on PATH; caller frees. */
static char *which(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy = xstrdup(path && *path ? path : "/usr/bin:/bin"), *save = NULL, *found = NULL;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *c = xasprintf("%s/%s", d, prog);
		if (access(c, X_OK) == 0)
			found = c;
		else
			free(c);
	}
	free(copy);
	return found;
}

/*
 * The program gdb starts with (its symbols), as saved in the trace: the one
 * the debugged process (focus; 0: the initial one) last exec'd before
 * start_event, or its first if the debugger starts at the beginning.
 * Caller frees.
 */
static char *trace_program(const char *trace, int32_t focus, uint64_t start_event)
{
	struct trace_reader *rd;
	struct trace_event ev;
	char *exe = NULL;
	if (trace_reader_open(trace, &rd))
		return NULL;
	if (!focus)
		focus = trace_reader_header(rd)->pid;
	while (trace_read_event(rd, &ev) > 0 && (!start_event || ev.num < start_event)) {
		const char *name;
		if (ev.kind != EV_EXEC || ev.tid != focus)
			continue;
		name = trace_exec_program(trace_reader_header(rd), &ev);
		if (name) {
			free(exe);
			exe = trace_file_path(rd, name);
		}
		if (!start_event && exe)
			break;
	}
	if (!exe)
		exe = xstrdup(trace_reader_header(rd)->exe);
	trace_reader_close(rd);
	return exe;
}

static int serve_gdb(const struct gdb_opts *go, int port, bool serve_only, char **gdb_args,
		     int ngdb_args)
{
	char *gdb = NULL, *exe, target[64];
	int lfd, ret, st;
	pid_t pid = -1;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	if (!serve_only) {
		gdb = which("gdb");
		if (!gdb)
			return error("gdb is not installed (install the Debian package 'gdb'), or use "
				     "'rewind replay -a'") ? 1 : 1;
	}
	exe = trace_program(go->replay.trace_dir, go->replay.focus, go->start_event);
	if (!exe) {
		free(gdb);
		return error("%s", trace_reader_error(NULL)) ? 1 : 1;
	}
	lfd = gdb_listen(port, &port);
	if (lfd < 0) {
		free(gdb);
		free(exe);
		return error("cannot listen on 127.0.0.1:%d: %s", port, strerror(-lfd)) ? 1 : 1;
	}
	snprintf(target, sizeof(target), "target extended-remote 127.0.0.1:%d", port);
	if (serve_only) {
		printf("rewind: serving the replay on 127.0.0.1:%d; connect with:\n"
		       "  gdb -ex 'set sysroot /' -ex '%s' %s\n", port, target, exe);
		fflush(stdout);
	} else {
		/* gdb owns the terminal; Ctrl-C reaches us through it as a packet. */
		sigaction(SIGINT, &ign, &old);
		pid = fork();
		if (pid == 0) {
			char **argv = xcalloc((size_t)ngdb_args + 16, sizeof(char *));
			int n = 0;
			sigaction(SIGINT, &old, NULL);
			argv[n++] = (char *)"gdb";
			argv[n++] = (char *)"-q";
			argv[n++] = (char *)"-ex";
			argv[n++] = (char *)"set prompt (rewind) ";
			argv[n++] = (char *)"-ex";
			argv[n++] = (char *)"set sysroot /";
			argv[n++] = (char *)"-ex";
			argv[n++] = target;
			for (int i = 0; i < ngdb_args; i++)
				argv[n++] = gdb_args[i];
			argv[n++] = exe;
			execv(gdb, argv);
			fprintf(stderr, "rewind: cannot run '%s': %s\n", gdb, strerror(errno));
			_exit(127);
		}
		if (pid < 0) {
			close(lfd);
			free(gdb);
			free(exe);
			return error("cannot start gdb: %s", strerror(errno)) ? 1 : 1;
		}
	}
	ret = gdb_serve(lfd, go) ? 1 : 0;
	close(lfd);
	if (pid > 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!ret)
			ret = cli_exit_code(st);
	}
	free(gdb);
	free(exe);
	return ret;
}

/*
 * replay -p PID|NAME: the process with that recorded pid, or the first whose
 * command's program is NAME. The debugger starts after the exec of that
 * program for a NAME (`env prog`: prog's exec, not env's), after the
 * process's first exec for a PID (or its creation, if it never execs),
 * unless -g says where. 0 or -1 (reported).
 */
static int choose_process(const char *trace, const char *which, int32_t *ret_pid,
			  uint64_t *start_event)
{
	struct trace_reader *rd;
	struct cli_proc *procs, *found = NULL;
	size_t n;
	uint64_t v;
	bool numeric = parse_u64(which, &v);

	if (trace_reader_open(trace, &rd))
		return error("%s", trace_reader_error(NULL));
	if (cli_read_procs(rd, &procs, &n)) {
		error("%s", trace_reader_error(rd));
		trace_reader_close(rd);
		return -1;
	}
	trace_reader_close(rd);
	for (size_t i = 0; i < n && !found; i++) {
		char *prog = xstrdup(procs[i].cmd), *sp = strchr(prog, ' '), *base;
		if (sp)
			*sp = 0;
		base = strrchr(prog, '/');
		if (numeric ? procs[i].pid == (int32_t)v
			    : !strcmp(base ? base + 1 : prog, which) || !strcmp(prog, which))
			found = &procs[i];
		free(prog);
	}
	if (!found) {
		cli_procs_free(procs, n);
		return error("no process '%s' in trace '%s' (see rewind ps)", which, trace);
	}
	*ret_pid = found->pid;
	if (!*start_event && !numeric && found->cmd_event)
		*start_event = found->cmd_event + 1;
	else if (!*start_event)
		*start_event = found->exec_event ? found->exec_event + 1 : found->first_event;
	cli_procs_free(procs, n);
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "autopilot", no_argument, NULL, 'a' },
		{ "mark-stdio", no_argument, NULL, 'M' },
		{ "goto", required_argument, NULL, 'g' },
		{ "dbgport", required_argument, NULL, 's' },
		{ "onprocess", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_cmd *self = cli_find("replay");
	struct rep_opts ro = { 0 };
	struct rep_result res;
	struct gdb_opts go = { 0 };
	bool autopilot = false, serve_only = false;
	char *trace, *self_exe, **gdb_args = NULL;
	const char *arg = NULL, *onproc = NULL;
	int c, ret, ngdb_args = 0, port = 0;
	uint64_t v;

	/* Everything after "--" is for gdb. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			gdb_args = argv + i + 1;
			ngdb_args = argc - i - 1;
			argc = i;
			break;
		}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "aMg:s:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			autopilot = true;
			break;
		case 'M':
			ro.mark = true;
			break;
		case 'g':
			if (!parse_u64(optarg, &v) || !v)
				return cli_usage_error(self, "bad event number '%s'", optarg);
			go.start_event = v;
			break;
		case 'p':
			onproc = optarg;
			break;
		case 's':
			if (!parse_u64(optarg, &v) || v > 65535)
				return cli_usage_error(self, "bad port '%s'", optarg);
			port = (int)v;
			serve_only = true;
			break;
		case 'h':
			cli_print_help(self);
			return 0;
		case '?':
			if (optopt)
				return cli_usage_error(self, "option '-%c' needs an argument", optopt);
			return cli_usage_error(self, "unknown option '%s'", argv[optind - 1]);
		default:
			return cli_usage_error(self, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		arg = argv[optind++];
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	if (autopilot && (serve_only || go.start_event || ngdb_args || onproc))
		return cli_usage_error(self, "-a replays without gdb: -g, -p, -s and gdb arguments "
					     "do not apply");
	trace = cli_resolve_trace(arg);
	if (onproc && choose_process(trace, onproc, &ro.focus, &go.start_event)) {
		free(trace);
		return 1;
	}
	self_exe = realpath("/proc/self/exe", NULL);
	if (!self_exe) {
		free(trace);
		return error("cannot find rewind's own executable") ? 1 : 1;
	}
	ro.trace_dir = trace;
	ro.self_exe = self_exe;
	if (autopilot) {
		ro.echo = true;
		ret = rep_run(&ro, &res);
		if (ret == 0 && WIFSIGNALED(res.wait_status))
			error("'%s' was killed by %s", res.prog ? res.prog : "?",
			      signal_name(WTERMSIG(res.wait_status)));
		ret = ret < 0 ? 1 : cli_exit_code(res.wait_status);
		free(res.prog);
	} else {
		go.replay = ro;
		go.replay.echo = true;
		ret = serve_gdb(&go, port, serve_only, gdb_args, ngdb_args);
	}
	free(trace);
	free(self_exe);
	return ret;
}
