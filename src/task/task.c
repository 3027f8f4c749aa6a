// SPDX-License-Identifier: MIT
/*
 * task: ptrace plumbing for one traced thread. See task.h for the contract.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <elf.h>
#include <stddef.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xxhash.h>

#include "task/task.h"

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif

static const char *const stop_names[TS__COUNT] = {
	[TS_NONE] = "none", [TS_SYSCALL_ENTRY] = "syscall-entry",
	[TS_SYSEMU_ENTRY] = "sysemu-entry", [TS_SYSCALL_EXIT] = "syscall-exit",
	[TS_SIGNAL] = "signal", [TS_EXEC] = "exec", [TS_EXIT_EVENT] = "exit-event",
	[TS_GROUP_STOP] = "group-stop", [TS_EXITED] = "exited", [TS_CLONE_EVENT] = "clone-event",
};

const char *task_stop_name(enum task_stop s)
{
	return s < TS__COUNT ? stop_names[s] : "?";
}

static const char *const reg_names[TASK_NREGS] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx",
	"rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds",
	"es", "fs", "gs",
};

const char *task_reg_name(unsigned i)
{
	return i < TASK_NREGS ? reg_names[i] : "?";
}

const char *signal_name(int sig)
{
	static char buf[32];
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev) {
		snprintf(buf, sizeof(buf), "SIG%s", abbrev);
		return buf;
	}
	snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}

int task_pin_cpu(int want, int *ret_cpu)
{
	cpu_set_t set;
	int cpu = sched_getcpu();
	if (cpu < 0)
		cpu = 0;
	if (want >= 0 && want < CPU_SETSIZE) {
		CPU_ZERO(&set);
		CPU_SET(want, &set);
		if (sched_setaffinity(0, sizeof(set), &set) == 0) {
			if (ret_cpu)
				*ret_cpu = want;
			return 0;
		}
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	if (ret_cpu)
		*ret_cpu = cpu;
	return 0;
}

void task_init(struct task *t, pid_t tid)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->mem_fd = -1;
}

void task_retid(struct task *t, pid_t tid)
{
	task_release(t); /* the old tid's /proc/PID/mem */
	t->tid = tid;
	t->regs_valid = false;
	t->regs_dirty = false;
}

void task_release(struct task *t)
{
	if (t->mem_fd >= 0)
		close(t->mem_fd);
	t->mem_fd = -1;
}

void task_kill_all(struct task **ts, size_t n)
{
	size_t left = 0;
	for (size_t i = 0; i < n; i++)
		if (ts[i]->stop != TS_EXITED && ts[i]->tid > 0) {
			kill(ts[i]->tid, SIGKILL);
			/* One held at its exit event is not woken by SIGKILL: let it go. */
			(void)ptrace(PTRACE_CONT, ts[i]->tid, 0, 0);
			left++;
		}
	/*
	 * A thread group's leader is reported only after its other threads,
	 * and those sit in their exit stops until let go: poll them all.
	 */
	for (int round = 0; left && round < 20000; round++) {
		bool progress = false;
		for (size_t i = 0; i < n; i++) {
			struct task *t = ts[i];
			int st;
			pid_t r;
			if (t->stop == TS_EXITED || t->tid <= 0)
				continue;
			r = waitpid(t->tid, &st, __WALL | WNOHANG);
			if (r == 0)
				continue;
			progress = true;
			if (r < 0 || WIFEXITED(st) || WIFSIGNALED(st)) {
				t->stop = TS_EXITED;
				left--;
			} else {
				(void)ptrace(PTRACE_CONT, t->tid, 0, 0);
			}
		}
		if (!progress)
			usleep(100);
	}
}

void task_kill(struct task *t)
{
	task_kill_all(&t, 1);
}

