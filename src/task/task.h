/* SPDX-License-Identifier: MIT */
/*
 * task: one traced thread. Starting a program stopped at its exec, waiting
 * for and classifying ptrace stops, resuming (syscall, sysemu, cont), the
 * registers (cached, written back at resume), tracee memory, and "remote"
 * syscalls run inside the tracee on the supervisor's behalf.
 *
 * Contract:
 * - All calls return 0 or -errno; -ESRCH means the tracee vanished (killed
 *   from outside) and every caller must handle it without dying.
 * - t->stop says what kind of stop the task is in after task_wait().
 * - Registers read with task_regs() are cached until the task runs again;
 *   task_set_regs() marks them dirty and they are written before the resume.
 * - The supervisor and its tracees are pinned to one CPU by task_pin_cpu().
 */
#ifndef REWIND_TASK_TASK_H
#define REWIND_TASK_TASK_H

#include <signal.h>
#include <sys/resource.h>
#include <sys/user.h>

#include "base/base.h"

/* A tracee address: never a plain pointer. */
struct raddr {
	uint64_t a;
};

enum task_stop {
	TS_NONE,
	TS_SYSCALL_ENTRY, /* PTRACE_SYSCALL entry: the syscall will run unless skipped */
	TS_SYSEMU_ENTRY,  /* PTRACE_SYSEMU entry: the syscall is skipped */
	TS_SYSCALL_EXIT,
	TS_SIGNAL,        /* signal-delivery-stop; t->sig */
	TS_EXEC,          /* PTRACE_EVENT_EXEC: t->event_msg is the tid that called execve (not
	                   * t->tid when a thread other than the leader did: task_retid) */
	TS_EXIT_EVENT,    /* PTRACE_EVENT_EXIT: about to exit, t->exit_status is its wait status */
	TS_CLONE_EVENT,   /* PTRACE_EVENT_FORK/VFORK/CLONE: t->event_msg is the new tid */
	TS_GROUP_STOP,
	TS_EXITED,        /* gone; t->exit_status is the wait status */
	TS__COUNT
};


enum task_resume {
	TR_CONT,
	TR_SYSCALL,
	TR_SYSEMU,
	TR_SINGLESTEP,
	TR__COUNT
};

struct task {
	pid_t tid;
	enum task_stop stop;
	int sig;            /* TS_SIGNAL: the signal */
	int exit_status;    /* TS_EXITED / TS_EXIT_EVENT: wait status */
	unsigned long event_msg; /* TS_CLONE_EVENT, TS_EXEC */
	struct user_regs_struct regs;
	bool regs_valid, regs_dirty;
	int mem_fd;         /* /proc/PID/mem, O_CLOEXEC; -1 until needed */
	uint64_t syscall_insn; /* address of a `syscall` instruction for remote syscalls, 0: none */
	bool in_syscall;    /* between a syscall's entry stop and its exit stop */
	enum task_resume last_resume;
};

/* Options for spawning the first tracee. */
struct task_spawn_opts {
	const char *path;   /* file to execute */
	char *const *argv;
	char *const *envp;
	bool trap_tsc;      /* PR_SET_TSC PR_TSC_SIGSEGV */
	bool no_core;       /* RLIMIT_CORE 0 */
	bool quiet_stdio;   /* tracee's 0,1,2 on /dev/null (replay) */
	const struct rlimit *stack_limit; /* RLIMIT_STACK to set, or NULL */
};

/*
 * Pin the calling process (and so its future children) to one CPU: want if
 * it may run there (want >= 0), else the one it runs on. *ret_cpu (if
 * ret_cpu): the CPU chosen. 0 or -errno.
 */
int task_pin_cpu(int want, int *ret_cpu);
/*
 * Fork and exec opts->path under ptrace; on success *t is stopped at
 * TS_EXEC. On an exec failure returns -errno of the exec (e.g. -ENOENT).
 */
int task_spawn(struct task *t, const struct task_spawn_opts *opts);
void task_init(struct task *t, pid_t tid);
/*
 * The thread now answers to tid: an execve from a thread other than the
 * leader kills the other threads and gives the caller the leader's tid
 * (its PTRACE_EVENT_EXEC stop is reported under that tid). Forgets the
 * cached registers and the /proc/PID/mem of the old tid.
 */
void task_retid(struct task *t, pid_t tid);
void task_release(struct task *t);
/* Kill (SIGKILL) and reap. */
void task_kill(struct task *t);
/* The same for several tasks at once (threads of one group, whose leader is reaped last). */
void task_kill_all(struct task **ts, size_t n);

/* Every tracee follows its clones, forks and vforks (auto-attached, PTRACE_EVENT_* stops). */
#define TASK_PTRACE_OPTIONS                                                                   \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXIT | \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK)

int task_wait(struct task *t);
/*
 * Wait for any tracee (block, or -EAGAIN at once if none has changed state):
 * its tid and wait status, to give to that task's task_note_status().
 */
int task_wait_any(bool block, pid_t *ret_tid, int *ret_status);
/* Take a wait status (from task_wait_any) as the task's new stop. */
int task_note_status(struct task *t, int status);
/* Is the task not running: asleep in the kernel (blocked), stopped or a zombie (/proc/TID/stat)? */
bool task_sleeping(struct task *t);
/*
 * Wait at most ms milliseconds for the task to change state, without
 * consuming it: 0 when it has (call task_wait()), -ETIMEDOUT otherwise.
 * Needs SIGCHLD blocked in the calling thread, and task_drain_sigchld()
 * called before the resume (earlier stops leave SIGCHLD pending).
 */
