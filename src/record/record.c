// SPDX-License-Identifier: MIT
/*
 * record: the recorder's top loop. Every syscall is stopped at entry and
 * exit (PTRACE_SYSCALL); at exit its result, its register changes and the
 * memory the kernel wrote (from the syscall table) become one event.
 * Signals are classified: faults caused by an instruction are reproduced by
 * replay itself; a signal that finds the tracee at a syscall boundary is
 * injected there on replay; a signal that lands in user code is delivered
 * where it landed and recorded as a state-identified point (registers and a
 * memory digest), which replay finds again with a breakpoint on its rip; a
 * default-fatal one there is recorded as fatal (replay needs no point).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "record/record_int.h"

static struct recorder *bug_rec;

static void rec_bug_context(void)
{
	struct recorder *r = bug_rec;
	if (!r)
		return;
	fprintf(stderr, "  recorder: event %llu, tid %d, stop %s, rip 0x%llx\n",
		(unsigned long long)r->num, (int)r->t.tid, task_stop_name(r->t.stop),
		(unsigned long long)r->t.regs.rip);
}

static int add_out(struct sc_call *call, uint64_t addr, uint64_t len)
{
	struct recorder *r = call->priv;
	if (!len || !addr)
		return 0;
	if (len > (1ull << 32))
		len = 1ull << 32;
	GROW(r->mem, r->mem_alloc, r->nmem + 1);
	r->mem[r->nmem++] = (struct trace_mem){ .addr = addr, .len = len };
	return 0;
}

static int read_mem(struct sc_call *call, uint64_t addr, void *dst, size_t len)
{
	struct recorder *r = call->priv;
	return task_read(&r->t, addr, dst, len);
}

/*
 * Read the contents of the reported ranges. A range that is not wholly
 * readable keeps its readable prefix (page by page); a range nothing of
 * which is readable is dropped: the kernel cannot have written there.
 */
static void fetch_outputs(struct recorder *r)
{
	size_t keep = 0;
	buf_reset(&r->membuf);
	GROW(r->mem_off, r->mem_off_alloc, r->nmem);
	for (size_t i = 0; i < r->nmem; i++) {
		struct trace_mem m = r->mem[i];
		size_t start = r->membuf.len;
		unsigned char *dst = buf_append_space(&r->membuf, m.len);
		if (task_read(&r->t, m.addr, dst, m.len)) {
			uint64_t got = 0;
			while (got < m.len) {
				uint64_t chunk = MIN(4096 - ((m.addr + got) & 4095), m.len - got);
				if (task_read(&r->t, m.addr + got, dst + got, chunk))
					break;
				got += chunk;
			}
			m.len = got;
			r->membuf.len = start + got;
		}
		if (!m.len)
			continue;
		r->mem_off[keep] = start;
		r->mem[keep++] = m;
	}
	r->nmem = keep;
	for (size_t i = 0; i < r->nmem; i++)
		r->mem[i].data = r->membuf.data + r->mem_off[i];
}

static int write_event(struct recorder *r, struct trace_event *ev)
{
	ev->num = ++r->num;
	ev->tid = r->t.tid;
	log_event = r->num;
	int err = trace_write_event(r->w, ev);
	if (err)
		return error("cannot write the trace in '%s': %s", trace_writer_dir(r->w),
			     strerror(-err));
	return 0;
}

static void new_event(struct recorder *r, uint32_t kind)
{
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.kind = kind;
	r->nmem = 0;
	rec_maps_reset(r);
}