/* Child side of task_spawn: never returns. Reports exec failure through errfd. */
static NORETURN void spawn_child(const struct task_spawn_opts *o, int errfd)
{
	int err;
	if (o->quiet_stdio) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	if (o->no_core) {
		struct rlimit rl = { 0, 0 };
		(void)setrlimit(RLIMIT_CORE, &rl);
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (o->stack_limit)
		(void)setrlimit(RLIMIT_STACK, o->stack_limit);
	if (o->trap_tsc && prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) < 0)
		goto fail;
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		goto fail;
	raise(SIGSTOP);
	execve(o->path, o->argv, o->envp);
fail:
	err = errno;
	(void)!write(errfd, &err, sizeof(err));
	_exit(127);
}

int task_spawn(struct task *t, const struct task_spawn_opts *opts)
{
	int pfd[2], st, err = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (pid == 0) {
		close(pfd[0]);
		spawn_child(opts, pfd[1]);
	}
	close(pfd[1]);
	task_init(t, pid);
	if (waitpid(pid, &st, __WALL) < 0 || !WIFSTOPPED(st)) {
		err = -ECHILD;
		goto fail;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0,
		   TASK_PTRACE_OPTIONS) < 0) {
		err = -errno;
		goto fail;
	}
	if (ptrace(PTRACE_CONT, pid, 0, 0) < 0) {
		err = -errno;
		goto fail;
	}
	err = task_wait(t);
	if (err)
		goto fail;
	if (t->stop != TS_EXEC) {
		/* The exec failed: the child reported errno and is exiting. */
		int cerr = 0;
		n = read(pfd[0], &cerr, sizeof(cerr));
		err = n == sizeof(cerr) && cerr ? -cerr : -ECHILD;
		goto fail;
	}
	close(pfd[0]);
	t->regs_valid = false;
	return 0;
fail:
	close(pfd[0]);
	task_kill(t);
	return err;
}

/*
 * Syscall stops carry no entry/exit marker, so the task tracks whether it is
 * inside a syscall: an entry stop sets it, an exit stop clears it, and a
 * resume that makes the kernel skip the exit report (SYSEMU, CONT from an
 * entry) clears it too. PTRACE_EVENT_EXEC happens inside execve, so the
 * flag survives it.
 */
int task_wait(struct task *t)
{
	int st;
	pid_t r;
	do {
		r = waitpid(t->tid, &st, __WALL);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return task_note_status(t, st);
}

int task_wait_any(bool block, pid_t *ret_tid, int *ret_status)
{
	int st;
	pid_t r;
	do {
		r = waitpid(-1, &st, __WALL | (block ? 0 : WNOHANG));
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -EAGAIN;
	*ret_tid = r;
	*ret_status = st;
	return 0;
}

int task_note_status(struct task *t, int st)
{
	t->regs_valid = false;
	t->regs_dirty = false;
	t->sig = 0;
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		t->stop = TS_EXITED;
		t->exit_status = st;
		t->in_syscall = false;
		return 0;
	}
	if (!WIFSTOPPED(st))
		return -ECHILD;
	int sig = WSTOPSIG(st), event = st >> 16;
	if (sig == (SIGTRAP | 0x80)) {
		if (t->in_syscall) {
			t->stop = TS_SYSCALL_EXIT;
			t->in_syscall = false;
		} else {
			t->stop = t->last_resume == TR_SYSEMU ? TS_SYSEMU_ENTRY : TS_SYSCALL_ENTRY;
			t->in_syscall = true;
		}
		return 0;
	}
	if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
		/* Inside execve: PTRACE_SYSCALL from here reports its exit. The old
		 * /proc/PID/mem describes the old address space. */
		t->stop = TS_EXEC;
		t->event_msg = 0;
		(void)ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &t->event_msg);
		if (t->mem_fd >= 0)
			close(t->mem_fd);
		t->mem_fd = -1;
		t->in_syscall = true;
		return 0;
	}
	if (sig == SIGTRAP && event == PTRACE_EVENT_EXIT) {
		unsigned long msg = 0;
		(void)ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg);
		t->stop = TS_EXIT_EVENT;
		t->exit_status = (int)msg;
		return 0;
	}
	if (sig == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
			       event == PTRACE_EVENT_CLONE)) {
		(void)ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &t->event_msg);
		t->stop = TS_CLONE_EVENT;
		return 0;
	}
	if (event == PTRACE_EVENT_STOP) {
		t->stop = TS_GROUP_STOP;
		t->sig = sig;
		return 0;
	}
	t->stop = TS_SIGNAL;
	t->sig = sig;
	return 0;
}