int task_wait_ready(struct task *t, int ms);
/* The same for any tracee, with a deadline in microseconds. */
int task_wait_ready_us(uint64_t us);
void task_drain_sigchld(void);
int task_resume(struct task *t, enum task_resume how, int sig);
/* Resume and wait. */
static inline int task_step(struct task *t, enum task_resume how, int sig)
{
	int r = task_resume(t, how, sig);
	return r ? r : task_wait(t);
}

int task_regs(struct task *t, struct user_regs_struct **ret);
void task_set_regs(struct task *t, const struct user_regs_struct *r);
int task_flush_regs(struct task *t);

int task_read(struct task *t, uint64_t addr, void *dst, size_t len);
/*
 * Read up to len bytes, stopping at the first that cannot be read (code
 * that ends near an unmapped page): how many were read into dst.
 */
size_t task_read_prefix(struct task *t, uint64_t addr, void *dst, size_t len);
/* Writes even to read-only pages (through /proc/PID/mem). */
int task_write(struct task *t, uint64_t addr, const void *src, size_t len);
/*
 * Write as the kernel's copies to user memory do: -EFAULT (nothing or part
 * written) where a page is not writable by the task itself.
 */
int task_write_user(struct task *t, uint64_t addr, const void *src, size_t len);
/*
 * Read as the kernel's copies from user memory do: -EFAULT where a page is
 * not readable by the task itself (PROT_NONE), which task_read() reads.
 */
int task_read_user(struct task *t, uint64_t addr, void *dst, size_t len);
/* Read a NUL-terminated string of at most max bytes; caller frees *ret. */
int task_read_str(struct task *t, uint64_t addr, size_t max, char **ret);

/* Debug registers DR0-DR7 (4, 5 do not exist). */
int task_get_debugreg(struct task *t, int i, uint64_t *ret);
int task_set_debugreg(struct task *t, int i, uint64_t v);
/* FXSAVE image, and the upper halves of ymm0-15 (false in *ret_avx without AVX state). */
int task_fpregs(struct task *t, struct user_fpregs_struct *fp, unsigned char ymmh[16][16],
		bool *ret_avx);

int task_getsiginfo(struct task *t, siginfo_t *si);
int task_setsiginfo(struct task *t, const siginfo_t *si);

/*
 * Run syscall nr with args inside the tracee and return its result in *ret.
 * The task must be in a stop from which it returns to user mode next
 * (TS_SYSCALL_EXIT, TS_EXEC, TS_SYSEMU_ENTRY or TS_SYSCALL_ENTRY, the latter
 * two are first converted to an exit stop, skipping the pending syscall).
 * Registers are restored afterwards; the task ends in TS_SYSCALL_EXIT.
 * Uses t->syscall_insn, or patches a `syscall` at rip if it is 0.
 */
int task_remote_syscall(struct task *t, long nr, const uint64_t args[6], int64_t *ret);
/*
 * Fork the tracee (a clone with no exit signal, so its parent never hears
 * of it): *child is traced, stopped, with the parent's registers and memory.
 */
int task_fork(struct task *t, struct task *child);
/* An address range [start, end). */
struct task_range {
	uint64_t start, end;
};

/*
 * Undo a run of user code: put back into t the memory and the FPU/vector
 * registers that copy (a task_fork() of t taken before the run) kept. Every
 * writable private mapping of t is compared page by page and the pages that
 * differ are written back, except those inside skip[0..nskip). The run must
 * have made no syscall (the mappings are those of the copy); the general
 * registers are the caller's. -ENOTSUP where the copy cannot tell what t
 * had: a writable shared mapping (the copy shares it), or one that fork
 * did not copy (MADV_DONTFORK, MADV_WIPEONFORK). *ret_pages: pages written.
 */
int task_restore_from(struct task *t, struct task *copy, const struct task_range *skip,
		      size_t nskip, size_t *ret_pages);
/* Convert an entry stop into an exit stop (skipping the syscall). */
int task_to_exit_stop(struct task *t);

const char *task_stop_name(enum task_stop s);
/* Name of a user_regs_struct field by index (0..26), and the field count. */
#define TASK_NREGS 27
const char *task_reg_name(unsigned i);
static inline uint64_t *task_reg_ptr(struct user_regs_struct *r, unsigned i)
{
	return (uint64_t *)r + i;
}
const char *signal_name(int sig); /* "SIGSEGV"; static buffer for unknown ones */



/*
 * A digest of the thread's memory for telling apart points whose registers
 * are equal (DESIGN.md, "Time without a PMU"): the stack from rsp-256 up to
 * 64 KiB, then the other writable private mappings in address order, at most
 * 1 MiB in all. The same function at record and replay: deterministic for
 * the same address space.
 */
int task_state_digest(struct task *t, uint64_t rsp, uint64_t *ret);
/*
 * task_state_digest() leaving out the bytes inside skip[0..nskip) (any
 * order, may overlap): pages the supervisor mapped into the tracee for
 * itself (trampolines), which the recording never had, and buffers a
 * syscall blocked in another thread may be writing.
 */
int task_state_digest_skip(struct task *t, uint64_t rsp, const struct task_range *skip,
			   size_t nskip, uint64_t *ret);

/* One line of /proc/PID/maps. */
struct task_map {
	uint64_t start, end, offset;
	uint32_t prot;   /* PROT_* */
	bool shared;
	uint64_t inode;
	char *path;      /* "" for anonymous; "[stack]", "[vdso]"...; owned */
};
/* Read the task's mappings; caller frees with task_maps_free(). */
int task_read_maps(struct task *t, struct task_map **ret, size_t *ret_n);
void task_maps_free(struct task_map *m, size_t n);
#endif /* REWIND_TASK_TASK_H */