static int record_exec(struct recorder *r)
{
	struct user_regs_struct *regs;
	struct task_map *tm;
	size_t n;
	int err;

	err = rec_map_rewind_page(&r->t);
	if (err)
		return error("cannot set up the new address space: %s", strerror(-err));
	err = task_read_maps(&r->t, &tm, &n);
	if (err)
		return error("cannot read the new address space: %s", strerror(-err));
	for (size_t i = 0; !err && i < n; i++)
		if (!strcmp(tm[i].path, "[vdso]"))
			err = rec_patch_vdso(&r->t, tm[i].start, tm[i].end);
	task_maps_free(tm, n);
	if (err)
		return error("cannot patch the vDSO: %s", strerror(-err));
	new_event(r, EV_EXEC);
	err = rec_snapshot_exec(r);
	if (err)
		return error("cannot save the address space after exec: %s", strerror(-err));
	err = task_regs(&r->t, &regs);
	if (err)
		return error("tracee vanished after exec");
	r->ev.regs = *regs;
	r->ev.maps = r->maps;
	r->ev.nmaps = (uint32_t)r->nmaps;
	err = write_event(r, &r->ev);
	r->boundary_regs = *regs;
	r->boundary_valid = true;
	return err;
}

static int on_syscall_entry(struct recorder *r)
{
	struct user_regs_struct *regs;
	const struct sc_desc *d;
	int err = task_regs(&r->t, &regs);
	if (err)
		return 0; /* vanished: the wait reports it */
	d = sc_lookup((long)regs->orig_rax);
	if (!d || d->replay == SC_UNSUPPORTED)
		return error("unsupported syscall %s (%lld) at event %llu",
			     sc_name((long)regs->orig_rax), (long long)regs->orig_rax,
			     (unsigned long long)r->num + 1);
	r->sc = d;
	r->entry_regs = *regs;
	r->forced = false;
	if (d->flags & SC_NO_RECORD_EXEC) {
		/* Not run: the kernel reports -ENOSYS at exit, as on a kernel without it. */
		regs->orig_rax = (uint64_t)-1;
		task_set_regs(&r->t, regs);
		r->forced = true;
		r->forced_ret = -ENOSYS;
	}
	if (d->replay == SC_EXIT) {
		/* No exit stop follows: the event is written now. */
		new_event(r, EV_SYSCALL);
		r->ev.regs = r->entry_regs;
		r->ev.exit_regs = r->entry_regs;
		r->ev.nr = d->nr;
		r->sc = NULL;
		return write_event(r, &r->ev);
	}
	return 0;
}

/* The two fds pipe/pipe2/socketpair wrote, from the recorded outputs. */
static const int *new_fd_pair(const struct trace_event *ev, uint64_t at, int *fds)
{
	for (uint32_t i = 0; i < ev->nmem; i++)
		if (ev->mem[i].addr == at && ev->mem[i].len >= 2 * sizeof(int)) {
			memcpy(fds, ev->mem[i].data, 2 * sizeof(int));
			return fds;
		}
	return NULL;
}

/*
 * sendfile and copy_file_range move file bytes to stdout without passing
 * through tracee memory: read them back from the source file so replay can
 * print them. Returns false if they could not be read.
 */
static bool capture_echo(struct recorder *r, int in_fd, uint64_t offp, int64_t n)
{
	char path[64];
	uint64_t end = 0;
	unsigned char *dst;
	int fd;
	ssize_t got;

	if (offp) {
		if (task_read(&r->t, offp, &end, sizeof(end)))
			return false;
	} else {
		FILE *f;
		char line[128];
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)r->t.tid, in_fd);
		f = fopen(path, "re");
		if (!f)
			return false;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "pos: %" SCNu64, &end) == 1)
				break;
		fclose(f);
	}
	if (end < (uint64_t)n)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)r->t.tid, in_fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	GROW(r->mem, r->mem_alloc, r->nmem + 1);
	GROW(r->mem_off, r->mem_off_alloc, r->nmem + 1);
	size_t off = r->membuf.len;
	dst = buf_append_space(&r->membuf, (size_t)n);
	got = pread(fd, dst, (size_t)n, (off_t)(end - (uint64_t)n));
	close(fd);
	if (got != n) {
		r->membuf.len = off;
		return false;
	}
	r->mem_off[r->nmem] = off;
	r->mem[r->nmem++] = (struct trace_mem){ .addr = 0, .len = (uint64_t)n };
	for (size_t i = 0; i < r->nmem; i++)
		r->mem[i].data = r->membuf.data + r->mem_off[i];
	return true;
}