int task_wait_ready(struct task *t, int ms)
{
	(void)t;
	return task_wait_ready_us((uint64_t)ms * 1000);
}

int task_wait_ready_us(uint64_t us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000 };
	sigset_t set;
	siginfo_t si;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigtimedwait(&set, &si, &ts) < 0)
		return errno == EAGAIN ? -ETIMEDOUT : 0; /* EINTR: let waitpid decide */
	return 0;
}

void task_drain_sigchld(void)
{
	static const struct timespec zero;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

static const int resume_req[TR__COUNT] = {
	[TR_CONT] = PTRACE_CONT, [TR_SYSCALL] = PTRACE_SYSCALL, [TR_SYSEMU] = PTRACE_SYSEMU,
	[TR_SINGLESTEP] = PTRACE_SINGLESTEP,
};

int task_resume(struct task *t, enum task_resume how, int sig)
{
	int r;
	if (t->stop == TS_EXITED)
		return -ESRCH;
	r = task_flush_regs(t);
	if (r)
		return r;
	/*
	 * Only PTRACE_SYSCALL from inside a syscall reports its exit. From a
	 * SYSEMU entry it reports the exit of the skipped syscall.
	 */
	if (how != TR_SYSCALL)
		t->in_syscall = false;
	if (ptrace(resume_req[how], t->tid, 0, (void *)(long)sig) < 0)
		return -errno;
	t->last_resume = how;
	t->stop = TS_NONE;
	t->regs_valid = false;
	return 0;
}

int task_regs(struct task *t, struct user_regs_struct **ret)
{
	if (!t->regs_valid) {
		if (ptrace(PTRACE_GETREGS, t->tid, 0, &t->regs) < 0)
			return errno ? -errno : -EIO;
		t->regs_valid = true;
	}
	*ret = &t->regs;
	return 0;
}

void task_set_regs(struct task *t, const struct user_regs_struct *r)
{
	if (r != &t->regs)
		t->regs = *r;
	t->regs_valid = true;
	t->regs_dirty = true;
}

int task_flush_regs(struct task *t)
{
	if (!t->regs_dirty)
		return 0;
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs) < 0)
		return -errno;
	t->regs_dirty = false;
	return 0;
}

static int open_mem(struct task *t)
{
	char path[64];
	if (t->mem_fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)t->tid);
	t->mem_fd = open(path, O_RDWR | O_CLOEXEC);
	return t->mem_fd < 0 ? -errno : 0;
}

