// SPDX-License-Identifier: MIT
/*
 * replay: the replayer's top loop; see replay.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "record/record.h"
#include "syscalls/syscalls.h"
#include "task/task.h"
#include "trace/trace.h"
#include "replay/replay.h"


struct replayer {
	const struct rep_opts *o;
	struct trace_reader *rd;
	struct task t;
	struct trace_event ev;
	int deliver_sig; /* passed with the next resume */
	uint64_t brk_cur;
	int32_t rec_pid;
	struct sc_stdio stdio;
	struct buf tmp;
};

static struct replayer *bug_rep;

static void rep_bug_context(void)
{
	struct replayer *r = bug_rep;
	if (r)
		fprintf(stderr, "  replayer: event %llu (%s), tid %d, stop %s\n",
			(unsigned long long)r->ev.num, trace_ev_kind_name(r->ev.kind),
			(int)r->t.tid, task_stop_name(r->t.stop));
}

static int diverged(struct replayer *r, const char *fmt, ...) PRINTF(2, 3);
static int diverged(struct replayer *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error("replay diverged at event %llu (tid %d): %s", (unsigned long long)r->ev.num,
		     (int)r->rec_pid, msg);
}

static int check_regs(struct replayer *r, const struct user_regs_struct *want)
{
	struct user_regs_struct *have;
	if (task_regs(&r->t, &have))
		return diverged(r, "the tracee vanished");
	for (unsigned i = 0; i < TASK_NREGS; i++) {
		uint64_t h = *task_reg_ptr(have, i), w = *task_reg_ptr((void *)want, i);
		if (h != w)
			return diverged(r, "%s 0x%llx != 0x%llx (recorded)", task_reg_name(i),
					(unsigned long long)h, (unsigned long long)w);
	}
	return 0;
}

static const char *stop_desc(struct replayer *r)
{
	static char buf[96];
	struct user_regs_struct *regs;
	switch (r->t.stop) {
	case TS_SIGNAL:
		snprintf(buf, sizeof(buf), "a %s", signal_name(r->t.sig));
		return buf;
	case TS_SYSEMU_ENTRY:
	case TS_SYSCALL_ENTRY:
		if (task_regs(&r->t, &regs))
			return "a syscall";
		snprintf(buf, sizeof(buf), "syscall %s", sc_name((long)regs->orig_rax));
		return buf;
	case TS_EXITED:
		return "the program's exit";
	default:
		return task_stop_name(r->t.stop);
	}
}

/*
 * Resume towards the next event. PTRACE_SYSCALL from a SYSEMU entry first
 * reports the exit of the skipped syscall: step over it.
 */
static int advance(struct replayer *r, enum task_resume how)
{
	int sig = r->deliver_sig, err;
	r->deliver_sig = 0;
	if (how == TR_SYSCALL && r->t.stop == TS_SYSEMU_ENTRY) {
		err = task_step(&r->t, TR_SYSCALL, 0);
		if (err)
			return err;
		if (r->t.stop != TS_SYSCALL_EXIT)
			return -EPROTO;
	}
	return task_step(&r->t, how, sig);
}

static int expect(struct replayer *r, enum task_resume how, enum task_stop want, const char *what)
{
	int err = advance(r, how);
	if (err == -ESRCH || err == -ECHILD)
		return diverged(r, "the tracee vanished");
	if (err == -EPROTO)
		return diverged(r, "unexpected stop before %s", what);
	if (err)
		return error("ptrace failed at event %llu: %s", (unsigned long long)r->ev.num,
			     strerror(-err));
	if (r->t.stop != want)
		return diverged(r, "expected %s, got %s", what, stop_desc(r));
	return 0;
}

static int remote(struct replayer *r, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		  uint64_t a4, uint64_t a5, int64_t *ret)
{
	uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	int err = task_remote_syscall(&r->t, nr, args, ret);
	if (err)
		return error("cannot run %s in the tracee at event %llu: %s", sc_name(nr),
			     (unsigned long long)r->ev.num, strerror(-err));
	return 0;
}