static void track_stdio(struct recorder *r, const struct sc_desc *d, const uint64_t *args)
{
	struct trace_event *ev = &r->ev;
	int fds[2];
	const int *pair = NULL;
	int64_t ret = ev->ret;
	if (d->nr == SYS_pipe || d->nr == SYS_pipe2)
		pair = new_fd_pair(ev, args[0], fds);
	else if (d->nr == SYS_socketpair)
		pair = new_fd_pair(ev, args[3], fds);
	if (ret > 0 && ((d->nr == SYS_sendfile && sc_stdio_of(&r->stdio, args[0])) ||
			(d->nr == SYS_copy_file_range && sc_stdio_of(&r->stdio, args[2])) ||
			(d->nr == SYS_splice && sc_stdio_of(&r->stdio, args[2])))) {
		bool ok = d->nr == SYS_sendfile ? capture_echo(r, (int)args[1], args[2], ret)
						: capture_echo(r, (int)args[0], args[1], ret);
		if (ok) {
			ev->flags |= EVF_ECHO;
			ev->mem = r->mem;
			ev->nmem = (uint32_t)r->nmem;
		}
	}
	sc_stdio_update(&r->stdio, d, args, ret, pair);
}

static int on_syscall_exit(struct recorder *r)
{
	const struct sc_desc *d = r->sc;
	struct user_regs_struct *regs, cmp;
	struct sc_call call;
	const char *what = NULL;
	int err;

	r->sc = NULL;
	if (!d)
		return 0; /* the exit of a remote syscall or of the initial execve */
	err = task_regs(&r->t, &regs);
	if (err)
		return 0;
	new_event(r, EV_SYSCALL);
	r->ev.nr = d->nr;
	r->ev.ret = (int64_t)regs->rax;
	r->ev.regs = r->entry_regs;
	if (r->forced) {
		r->ev.flags |= EVF_FORCED;
		r->ev.ret = r->forced_ret;
		regs->rax = (uint64_t)r->forced_ret;
		regs->orig_rax = r->entry_regs.orig_rax;
		task_set_regs(&r->t, regs);
	}
	cmp = r->entry_regs;
	cmp.rax = regs->rax;
	if (memcmp(&cmp, regs, sizeof(cmp))) {
		r->ev.flags |= EVF_EXIT_REGS;
		r->ev.exit_regs = *regs;
	} else {
		r->ev.exit_regs = cmp;
	}
	if (d->replay == SC_SIGRETURN || (d->replay == SC_EXECVE && r->ev.ret == 0)) {
		/* The registers come from elsewhere; no memory written by the call itself. */
	} else {
		call = (struct sc_call){ .nr = d->nr, .ret = r->ev.ret, .priv = r,
					 .read = read_mem, .out = add_out };
		memcpy(call.args, &(uint64_t[6]){ r->entry_regs.rdi, r->entry_regs.rsi,
						  r->entry_regs.rdx, r->entry_regs.r10,
						  r->entry_regs.r8, r->entry_regs.r9 },
		       sizeof(call.args));
		err = sc_outputs(d, &call, &what);
		if (err == -ENOTSUP)
			return error("unsupported syscall %s (%s) at event %llu", d->name,
				     what ? what : "?", (unsigned long long)r->num + 1);
		fetch_outputs(r);
		r->ev.mem = r->mem;
		r->ev.nmem = (uint32_t)r->nmem;
		track_stdio(r, d, call.args);
	}
	if (d->nr == SYS_mmap && r->ev.ret >= 0 && !(r->entry_regs.r10 & MAP_ANONYMOUS)) {
		err = rec_mmap_file(r, (uint64_t)r->ev.ret, r->entry_regs.rsi, r->entry_regs.rdx,
				    r->entry_regs.r10, (int)r->entry_regs.r8, r->entry_regs.r9,
				    &what);
		if (err == -ENOTSUP)
			return error("unsupported syscall mmap (%s) at event %llu", what,
				     (unsigned long long)r->num + 1);
		if (err)
			return error("cannot save the file mapped at event %llu: %s",
				     (unsigned long long)r->num + 1, strerror(-err));
		r->ev.maps = r->maps;
		r->ev.nmaps = (uint32_t)r->nmaps;
	}
	err = write_event(r, &r->ev);
	if (err)
		return err;
	if (d->replay == SC_EXECVE && r->ev.ret == 0) {
		err = record_exec(r);
		if (err)
			return err;
	}
	err = task_regs(&r->t, &regs);
	if (err)
		return 0;
	r->boundary_regs = *regs;
	r->boundary_valid = true;
	return 0;
}