int task_read_user(struct task *t, uint64_t addr, void *dst, size_t len)
{
	struct iovec local = { dst, len }, remote = { (void *)addr, len };
	ssize_t n;
	if (!len)
		return 0;
	/* process_vm_readv honours the page protections; /proc/PID/mem forces them. */
	n = process_vm_readv(t->tid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	return n < 0 && errno == ESRCH ? -ESRCH : -EFAULT;
}

int task_read(struct task *t, uint64_t addr, void *dst, size_t len)
{
	ssize_t n;
	int err = task_read_user(t, addr, dst, len);
	if (err != -EFAULT)
		return err;
	/* Partial or failed (e.g. a PROT_NONE page): try /proc/PID/mem. */
	if (open_mem(t))
		return -EFAULT;
	n = pread(t->mem_fd, dst, len, (off_t)addr);
	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? -errno : -EFAULT;
}

size_t task_read_prefix(struct task *t, uint64_t addr, void *dst, size_t len)
{
	size_t got = 0;
	if (task_read(t, addr, dst, len) == 0)
		return len;
	while (got < len && task_read(t, addr + got, (uint8_t *)dst + got, 1) == 0)
		got++;
	return got;
}

int task_write(struct task *t, uint64_t addr, const void *src, size_t len)
{
	ssize_t n;
	if (task_write_user(t, addr, src, len) == 0)
		return 0;
	if (open_mem(t))
		return -EFAULT;
	n = pwrite(t->mem_fd, src, len, (off_t)addr);
	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? -errno : -EFAULT;
}

int task_write_user(struct task *t, uint64_t addr, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len }, remote = { (void *)addr, len };
	ssize_t n;
	if (!len)
		return 0;
	/* process_vm_writev honours the page protections; /proc/PID/mem forces them. */
	n = process_vm_writev(t->tid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	return n < 0 && errno == ESRCH ? -ESRCH : -EFAULT;
}

int task_read_str(struct task *t, uint64_t addr, size_t max, char **ret)
{
	char *s = xmalloc(max + 1);
	size_t got = 0;
	while (got < max) {
		/* Read up to the end of the page so a string near an unmapped page works. */
		size_t chunk = 4096 - ((addr + got) & 4095);
		chunk = MIN(chunk, max - got);
		if (task_read(t, addr + got, s + got, chunk)) {
			free(s);
			return -EFAULT;
		}
		char *nul = memchr(s + got, 0, chunk);
		if (nul) {
			*ret = s;
			return 0;
		}
		got += chunk;
	}
	s[max] = 0;
	*ret = s;
	return 0;
}

int task_getsiginfo(struct task *t, siginfo_t *si)
{
	return ptrace(PTRACE_GETSIGINFO, t->tid, 0, si) < 0 ? -errno : 0;
}

int task_setsiginfo(struct task *t, const siginfo_t *si)
{
	return ptrace(PTRACE_SETSIGINFO, t->tid, 0, si) < 0 ? -errno : 0;
}

/*
 * Resume and wait, dropping SIGSTOP stops: the only SIGSTOP a replayed
 * program gets from outside is a debugger interrupt that raced with a stop
 * of its own; during internal work it is ignored.
 */
static int step_quiet(struct task *t, enum task_resume how)
{
	int err = task_step(t, how, 0);
	while (!err && t->stop == TS_SIGNAL && t->sig == SIGSTOP)
		err = task_step(t, how, 0);
	return err;
}

int task_to_exit_stop(struct task *t)
{
	struct user_regs_struct *r = NULL;
	int err;
	if (t->stop == TS_SYSCALL_EXIT)
		return 0;
	if (t->stop == TS_SYSCALL_ENTRY) {
		/* Skip the pending syscall: the kernel then reports -ENOSYS at exit. */
		err = task_regs(t, &r);
		if (err || !r)
			return err ? err : -EIO;
		r->orig_rax = (uint64_t)-1;
		task_set_regs(t, r);
	} else if (t->stop != TS_SYSEMU_ENTRY && t->stop != TS_EXEC) {
		return -EINVAL;
	}
	err = step_quiet(t, TR_SYSCALL);
	if (err)
		return err;
	if (t->stop == TS_EXITED)
		return -ESRCH;
	return t->stop == TS_SYSCALL_EXIT ? 0 : -EPROTO;
}

int task_remote_syscall(struct task *t, long nr, const uint64_t args[6], int64_t *ret)
{
	struct user_regs_struct saved, *r = NULL;
	uint64_t patch_addr = 0, orig_code = 0;
	int err;

	if (t->stop != TS_SIGNAL && t->stop != TS_GROUP_STOP) {
		err = task_to_exit_stop(t);
		if (err)
			return err;
	}
	err = task_regs(t, &r);
	if (err || !r)
		return err ? err : -EIO;
	saved = *r;
	if (!t->syscall_insn) {
		static const uint8_t insn[2] = { 0x0f, 0x05 };
		patch_addr = saved.rip;
		err = task_read(t, patch_addr, &orig_code, sizeof(orig_code));
		if (!err)
			err = task_write(t, patch_addr, insn, sizeof(insn));
		if (err)
			return err;
	}
	r->rip = t->syscall_insn ? t->syscall_insn : patch_addr;
	r->rax = (uint64_t)nr;
	r->orig_rax = (uint64_t)nr;
	r->rdi = args[0];
	r->rsi = args[1];
	r->rdx = args[2];
	r->r10 = args[3];
	r->r8 = args[4];
	r->r9 = args[5];
	task_set_regs(t, r);
	err = step_quiet(t, TR_SYSCALL);
	if (!err && t->stop != TS_SYSCALL_ENTRY)
		err = t->stop == TS_EXITED ? -ESRCH : -EPROTO;
	do {
		if (!err)
			err = step_quiet(t, TR_SYSCALL);
	} while (!err && t->stop == TS_CLONE_EVENT);
	if (!err && t->stop != TS_SYSCALL_EXIT)
		err = t->stop == TS_EXITED ? -ESRCH : -EPROTO;
	if (!err)
		err = task_regs(t, &r);
	if (!err)
		*ret = (int64_t)r->rax;
	if (patch_addr && t->stop != TS_EXITED)
		(void)task_write(t, patch_addr, &orig_code, sizeof(orig_code));
	/* Back as they were; also where a signal stopped it before the syscall ran. */
	if (t->stop == TS_SYSCALL_EXIT || t->stop == TS_SIGNAL)
		task_set_regs(t, &saved);
	return err;
}

int task_read_maps(struct task *t, struct task_map **ret, size_t *ret_n)
{
	char path[64], *line = NULL;
	size_t cap = 0, n = 0, alloc = 0;
	struct task_map *maps = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)t->tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long s, e, off, ino;
		char perms[8];
		int pos = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %*x:%*x %llu %n", &s, &e, perms, &off, &ino,
			   &pos) < 5)
			continue;
		GROW(maps, alloc, n + 1);
		struct task_map *m = &maps[n++];
		char *p = line + pos, *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		m->start = s;
		m->end = e;
		m->offset = off;
		m->inode = ino;
		m->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
			  (perms[2] == 'x' ? PROT_EXEC : 0);
		m->shared = perms[3] == 's';
		m->path = xstrdup(p);
	}
	free(line);
	fclose(f);
	*ret = maps;
	*ret_n = n;
	return 0;
}

