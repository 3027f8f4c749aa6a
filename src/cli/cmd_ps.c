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
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "trace/trace.h"

struct ps_task {
	int32_t tid, pid;
};

static struct cli_proc *proc_of(struct cli_proc *p, size_t n, int32_t pid)
{
	for (size_t i = n; i-- > 0;)
		if (p[i].pid == pid)
			return &p[i];
	return NULL;
}

static int32_t pid_of(const struct ps_task *t, size_t n, int32_t tid)
{
	for (size_t i = n; i-- > 0;)
		if (t[i].tid == tid)
			return t[i].pid;
	return tid;
}

static char *join_argv(const char *a, size_t len)
{
	struct buf b = BUF_INIT;
	for (const char *end = a + len; a < end; a += strlen(a) + 1)
		buf_printf(&b, "%s%s", b.len ? " " : "", a);
	char *s = xstrdup(buf_cstr(&b));
	buf_release(&b);
	return s;
}

int cli_read_procs(struct trace_reader *rd, struct cli_proc **ret, size_t *ret_n)
{
	const struct trace_header *h = trace_reader_header(rd);
	struct cli_proc *procs = NULL, *p;
	struct ps_task *tasks = NULL;
	size_t nprocs = 0, procs_alloc = 0, ntasks = 0, tasks_alloc = 0;
	struct trace_event ev;
	struct buf cmd = BUF_INIT;
	int got;

	for (uint32_t i = 0; i < h->argc; i++)
		buf_printf(&cmd, "%s%s", i ? " " : "", h->argv[i]);
	GROW(procs, procs_alloc, 1);
	procs[nprocs++] = (struct cli_proc){ .pid = h->pid, .status = "none", .first_event = 1,
					     .cmd = xstrdup(buf_cstr(&cmd)) };
	buf_release(&cmd);
	while ((got = trace_read_event(rd, &ev)) > 0) {
		int32_t pid = pid_of(tasks, ntasks, ev.tid);
		if (ev.kind == EV_CLONE) {
			bool thread = ev.nr == SYS_clone && (ev.regs.rdi & CLONE_THREAD);
			GROW(tasks, tasks_alloc, ntasks + 1);
			tasks[ntasks++] = (struct ps_task){ .tid = (int32_t)ev.ret,
							    .pid = thread ? pid : (int32_t)ev.ret };
			if (thread || !(p = proc_of(procs, nprocs, pid)))
				continue;
			char *c = xstrdup(p->cmd);
			GROW(procs, procs_alloc, nprocs + 1);
			procs[nprocs++] = (struct cli_proc){ .pid = (int32_t)ev.ret, .ppid = pid,
							     .status = "none", .cmd = c,
							     .first_event = ev.num + 1 };
		} else if (ev.kind == EV_EXEC && ev.nmem && !ev.mem[0].addr &&
			   (p = proc_of(procs, nprocs, pid))) {
			free(p->cmd);
			p->cmd = join_argv(ev.mem[0].data, ev.mem[0].len);
			if (!p->exec_event)
				p->exec_event = ev.num;
			p->cmd_event = ev.num;
		} else if (ev.kind == EV_EXIT && ev.tid == pid && !(ev.flags & EVF_REPLACED) &&
			   (p = proc_of(procs, nprocs, pid))) {
			if (WIFEXITED(ev.wait_status))
				snprintf(p->status, sizeof(p->status), "%d",
					 WEXITSTATUS(ev.wait_status));
			else if (WIFSIGNALED(ev.wait_status))
				snprintf(p->status, sizeof(p->status), "-%d",
					 WTERMSIG(ev.wait_status));
		}
	}
	free(tasks);
	if (got < 0) {
		cli_procs_free(procs, nprocs);
		return -1;
	}
	*ret = procs;
	*ret_n = nprocs;
	return 0;
}

void cli_procs_free(struct cli_proc *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].cmd);
	free(p);
}

int cmd_ps(int argc, char **argv)
{
	const struct cli_cmd *self = cli_find("ps");
	struct trace_reader *rd;
	struct cli_proc *procs;
	size_t nprocs;
	char *trace;
	int ret = 0;

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
	if (cli_read_procs(rd, &procs, &nprocs)) {
		ret = error("%s", trace_reader_error(rd)) ? 1 : 1;
	} else {
		printf("PID\tPPID\tEXIT\tCMD\n");
		for (size_t i = 0; i < nprocs; i++) {
			if (procs[i].ppid)
				printf("%d\t%d\t%s\t%s\n", (int)procs[i].pid, (int)procs[i].ppid,
				       procs[i].status, procs[i].cmd);
			else
				printf("%d\t--\t%s\t%s\n", (int)procs[i].pid, procs[i].status,
				       procs[i].cmd);
		}
		cli_procs_free(procs, nprocs);
	}
	trace_reader_close(rd);
	free(trace);
	return ret;
}