/* The process is dying. If inside a syscall (killed by SIGKILL, say), record that call. */
static int on_exit_event(struct recorder *r)
{
	if (!r->sc)
		return 0;
	new_event(r, EV_SYSCALL);
	r->ev.nr = r->sc->nr;
	r->ev.regs = r->entry_regs;
	r->ev.exit_regs = r->entry_regs;
	r->ev.flags = EVF_NO_RETURN;
	r->sc = NULL;
	return write_event(r, &r->ev);
}

/* rdtsc/rdtscp trap with SIGSEGV under PR_SET_TSC: run them here and record the result. */
static int try_rdtsc(struct recorder *r, const siginfo_t *si, bool *ret_handled)
{
	struct user_regs_struct *regs;
	unsigned char insn[3];
	uint32_t len = 0, aux = 0;
	uint64_t v;

	*ret_handled = false;
	if (si->si_signo != SIGSEGV || si->si_code != SI_KERNEL)
		return 0;
	if (task_regs(&r->t, &regs) || task_read(&r->t, regs->rip, insn, sizeof(insn)))
		return 0;
	if (insn[0] == 0x0f && insn[1] == 0x31)
		len = 2;
	else if (insn[0] == 0x0f && insn[1] == 0x01 && insn[2] == 0xf9)
		len = 3;
	else
		return 0;
	new_event(r, EV_RDTSC);
	r->ev.regs = *regs;
	v = len == 2 ? __rdtsc() : __rdtscp(&aux);
	regs->rax = v & 0xffffffffu;
	regs->rdx = v >> 32;
	if (len == 3)
		regs->rcx = aux;
	regs->rip += len;
	task_set_regs(&r->t, regs);
	r->ev.tsc[0] = regs->rax;
	r->ev.tsc[1] = regs->rdx;
	r->ev.tsc[2] = regs->rcx;
	r->ev.insn_len = len;
	r->boundary_valid = false;
	*ret_handled = true;
	return write_event(r, &r->ev);
}

static bool is_fault(const siginfo_t *si)
{
	switch (si->si_signo) {
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		return si->si_code > 0;
	default:
		return false;
	}
}

/* Signals whose default action ends the process. */
static bool default_is_fatal(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return false;
	default:
		return sig > 0 && sig < SIGRTMIN;
	}
}

/* The tracee's caught, ignored and blocked signal sets (bit sig-1). */
static void dispositions(struct recorder *r, uint64_t *caught, uint64_t *ignored,
			 uint64_t *blocked)
{
	char path[64], line[256];
	FILE *f;
	*caught = *ignored = *blocked = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)r->t.tid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		(void)(sscanf(line, "SigCgt: %" SCNx64, caught) ||
		       sscanf(line, "SigIgn: %" SCNx64, ignored) ||
		       sscanf(line, "SigBlk: %" SCNx64, blocked));
	}
	fclose(f);
}

/* Will delivering sig now kill the tracee? (no handler, not ignored, not blocked) */
static bool kills_now(struct recorder *r, int sig)
{
	uint64_t caught, ignored, blocked;
	if (!default_is_fatal(sig))
		return false;
	dispositions(r, &caught, &ignored, &blocked);
	return !((caught | ignored | blocked) & (1ull << (sig - 1)));
}