void task_maps_free(struct task_map *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].path);
	free(m);
}

int task_get_debugreg(struct task *t, int i, uint64_t *ret)
{
	long v;
	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, t->tid, offsetof(struct user, u_debugreg[i]), 0);
	if (errno)
		return -errno;
	*ret = (uint64_t)v;
	return 0;
}

int task_set_debugreg(struct task *t, int i, uint64_t v)
{
	if (ptrace(PTRACE_POKEUSER, t->tid, offsetof(struct user, u_debugreg[i]), v) < 0)
		return -errno;
	return 0;
}

int task_fpregs(struct task *t, struct user_fpregs_struct *fp, unsigned char ymmh[16][16],
		bool *ret_avx)
{
	/* XSAVE layout: legacy FXSAVE area (512), header (64, XSTATE_BV first), YMM_Hi128 at 576. */
	unsigned char xs[4096];
	struct iovec iov = { xs, sizeof(xs) };
	uint64_t bv;
	if (ptrace(PTRACE_GETREGSET, t->tid, NT_X86_XSTATE, &iov) == 0 && iov.iov_len >= 576 + 256) {
		memcpy(fp, xs, sizeof(*fp));
		memcpy(&bv, xs + 512, sizeof(bv));
		if (bv & 4)
			memcpy(ymmh, xs + 576, 256);
		else
			memset(ymmh, 0, 256);
		*ret_avx = true;
		return 0;
	}
	if (ptrace(PTRACE_GETFPREGS, t->tid, 0, fp) < 0)
		return -errno;
	memset(ymmh, 0, 256);
	*ret_avx = false;
	return 0;
}