/* Map one recorded mapping at its recorded address. */
static int map_one(struct replayer *r, const struct trace_map *m, uint64_t flags)
{
	uint64_t len = m->end - m->start;
	int64_t ret, fd = -1;
	int err;

	if (m->kind == MAPK_FILE && m->file) {
		char *path = trace_file_path(r->rd, m->file);
		size_t n = strlen(path) + 1;
		if (n > REWIND_PAGE_SIZE - 0x100) {
			free(path);
			return error("trace path too long: '%s'", trace_reader_dir(r->rd));
		}
		err = task_write(&r->t, REWIND_PAGE_SCRATCH, path, n);
		free(path);
		if (err)
			return error("cannot write to the tracee: %s", strerror(-err));
		err = remote(r, SYS_openat, (uint64_t)AT_FDCWD, REWIND_PAGE_SCRATCH,
			     O_RDONLY | O_CLOEXEC, 0, 0, 0, &fd);
		if (err)
			return err;
		if (fd < 0)
			return error("cannot open the saved file '%s' of trace '%s': %s", m->file,
				     trace_reader_dir(r->rd), strerror((int)-fd));
		flags = (flags & ~(uint64_t)(MAP_SHARED | MAP_SHARED_VALIDATE | MAP_ANONYMOUS)) |
			MAP_PRIVATE;
	} else {
		flags |= MAP_ANONYMOUS;
	}
	flags &= ~(uint64_t)(MAP_FIXED_NOREPLACE | MAP_POPULATE | MAP_LOCKED);
	flags |= MAP_FIXED;
	err = remote(r, SYS_mmap, m->start, len, m->prot, flags, (uint64_t)fd,
		     m->kind == MAPK_FILE ? m->offset : 0, &ret);
	if (fd >= 0) {
		int64_t ignored;
		int e2 = remote(r, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0, &ignored);
		err = err ? err : e2;
	}
	if (err)
		return err;
	if ((uint64_t)ret != m->start)
		return diverged(r, "mmap at 0x%llx failed: %s", (unsigned long long)m->start,
				ret < 0 ? strerror((int)-ret) : "moved");
	if (m->data_len) {
		err = task_write(&r->t, m->start, m->data, m->data_len);
		if (err)
			return error("cannot write to the tracee: %s", strerror(-err));
	}
	return 0;
}

/* After a real exec: replace the fresh address space with the recorded one. */
static int rebuild(struct replayer *r)
{
	struct task_map *tm;
	size_t n;
	int64_t ret;
	int err;

	err = task_to_exit_stop(&r->t);
	if (err)
		return error("cannot stop the new program after exec: %s", strerror(-err));
	err = rec_map_rewind_page(&r->t);
	if (err)
		return error("cannot map the rewind page at 0x%llx: %s",
			     (unsigned long long)REWIND_PAGE_ADDR, strerror(-err));
	err = task_read_maps(&r->t, &tm, &n);
	if (err)
		return error("cannot read the tracee's mappings: %s", strerror(-err));
	for (size_t i = 0; i < n && !err; i++) {
		if (tm[i].start == REWIND_PAGE_ADDR || !strcmp(tm[i].path, "[vsyscall]"))
			continue;
		err = remote(r, SYS_munmap, tm[i].start, tm[i].end - tm[i].start, 0, 0, 0, 0,
			     &ret);
	}
	task_maps_free(tm, n);
	if (err)
		return err;
	for (uint32_t i = 0; i < r->ev.nmaps && !err; i++) {
		const struct trace_map *m = &r->ev.maps[i];
		if (m->start == REWIND_PAGE_ADDR)
			continue;
		err = map_one(r, m, m->flags);
	}
	if (err)
		return err;
	task_set_regs(&r->t, &r->ev.regs);
	r->brk_cur = 0;
	return 0;
}