static bool has_handler(struct recorder *r, int sig)
{
	uint64_t caught, ignored, blocked;
	dispositions(r, &caught, &ignored, &blocked);
	return sig > 0 && sig <= 64 && (caught & (1ull << (sig - 1)));
}

/*
 * After a single step that delivered a caught signal: at the handler's first
 * instruction, record the frame the kernel wrote (its trapno, err and cr2
 * fields come from the thread's last exception and differ on replay) and
 * the registers there, then write the signal event. 0: done, the stop was
 * ours; 1: no frame (the event is written, the stop is the program's).
 */
static int record_frame(struct recorder *r)
{
	struct user_regs_struct *regs;
	uint64_t old = r->ev.regs.rsp, len;
	int err;

	if (r->t.stop == TS_SIGNAL && r->t.sig == SIGTRAP && task_regs(&r->t, &regs) == 0 &&
	    regs->rsp + 256 < old) {
		len = old - regs->rsp < 65536 ? old - 128 - regs->rsp : 8192;
		r->nmem = 0;
		GROW(r->mem, r->mem_alloc, 1);
		r->mem[r->nmem++] = (struct trace_mem){ .addr = regs->rsp, .len = len };
		fetch_outputs(r);
		r->ev.flags |= EVF_FRAME;
		r->ev.exit_regs = *regs;
		r->ev.mem = r->mem;
		r->ev.nmem = (uint32_t)r->nmem;
		err = write_event(r, &r->ev);
		return err ? err : 0;
	}
	err = write_event(r, &r->ev);
	return err ? err : 1;
}

static int on_signal(struct recorder *r)
{
	struct user_regs_struct *regs;
	siginfo_t si;
	bool handled;
	int err, sig = r->t.sig;

	if (task_getsiginfo(&r->t, &si) || task_regs(&r->t, &regs))
		return 0;
	err = try_rdtsc(r, &si, &handled);
	if (err || handled)
		return err;
	new_event(r, EV_SIGNAL);
	r->ev.regs = *regs;
	r->ev.sig = sig;
	r->ev.si = si;
	if (is_fault(&si)) {
		r->ev.sigkind = SIGK_SYNC;
	} else if (r->boundary_valid && !memcmp(regs, &r->boundary_regs, sizeof(*regs))) {
		r->ev.sigkind = SIGK_BOUNDARY;
	} else if (kills_now(r, sig)) {
		/* Ctrl-C on a busy loop: holding it back could wait forever. */
		r->ev.sigkind = SIGK_FATAL;
	} else {
		/* In user code: delivered here, and found again by its state on replay. */
		r->ev.sigkind = SIGK_STATE;
		err = rec_settle_point(r, &regs);
		if (!err)
			err = task_state_digest(&r->t, regs->rsp, &r->ev.digest);
		if (err)
			return error("cannot read the program's memory at event %llu: %s",
				     (unsigned long long)r->num + 1, strerror(-err));
	}
	r->boundary_valid = false;
	r->deliver_sig = sig;
	if (has_handler(r, sig)) {
		r->frame_next = true; /* the event is written with its frame */
		return 0;
	}
	return write_event(r, &r->ev);
}

static void fill_header(struct trace_header *h, const struct rec_opts *o, pid_t pid)
{
	struct utsname u;
	struct timespec ts;
	char *cwd = getcwd(NULL, 0);
	memset(h, 0, sizeof(*h));
	h->exe = (char *)o->exe;
	h->cwd = cwd ? cwd : xstrdup("?");
	for (h->argc = 0; o->argv[h->argc]; h->argc++)
		;
	for (h->envc = 0; o->envp[h->envc]; h->envc++)
		;
	h->argv = o->argv;
	h->envp = o->envp;
	h->pid = pid;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->start_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) == 0) {
		h->stack_cur = rl.rlim_cur;
		h->stack_max = rl.rlim_max;
	}
	if (uname(&u) == 0) {
		h->host = xstrdup(u.nodename);
		h->kernel = xstrdup(u.release);
	}
}