int task_fork(struct task *t, struct task *child)
{
	static const uint64_t args[6] = { 0 }; /* clone(flags 0): a copy, no exit signal */
	int64_t ret;
	int st, err;
	pid_t pid;

	/*
	 * A copy made earlier that exec'd has SIGCHLD as its exit signal again
	 * (exec resets it), so its end queues one here: the kernel's notice of
	 * a child of ours, not the program's. Its stop drops it; then again.
	 */
	for (int tries = 0;; tries++) {
		siginfo_t si;
		err = task_remote_syscall(t, SYS_clone, args, &ret);
		if (err != -EPROTO || tries == 8 || t->stop != TS_SIGNAL || t->sig != SIGCHLD ||
		    task_getsiginfo(t, &si) || si.si_code < CLD_EXITED || si.si_code > CLD_CONTINUED)
			break;
	}
	if (err)
		return err;
	if (ret <= 0)
		return ret < 0 ? (int)ret : -EPROTO;
	pid = (pid_t)ret;
	/* An auto-attached child starts with a SIGSTOP stop. */
	do {
		err = waitpid(pid, &st, __WALL);
	} while (err < 0 && errno == EINTR);
	if (err < 0)
		return -errno;
	task_init(child, pid);
	child->syscall_insn = t->syscall_insn;
	if (!WIFSTOPPED(st)) {
		child->stop = TS_EXITED;
		return -ESRCH;
	}
	child->stop = TS_SIGNAL;
	child->sig = WSTOPSIG(st);
	return 0;
}

/* Does some writable mapping of t have a VmFlags token fork cannot copy faithfully? */
static int uncopyable_mapping(struct task *t)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)t->tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!ret && getline(&line, &cap, f) > 0) {
		bool wr = false, bad = false;
		if (strncmp(line, "VmFlags:", 8) != 0)
			continue;
		char *save = NULL;
		for (char *tok = strtok_r(line + 8, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			wr |= strcmp(tok, "wr") == 0;
			bad |= strcmp(tok, "sh") == 0 || strcmp(tok, "dc") == 0 ||
			       strcmp(tok, "wf") == 0;
		}
		if (wr && bad)
			ret = -ENOTSUP;
	}
	free(line);
	fclose(f);
	return ret;
}

/* The end of the first range in r[0..n) that holds a, or 0. */
static uint64_t skip_end(uint64_t a, const struct task_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a >= r[i].start && a < r[i].end)
			return r[i].end;
	return 0;
}

/* The start of the first range in r[0..n) that begins in (a, b), or b. */
static uint64_t skip_start(uint64_t a, uint64_t b, const struct task_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].start > a && r[i].start < b)
			b = r[i].start;
	return b;
}

/* Make t's [lo, hi) what copy has there, page by page, but the pages in skip[]. */
static int restore_range(struct task *t, struct task *copy, uint64_t lo, uint64_t hi,
			 const struct task_range *skip, size_t nskip, size_t *pages)
{
	enum { CHUNK = 256 * 1024 };
	static unsigned char want[CHUNK], have[CHUNK];
	for (uint64_t a = lo; a < hi;) {
		uint64_t e = skip_end(a, skip, nskip);
		if (e) {
			a = ALIGN_UP(e, 4096ull);
			continue;
		}
		size_t len = (size_t)(skip_start(a, MIN(hi, a + CHUNK), skip, nskip) - a);
		len = ALIGN_UP(len, (size_t)4096);
		if (task_read(copy, a, want, len))
			return -ENOTSUP;
		int err = task_read(t, a, have, len);
		if (err)
			return err;
		for (size_t off = 0; off < len; off += 4096) {
			if (!memcmp(want + off, have + off, 4096))
				continue;
			err = task_write(t, a + off, want + off, 4096);
			if (err)
				return err;
			(*pages)++;
		}
		a += len;
	}
	return 0;
}

int task_restore_from(struct task *t, struct task *copy, const struct task_range *skip,
		      size_t nskip, size_t *ret_pages)
{
	unsigned char xs[16384];
	struct iovec iov = { xs, sizeof(xs) };
	struct task_map *maps;
	size_t n, pages = 0;
	int err = uncopyable_mapping(t);

	if (err)
		return err;
	err = task_read_maps(t, &maps, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n && !err; i++) {
		const struct task_map *m = &maps[i];
		if (!(m->prot & PROT_WRITE))
			continue;
		err = m->shared ? -ENOTSUP : restore_range(t, copy, m->start, m->end, skip, nskip,
							  &pages);
	}
	task_maps_free(maps, n);
	if (err)
		return err;
	if (ptrace(PTRACE_GETREGSET, copy->tid, NT_X86_XSTATE, &iov) < 0 ||
	    ptrace(PTRACE_SETREGSET, t->tid, NT_X86_XSTATE, &iov) < 0)
		return -errno;
	*ret_pages = pages;
	return 0;
}