static int replay_mmap(struct replayer *r, const struct trace_event *ev)
{
	const struct user_regs_struct *a = &ev->regs;
	int64_t ret;
	int err;

	if (ev->ret < 0 && ev->nr != SYS_brk)
		return 0;
	switch (ev->nr) {
	case SYS_mmap: {
		struct trace_map m = {
			.start = (uint64_t)ev->ret, .end = (uint64_t)ev->ret + ALIGN_UP(a->rsi, 4096ull),
			.prot = (uint32_t)a->rdx, .kind = MAPK_ANON,
		};
		if (ev->nmaps)
			m = ev->maps[0];
		return map_one(r, &m, a->r10);
	}
	case SYS_mremap: {
		uint64_t flags = a->r10, to = (uint64_t)ev->ret;
		if (to != a->rdi)
			flags |= MREMAP_MAYMOVE | MREMAP_FIXED;
		else
			flags &= ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED);
		err = remote(r, SYS_mremap, a->rdi, a->rsi, a->rdx, flags, to, 0, &ret);
		if (err)
			return err;
		if (ret != ev->ret)
			return diverged(r, "mremap gave 0x%llx, recorded 0x%llx",
					(unsigned long long)ret, (unsigned long long)ev->ret);
		return 0;
	}
	case SYS_brk: {
		uint64_t want = (uint64_t)ev->ret, cur = r->brk_cur;
		uint64_t lo = ALIGN_UP(cur, 4096ull), hi = ALIGN_UP(want, 4096ull);
		r->brk_cur = want;
		if (!cur || lo == hi)
			return 0;
		if (hi > lo) {
			struct trace_map m = { .start = lo, .end = hi,
					       .prot = PROT_READ | PROT_WRITE, .kind = MAPK_ANON };
			return map_one(r, &m, MAP_PRIVATE);
		}
		return remote(r, SYS_munmap, hi, lo - hi, 0, 0, 0, 0, &ret);
	}
	}
	return 0;
}