static void recorder_release(struct recorder *r)
{
	rec_maps_reset(r);
	free(r->map_strs);
	free(r->maps);
	free(r->map_off);
	buf_release(&r->mapbuf);
	free(r->mem);
	free(r->mem_off);
	buf_release(&r->membuf);
	task_release(&r->t);
}

int rec_run(const struct rec_opts *o, struct rec_result *res)
{
	struct recorder r = { 0 };
	struct trace_header h;
	struct task_spawn_opts so = { .path = o->exe, .argv = o->argv, .envp = o->envp,
				      .trap_tsc = true };
	int err, ret = -1;

	memset(res, 0, sizeof(*res));
	/* SIGCHLD is waited for with a deadline (task_wait_ready). */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	err = task_pin_cpu(NULL);
	if (err)
		warning("cannot pin to one CPU: %s", strerror(-err));
	sc_stdio_init(&r.stdio);
	err = task_spawn(&r.t, &so);
	if (err)
		return error("cannot run '%s': %s", o->exe, strerror(-err));
	log_tid = r.t.tid;
	bug_rec = &r;
	bug_context = rec_bug_context;
	fill_header(&h, o, r.t.tid);
	err = trace_writer_open(o->trace_dir, &h, &r.w);
	free(h.cwd);
	free(h.host);
	free(h.kernel);
	if (err) {
		error("cannot create the trace '%s': %s", o->trace_dir, strerror(-err));
		goto out_kill;
	}
	/* Finish the initial execve, then save the new address space. */
	err = task_step(&r.t, TR_SYSCALL, 0);
	if (err || r.t.stop != TS_SYSCALL_EXIT) {
		error("'%s' did not start under ptrace", o->exe);
		goto out_kill;
	}
	if (record_exec(&r))
		goto out_kill;
	for (;;) {
		int sig = r.deliver_sig;
		r.deliver_sig = 0;
		/* A program that blocks must not keep its last events in memory only. */
		bool pending = trace_writer_pending(r.w);
		if (pending)
			task_drain_sigchld();
		err = task_resume(&r.t, r.frame_next ? TR_SINGLESTEP : TR_SYSCALL, sig);
		if (!err && pending && task_wait_ready(&r.t, 100) == -ETIMEDOUT)
			(void)trace_writer_flush(r.w);
		if (!err)
			err = task_wait(&r.t);
		if (!err && r.frame_next) {
			r.frame_next = false;
			err = record_frame(&r);
			if (err == 0)
				continue;
			if (err < 0)
				goto out_kill;
			err = 0;
		}
		if (err == -ESRCH || err == -ECHILD)
			break;
		if (err) {
			error("ptrace failed at event %llu: %s", (unsigned long long)r.num,
			      strerror(-err));
			goto out_kill;
		}
		switch (r.t.stop) {
		case TS_SYSCALL_ENTRY:
			err = on_syscall_entry(&r);
			break;
		case TS_SYSCALL_EXIT:
			err = on_syscall_exit(&r);
			break;
		case TS_SIGNAL:
			err = on_signal(&r);
			break;
		case TS_EXIT_EVENT:
			err = on_exit_event(&r);
			break;
		case TS_EXITED:
			new_event(&r, EV_EXIT);
			r.ev.wait_status = r.t.exit_status;
			if (write_event(&r, &r.ev))
				goto out_kill;
			res->wait_status = r.t.exit_status;
			res->ended = true;
			ret = 0;
			goto out;
		default:
			break;
		}
		if (err)
			goto out_kill;
	}
	error("the recorded program vanished at event %llu", (unsigned long long)r.num);
out_kill:
	task_kill(&r.t);
out:
	res->events = r.num;
	if (r.w) {
		res->trace_bytes = trace_writer_bytes(r.w);
		err = trace_writer_close(r.w);
		if (err && !ret)
			ret = error("cannot write the trace in '%s': %s", o->trace_dir,
				    strerror(-err));
	}
	bug_context = NULL;
	bug_rec = NULL;
	recorder_release(&r);
	return ret;
}