/* Hash [addr, addr+len) up to its first unreadable page; returns bytes hashed. */
static uint64_t hash_range(struct task *t, XXH3_state_t *h, uint64_t addr, uint64_t len)
{
	static unsigned char bulk[1u << 20];
	unsigned char page[4096];
	uint64_t done = 0;
	if (len <= sizeof(bulk) && task_read(t, addr, bulk, len) == 0) {
		XXH3_64bits_update(h, bulk, len);
		dbg(LM_TASK, "digest 0x%llx+0x%llx: %016llx", (unsigned long long)addr,
		    (unsigned long long)len, (unsigned long long)XXH3_64bits(bulk, len));
		return len;
	}
	while (done < len) {
		uint64_t chunk = MIN(4096 - ((addr + done) & 4095), len - done);
		if (task_read(t, addr + done, page, chunk))
			break;
		XXH3_64bits_update(h, page, chunk);
		done += chunk;
	}
	return done;
}

int task_state_digest(struct task *t, uint64_t rsp, uint64_t *ret)
{
	return task_state_digest_skip(t, rsp, NULL, 0, ret);
}

/* Hash [lo, hi) but the parts inside skip[]; at most max bytes. Returns bytes hashed. */
static uint64_t hash_skip(struct task *t, XXH3_state_t *h, uint64_t lo, uint64_t hi, uint64_t max,
			  const struct task_range *skip, size_t nskip)
{
	uint64_t total = 0;
	while (lo < hi && total < max) {
		uint64_t cut = hi, next = hi;
		for (size_t i = 0; i < nskip; i++)
			if (skip[i].start < hi && skip[i].end > lo && MAX(skip[i].start, lo) < cut) {
				cut = MAX(skip[i].start, lo);
				next = MIN(skip[i].end, hi);
			}
		if (cut > lo)
			total += hash_range(t, h, lo, MIN(cut - lo, max - total));
		lo = next;
	}
	return total;
}

int task_state_digest_skip(struct task *t, uint64_t rsp, const struct task_range *skip,
			   size_t nskip, uint64_t *ret)
{
	const uint64_t stack_lo = rsp - 256, stack_hi = rsp + 65536, cap = 1u << 20;
	XXH3_state_t *h = XXH3_createState();
	struct task_map *maps;
	uint64_t total;
	size_t n;
	int err;

	if (!h)
		return -ENOMEM;
	XXH3_64bits_reset(h);
	total = hash_skip(t, h, stack_lo, stack_hi, stack_hi - stack_lo, skip, nskip);
	err = task_read_maps(t, &maps, &n);
	for (size_t i = 0; !err && i < n && total < cap; i++) {
		struct task_map *m = &maps[i];
		uint64_t lo = m->start, hi = m->end;
		if (!(m->prot & PROT_WRITE) || !(m->prot & PROT_READ) || m->shared)
			continue;
		/* The stack window is hashed already. */
		if (lo < stack_hi && stack_lo < hi) {
			if (lo >= stack_lo)
				lo = MIN(hi, stack_hi);
			else
				hi = stack_lo;
		}
		if (lo >= hi)
			continue;
		total += hash_skip(t, h, lo, hi, cap - total, skip, nskip);
	}
	if (!err) {
		task_maps_free(maps, n);
		*ret = XXH3_64bits_digest(h);
	}
	XXH3_freeState(h);
	return err;
}

bool task_sleeping(struct task *t)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)t->tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	/* "pid (comm) S ...": comm may hold spaces and parentheses, the last ')' ends it. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'R';
}
