// SPDX-License-Identifier: MIT
/*
 * cli: rewind dump — the events of a trace, one line each, or statistics.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "syscalls/syscalls.h"
#include "task/task.h"
#include "trace/trace.h"

static const char *errname(int e)
{
	switch (e) {
	case 512:
		return "ERESTARTSYS";
	case 513:
		return "ERESTARTNOINTR";
	case 514:
		return "ERESTARTNOHAND";
	case 516:
		return "ERESTART_RESTARTBLOCK";
	}
	return strerrorname_np(e) ? strerrorname_np(e) : "?";
}

static void print_event(const struct trace_event *ev, bool memory)
{
	printf("%" PRIu64 " %d %s", ev->num, (int)ev->tid, trace_ev_kind_name(ev->kind));
	switch (ev->kind) {
	case EV_SYSCALL: {
		const struct sc_desc *d = sc_lookup((long)ev->nr);
		const struct user_regs_struct *a = &ev->regs;
		uint64_t args[6] = { a->rdi, a->rsi, a->rdx, a->r10, a->r8, a->r9 };
		unsigned n = d ? d->nargs : 6;
		printf(" %s(", sc_name((long)ev->nr));
		for (unsigned i = 0; i < n && i < 6; i++)
			printf("%s0x%" PRIx64, i ? ", " : "", args[i]);
		if (ev->ret < 0 && ev->ret > -4096)
			printf(") = %" PRId64 " (%s)", ev->ret, errname((int)-ev->ret));
		else if (ev->ret > 0xffff)
			printf(") = 0x%" PRIx64, (uint64_t)ev->ret);
		else
			printf(") = %" PRId64, ev->ret);
		if (ev->flags & EVF_FORCED)
			printf(" [forced]");
		if (ev->flags & EVF_NO_RETURN)
			printf(" [did not return]");
		if (ev->flags & EVF_ENTERED)
			printf(" [entered earlier]");
		break;
	}
	case EV_CLONE:
		printf(" %s -> task %" PRId64 " (flags 0x%llx)", sc_name((long)ev->nr), ev->ret,
		       ev->nr == SYS_clone ? (unsigned long long)ev->regs.rdi : 0ull);
		break;
	case EV_ENTER:
		printf(" %s, blocked", sc_name((long)ev->nr));
		break;
	case EV_SCHED:
		printf(" preempted at rip=0x%llx", (unsigned long long)ev->regs.rip);
		break;
	case EV_EXEC:
		printf(" rip=0x%llx rsp=0x%llx maps=%u", (unsigned long long)ev->regs.rip,
		       (unsigned long long)ev->regs.rsp, ev->nmaps);
		break;
	case EV_SIGNAL:
		printf(" %s %s code=%d rip=0x%llx", signal_name(ev->sig),
		       ev->sigkind == SIGK_SYNC ? "fault" :
		       ev->sigkind == SIGK_FATAL ? "fatal-async" :
		       ev->sigkind == SIGK_STATE ? "in-user-code" : "at-syscall", ev->si.si_code,
		       (unsigned long long)ev->regs.rip);
		break;
	case EV_RDTSC:
		printf(" rip=0x%llx = 0x%" PRIx64, (unsigned long long)ev->regs.rip,
		       (ev->tsc[1] << 32) | ev->tsc[0]);
		break;
	case EV_EXIT:
		if (ev->flags & EVF_REPLACED)
			printf(" killed by another thread's execve, which takes over its tid");
		else if (WIFEXITED(ev->wait_status))
			printf(" status %d", WEXITSTATUS(ev->wait_status));
		else if (WIFSIGNALED(ev->wait_status))
			printf(" killed by %s", signal_name(WTERMSIG(ev->wait_status)));
		if (ev->flags & EVF_END)
			printf(" [end]");
		break;
	}
	putchar('\n');
	if (!memory)
		return;
	for (uint32_t i = 0; i < ev->nmem; i++) {
		if (ev->kind == EV_EXEC && !ev->mem[i].addr) {
			const char *a = ev->mem[i].data, *end = a + ev->mem[i].len;
			printf("    argv:");
			for (; a < end; a += strlen(a) + 1)
				printf(" %s", a);
			putchar('\n');
			continue;
		}
		printf("    wrote 0x%" PRIx64 " +%" PRIu64 "\n", ev->mem[i].addr, ev->mem[i].len);
	}
	for (uint32_t i = 0; i < ev->nmaps; i++) {
		const struct trace_map *m = &ev->maps[i];
		printf("    map 0x%" PRIx64 "-0x%" PRIx64 " %c%c%c %s off=0x%" PRIx64 " %s%s%s",
		       m->start, m->end, m->prot & 1 ? 'r' : '-', m->prot & 2 ? 'w' : '-',
		       m->prot & 4 ? 'x' : '-', trace_map_kind_name(m->kind), m->offset,
		       m->path ? m->path : "", m->file ? " <- files/" : "", m->file ? m->file : "");
		if (m->data_len)
			printf(" (%" PRIu64 " bytes saved)", m->data_len);
		putchar('\n');
	}
}

struct stats {
	uint64_t kinds[EV__COUNT];
	uint64_t syscalls[SC_MAX_NR];
	uint64_t bytes, maps, points;
};

static void print_stats(const struct stats *s, uint64_t events)
{
	printf("events: %" PRIu64 "\n", events);
	for (int k = 1; k < EV__COUNT; k++)
		printf("  %-8s %" PRIu64 "\n", trace_ev_kind_name((uint32_t)k), s->kinds[k]);
	printf("memory written by the kernel: %" PRIu64 " bytes\n", s->bytes);
	printf("mappings: %" PRIu64 "\n", s->maps);
	printf("state-identified points: %" PRIu64 "\n", s->points);
	printf("syscalls:\n");
	for (int i = 0; i < SC_MAX_NR; i++)
		if (s->syscalls[i])
			printf("  %-20s %" PRIu64 "\n", sc_name(i), s->syscalls[i]);
}

static bool parse_range(const char *s, uint64_t *lo, uint64_t *hi)
{
	const char *dash = strchr(s, '-');
	if (!dash)
		return parse_u64(s, lo) && (*hi = *lo, true);
	char *a = strndup(s, (size_t)(dash - s));
	bool ok = a && parse_u64(a, lo) && parse_u64(dash + 1, hi) && *lo <= *hi;
	free(a);
	return ok;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", no_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_cmd *self = cli_find("dump");
	bool memory = false, stats = false;
	uint64_t lo = 0, hi = UINT64_MAX;
	const char *arg = NULL;
	struct trace_reader *rd;
	struct trace_event ev;
	struct stats *st = NULL;
	char *trace;
	int c, got, ret = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "msh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			memory = true;
			break;
		case 's':
			stats = true;
			break;
		case 'h':
			cli_print_help(self);
			return 0;
		default:
			return cli_usage_error(self, "unknown option '%s'", argv[optind - 1]);
		}
	}
	/* [TRACE] [N | A-B]: a lone numeric argument is a range only if it is not a trace. */
	if (optind < argc && !(argc - optind == 1 && parse_range(argv[optind], &lo, &hi)))
		arg = argv[optind++];
	else if (optind < argc)
		optind++;
	if (optind < argc && !parse_range(argv[optind++], &lo, &hi))
		return cli_usage_error(self, "bad event range '%s'", argv[optind - 1]);
	if (optind < argc)
		return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
	trace = cli_resolve_trace(arg);
	if (trace_reader_open(trace, &rd)) {
		error("%s", trace_reader_error(NULL));
		free(trace);
		return 1;
	}
	if (stats)
		st = xcalloc(1, sizeof(*st));
	uint64_t last = 0;
	uint32_t last_kind = 0;
	bool last_end = false;
	while ((got = trace_read_event(rd, &ev)) > 0) {
		last = ev.num;
		last_kind = ev.kind;
		/* Version 1 traces have one task: its exit is the end. */
		last_end = (ev.flags & EVF_END) || trace_reader_version(rd) == 1;
		if (ev.num > hi)
			break;
		if (ev.num < lo)
			continue;
		if (st) {
			st->kinds[ev.kind]++;
			if (ev.kind == EV_SYSCALL && ev.nr >= 0 && ev.nr < SC_MAX_NR)
				st->syscalls[ev.nr]++;
			for (uint32_t i = 0; i < ev.nmem; i++)
				st->bytes += ev.mem[i].len;
			st->maps += ev.nmaps;
			st->points += (ev.kind == EV_SIGNAL && ev.sigkind == SIGK_STATE) ||
				      ev.kind == EV_SCHED;
		} else {
			print_event(&ev, memory);
		}
	}
	if (got < 0)
		ret = error("%s", trace_reader_error(rd)) ? 1 : 1;
	else if (got == 0 && hi == UINT64_MAX && !(last_kind == EV_EXIT && last_end)) {
		fflush(stdout);
		ret = error("trace ends at event %llu before the program exited (the recording "
			    "was cut short)", (unsigned long long)last) ? 1 : 1;
	}
	if (st) {
		print_stats(st, last);
		free(st);
	}
	fflush(stdout);
	trace_reader_close(rd);
	free(trace);
	return ret;
}