static void echo_bytes(struct replayer *r, int fd, const void *p, size_t n)
{
	const char *c = p;
	if (r->o->mark) {
		char mark[64];
		int k = snprintf(mark, sizeof(mark), "[rewind %d %llu] ", (int)r->rec_pid,
				 (unsigned long long)r->ev.num);
		(void)!write(fd, mark, (size_t)k);
	}
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

/* The program wrote to its stdout or stderr: write the same bytes to ours. */
static void echo_write(struct replayer *r, const struct trace_event *ev)
{
	const struct user_regs_struct *a = &ev->regs;
	uint64_t fd = a->rdi, left = (uint64_t)ev->ret;
	int out;

	if (!r->o->echo || ev->ret <= 0 || !(out = sc_stdio_of(&r->stdio, fd)))
		return;
	buf_reset(&r->tmp);
	if (ev->nr == SYS_write || ev->nr == SYS_pwrite64) {
		void *dst = buf_append_space(&r->tmp, left);
		if (task_read(&r->t, a->rsi, dst, left))
			return;
	} else {
		uint64_t cnt = MIN(a->rdx, 1024ull);
		for (uint64_t i = 0; i < cnt && left; i++) {
			struct iovec iov;
			if (task_read(&r->t, a->rsi + i * sizeof(iov), &iov, sizeof(iov)))
				return;
			uint64_t k = MIN((uint64_t)iov.iov_len, left);
			void *dst = buf_append_space(&r->tmp, k);
			if (task_read(&r->t, (uint64_t)iov.iov_base, dst, k))
				return;
			left -= k;
		}
	}
	echo_bytes(r, out, r->tmp.data, r->tmp.len);
}

/* Keep track of which tracee fds are the recording's stdout and stderr. */
static void track_fds(struct replayer *r, const struct sc_desc *d, const struct trace_event *ev)
{
	const struct user_regs_struct *a = &ev->regs;
	uint64_t args[6] = { a->rdi, a->rsi, a->rdx, a->r10, a->r8, a->r9 };
	uint64_t at = ev->nr == SYS_socketpair ? a->r10 : a->rdi;
	int fds[2];
	const int *pair = NULL;
	if (ev->nr == SYS_pipe || ev->nr == SYS_pipe2 || ev->nr == SYS_socketpair)
		for (uint32_t i = 0; i < ev->nmem; i++)
			if (ev->mem[i].addr == at && ev->mem[i].len >= sizeof(fds)) {
				memcpy(fds, ev->mem[i].data, sizeof(fds));
				pair = fds;
			}
	if ((ev->flags & EVF_ECHO) && ev->nmem && r->o->echo) {
		const struct trace_mem *m = &ev->mem[ev->nmem - 1];
		int out = sc_stdio_of(&r->stdio, ev->nr == SYS_sendfile ? args[0] : args[2]);
		if (out)
			echo_bytes(r, out, m->data, m->len);
	}
	sc_stdio_update(&r->stdio, d, args, ev->ret, pair);
}

static int write_outputs(struct replayer *r, const struct trace_event *ev)
{
	uint32_t n = ev->nmem - ((ev->flags & EVF_ECHO) && ev->nmem ? 1 : 0);
	for (uint32_t i = 0; i < n; i++) {
		int err = task_write(&r->t, ev->mem[i].addr, ev->mem[i].data, ev->mem[i].len);
		if (err)
			return diverged(r, "cannot write %llu recorded bytes at 0x%llx: %s",
					(unsigned long long)ev->mem[i].len,
					(unsigned long long)ev->mem[i].addr, strerror(-err));
	}
	return 0;
}

/*
 * Resource limits are kernel state that changes what the program does
 * (RLIMIT_STACK decides when a deep recursion faults): apply the recorded
 * program's own successful setrlimit/prlimit64 calls for real. Not
 * RLIMIT_CORE: replay writes no core files.
 */
static int apply_rlimit(struct replayer *r, const struct trace_event *ev)
{
	const struct user_regs_struct *a = &ev->regs;
	uint64_t res, newp;
	int64_t ret;
	if (ev->ret != 0)
		return 0;
	if (ev->nr == SYS_setrlimit) {
		res = a->rdi;
		newp = a->rsi;
	} else if (ev->nr == SYS_prlimit64 && (a->rdi == 0 || a->rdi == (uint64_t)r->rec_pid)) {
		res = a->rsi;
		newp = a->rdx;
	} else {
		return 0;
	}
	if (!newp || res == RLIMIT_CORE)
		return 0;
	return remote(r, SYS_prlimit64, 0, res, newp, 0, 0, 0, &ret);
}

static int replay_syscall(struct replayer *r)
{
	struct trace_event *ev = &r->ev;
	const struct sc_desc *d = sc_lookup((long)ev->nr);
	struct user_regs_struct *regs;
	enum sc_replay how;
	int err;

	if (!d)
		return diverged(r, "the trace names unknown syscall %lld", (long long)ev->nr);
	how = (enum sc_replay)d->replay;
	if ((ev->flags & EVF_FORCED) || (how == SC_EXECVE && ev->ret != 0))
		how = SC_EMU;
	switch (how) {
	case SC_EMU:
	case SC_MMAP:
		err = expect(r, TR_SYSEMU, TS_SYSEMU_ENTRY, d->name);
		if (!err)
			err = check_regs(r, &ev->regs);
		if (err || (ev->flags & EVF_NO_RETURN))
			return err; /* the process died in it: the exit event follows */
		if (how == SC_EMU)
			err = apply_rlimit(r, ev);
		if (!err && how == SC_MMAP)
			err = replay_mmap(r, ev);
		if (err)
			return err;
		err = task_regs(&r->t, &regs);
		if (err)
			return diverged(r, "the tracee vanished");
		if (ev->flags & EVF_EXIT_REGS) {
			task_set_regs(&r->t, &ev->exit_regs);
		} else {
			regs->rax = (uint64_t)ev->ret;
			task_set_regs(&r->t, regs);
		}
		err = write_outputs(r, ev);
		if (err)
			return err;
		if (d->flags & SC_WRITES_FD)
			echo_write(r, ev);
		track_fds(r, d, ev);
		return 0;
	case SC_EXEC:
	case SC_SIGRETURN:
		err = expect(r, TR_SYSCALL, TS_SYSCALL_ENTRY, d->name);
		if (!err)
			err = check_regs(r, &ev->regs);
		if (!err)
			err = expect(r, TR_SYSCALL, TS_SYSCALL_EXIT, d->name);
		if (err)
			return err;
		if (how == SC_SIGRETURN)
			return check_regs(r, &ev->exit_regs);
		err = task_regs(&r->t, &regs);
		if (err)
			return diverged(r, "the tracee vanished");
		if ((int64_t)regs->rax != ev->ret)
			return diverged(r, "%s returned %lld, recorded %lld", d->name,
					(long long)regs->rax, (long long)ev->ret);
		return write_outputs(r, ev);
	case SC_EXIT:
		err = expect(r, TR_SYSCALL, TS_SYSCALL_ENTRY, d->name);
		return err ? err : check_regs(r, &ev->regs);
	case SC_EXECVE: {
		char *self = xstrdup(r->o->self_exe);
		err = expect(r, TR_SYSCALL, TS_SYSCALL_ENTRY, d->name);
		if (!err)
			err = check_regs(r, &ev->regs);
		if (!err)
			err = task_write(&r->t, REWIND_PAGE_SCRATCH, self, strlen(self) + 1) ?
				      error("cannot write to the tracee") : 0;
		free(self);
		if (err)
			return err;
		/* Exec our own binary: the recorded address space replaces it. */
		err = task_regs(&r->t, &regs);
		if (err)
			return diverged(r, "the tracee vanished");
		if (ev->nr == SYS_execveat) {
			regs->rdi = (uint64_t)AT_FDCWD;
			regs->rsi = REWIND_PAGE_SCRATCH;
			regs->r8 = 0;
		} else {
			regs->rdi = REWIND_PAGE_SCRATCH;
		}
		task_set_regs(&r->t, regs);
		err = expect(r, TR_SYSCALL, TS_EXEC, "exec");
		return err;
	}
	default:
		return diverged(r, "the trace holds unsupported syscall %s", d->name);
	}
}

static int replay_signal(struct replayer *r)
{
	struct trace_event *ev = &r->ev;
	int err;
	if (ev->sigkind == SIGK_BOUNDARY || ev->sigkind == SIGK_FATAL) {
		/* Inject it where the recording saw it: right after the last syscall. */
		r->deliver_sig = ev->sig;
		err = expect(r, r->t.stop == TS_SYSCALL_EXIT ? TR_SYSCALL : TR_SYSEMU, TS_SIGNAL,
			     signal_name(ev->sig));
	} else {
		err = expect(r, TR_SYSEMU, TS_SIGNAL, signal_name(ev->sig));
	}
	if (err)
		return err;
	if (r->t.sig != ev->sig)
		return diverged(r, "got %s, recorded %s", signal_name(r->t.sig),
				signal_name(ev->sig));
	if (ev->sigkind != SIGK_FATAL)
		err = check_regs(r, &ev->regs);
	if (err)
		return err;
	if (ev->sigkind != SIGK_SYNC && task_setsiginfo(&r->t, &ev->si))
		return diverged(r, "the tracee vanished");
	r->deliver_sig = ev->sig;
	return 0;
}

static int replay_rdtsc(struct replayer *r)
{
	struct trace_event *ev = &r->ev;
	struct user_regs_struct *regs;
	int err = expect(r, TR_SYSEMU, TS_SIGNAL, "rdtsc");
	if (err)
		return err;
	if (r->t.sig != SIGSEGV)
		return diverged(r, "got %s, recorded rdtsc", signal_name(r->t.sig));
	err = check_regs(r, &ev->regs);
	if (err || task_regs(&r->t, &regs))
		return err ? err : diverged(r, "the tracee vanished");
	regs->rax = ev->tsc[0];
	regs->rdx = ev->tsc[1];
	regs->rcx = ev->tsc[2];
	regs->rip += ev->insn_len;
	task_set_regs(&r->t, regs);
	return 0;
}

static int replay_exit(struct replayer *r)
{
	int st = r->ev.wait_status;
	/* SIGKILL has no delivery stop to reproduce: kill it where it died. */
	bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && r->t.stop != TS_EXITED;
	if (killed)
		kill(r->t.tid, SIGKILL);
	for (;;) {
		int err;
		if (killed) /* it left its stop: only waiting is left */
			err = r->t.stop == TS_EXIT_EVENT ? task_step(&r->t, TR_CONT, 0)
							 : task_wait(&r->t);
		else
			err = advance(r, r->t.stop == TS_SYSCALL_ENTRY ? TR_SYSCALL : TR_SYSEMU);
		if (err == -ESRCH || err == -ECHILD)
			return diverged(r, "the tracee vanished");
		if (err)
			return error("ptrace failed at event %llu: %s",
				     (unsigned long long)r->ev.num, strerror(-err));
		if (r->t.stop == TS_EXIT_EVENT)
			continue;
		if (r->t.stop != TS_EXITED)
			return diverged(r, "expected the program's exit, got %s", stop_desc(r));
		break;
	}
	int have = r->t.exit_status;
	if (WIFEXITED(st) != WIFEXITED(have) ||
	    (WIFEXITED(st) ? WEXITSTATUS(st) != WEXITSTATUS(have) : WTERMSIG(st) != WTERMSIG(have)))
		return diverged(r, "exit status 0x%x, recorded 0x%x", have, st);
	return 0;
}

int rep_run(const struct rep_opts *o, struct rep_result *res)
{
	struct replayer r = { .o = o };
	char *const argv[] = { (char *)"rewind-replayee", NULL };
	char *const envp[] = { NULL };
	struct task_spawn_opts so = { .path = o->self_exe, .argv = argv, .envp = envp,
				      .trap_tsc = true, .no_core = true, .quiet_stdio = true };
	int err, ret = -1, got;

	memset(res, 0, sizeof(*res));
	err = trace_reader_open(o->trace_dir, &r.rd);
	if (err)
		return error("%s", trace_reader_error(NULL));
	r.rec_pid = trace_reader_header(r.rd)->pid;
	if (trace_reader_header(r.rd)->argc)
		res->prog = xstrdup(trace_reader_header(r.rd)->argv[0]);
	sc_stdio_init(&r.stdio);
	got = trace_read_event(r.rd, &r.ev);
	if (got <= 0 || r.ev.kind != EV_EXEC) {
		if (got < 0)
			error("%s", trace_reader_error(r.rd));
		else
			error("trace '%s' holds no events", o->trace_dir);
		trace_reader_close(r.rd);
		return -1;
	}
	struct rlimit stack = { .rlim_cur = trace_reader_header(r.rd)->stack_cur,
				.rlim_max = trace_reader_header(r.rd)->stack_max };
	if (stack.rlim_cur) {
		struct rlimit ours;
		so.stack_limit = &stack;
		if (getrlimit(RLIMIT_STACK, &ours) == 0 && ours.rlim_max < stack.rlim_cur &&
		    setrlimit(RLIMIT_STACK, &stack) < 0) {
			warning("the recording ran with a stack limit of %llu KiB, above this "
				"shell's hard limit; deep recursion may replay differently",
				(unsigned long long)stack.rlim_cur / 1024);
			stack.rlim_cur = stack.rlim_max = ours.rlim_max;
		}
	}
	err = task_pin_cpu(NULL);
	if (err)
		warning("cannot pin to one CPU: %s", strerror(-err));
	err = task_spawn(&r.t, &so);
	if (err) {
		error("cannot start the replay: %s", strerror(-err));
		goto out;
	}
	log_tid = r.rec_pid;
	bug_rep = &r;
	bug_context = rep_bug_context;
	if (rebuild(&r))
		goto out_kill;
	for (;;) {
		got = trace_read_event(r.rd, &r.ev);
		if (got < 0) {
			error("%s", trace_reader_error(r.rd));
			goto out_kill;
		}
		if (got == 0) {
			error("trace ends at event %llu before the program exited "
			      "(the recording was cut short)", (unsigned long long)res->events);
			goto out_kill;
		}
		log_event = r.ev.num;
		switch (r.ev.kind) {
		case EV_SYSCALL:
			err = replay_syscall(&r);
			break;
		case EV_EXEC:
			err = r.t.stop == TS_EXEC ? rebuild(&r)
						  : diverged(&r, "exec in the trace, none in replay");
			break;
		case EV_SIGNAL:
			err = replay_signal(&r);
			break;
		case EV_RDTSC:
			err = replay_rdtsc(&r);
			break;
		case EV_EXIT:
			err = replay_exit(&r);
			if (!err) {
				res->wait_status = r.ev.wait_status;
				ret = 0;
				goto out;
			}
			break;
		default:
			err = diverged(&r, "unknown event kind %u", r.ev.kind);
		}
		res->events = r.ev.num;
		if (err)
			goto out_kill;
	}
out_kill:
	task_kill(&r.t);
out:
	res->events = r.ev.num;
	bug_context = NULL;
	bug_rep = NULL;
	task_release(&r.t);
	trace_reader_close(r.rd);
	buf_release(&r.tmp);
	return ret;
}
