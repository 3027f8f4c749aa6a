/* SPDX-License-Identifier: MIT */
/*
 * replay: run a recorded program again from its trace, bit for bit.
 * Syscalls are skipped (PTRACE_SYSEMU) and their recorded results and
 * memory writes applied; those that shape the address space or signal
 * state run for real (mmap family at the recorded addresses, from the
 * files saved in the trace); after each exec the address space is rebuilt
 * from the recording; signals are delivered at their recorded points;
 * rdtsc results come from the trace. At every event the registers are
 * compared with the recording: any difference is a divergence, reported
 * with the event number and register, and the tracee is killed before it
 * can run a syscall for real.
 *
 * A session can be driven by a debugger: run forward until a breakpoint,
 * watchpoint, single step, signal or the end; read registers and memory
 * (breakpoint bytes hidden). rep_run() is the no-debugger loop. Both report
 * their own errors (one line) and return -1 for them: they are top loops.
 */
#ifndef REWIND_REPLAY_REPLAY_H
#define REWIND_REPLAY_REPLAY_H

#include <sys/user.h>

#include "base/base.h"

struct trace_header;

struct rep_opts {
	const char *trace_dir;
	uint64_t *echo_after;  /* if set: echo only events past *echo_after, and raise it */
	bool echo;            /* write the program's stdout/stderr bytes to ours */
	bool mark;            /* prefix each echoed write with [rewind PID EVENT] */
	const char *self_exe; /* an executable to exec before rebuilding (our own binary) */
	int32_t focus;        /* recorded pid of the process a debugger sees (0: the first);
	                       * its breakpoints, steps and signals stop, other processes run */
};

struct rep_result {
	int wait_status; /* as recorded and reproduced */
	char *prog;      /* argv[0] of the recording; caller frees */
	uint64_t events;
};

int rep_run(const struct rep_opts *o, struct rep_result *ret);

/* ---- debugger interface ---- */
struct rep_session;

enum rep_stop_kind {
	RSTOP_NONE,
	RSTOP_BREAKPOINT, /* a software (int3) breakpoint at addr; rip == addr */
	RSTOP_HWBREAK,    /* a hardware breakpoint at addr */
	RSTOP_WATCH,      /* watchpoint on addr (watch_kind) was hit */
	RSTOP_STEP,       /* one instruction was executed */
	RSTOP_SIGNAL,     /* the program is about to receive sig (delivered on the next resume) */
	RSTOP_EXITED,     /* the recording ended: status is the wait status */
	RSTOP_INTERRUPT,  /* the interrupt callback asked to stop */
	RSTOP_EVENT,      /* the requested event is next */
	RSTOP_END,        /* the end of the recording (with rep_set_stop_at_end) */
	RSTOP_EXEC,       /* the process the debugger sees exec'd (rep_set_exec_stops): forward,
	                   * the new program stands at its entry; the timeline also reports
	                   * the way back, just before the execve. rep_exe_path() names the
	                   * program now, and the user's breakpoints are gone with the old one */
	RSTOP_GUARD,      /* the program read (or wrote) the bytes that the trap of the
	                   * conditional breakpoint at addr patched: from that instruction on,
	                   * this session is not the recording; the breakpoint is hidden
	                   * during the current event (rep_hide_bp). Go back to a position
	                   * before and run again */
	RSTOP__COUNT
};

enum rep_bp_kind {
	RBP_SW,     /* int3 */
	RBP_HW,     /* hardware execution breakpoint */
	RBP_WRITE,  /* watchpoints on debug registers */
	RBP_READ,   /* (x86 has no read-only watchpoints: reported on any access) */
	RBP_ACCESS,
	RBP__COUNT
};

struct rep_stop {
	enum rep_stop_kind kind;
	uint64_t addr;
	enum rep_bp_kind watch_kind;
	int sig;
	int status;
};

int rep_session_open(const struct rep_opts *o, struct rep_session **ret);
void rep_session_close(struct rep_session *s);
/*
 * Run forward until something stops it (see enum rep_stop_kind). step: one
 * instruction. until_event: stop when event N is the next to run (0: no
 * limit). interrupt: polled between events. 0 with *stop filled, or -1
 * (reported).
 */
int rep_resume(struct rep_session *s, bool step, uint64_t until_event,
	       bool (*interrupt)(void *arg), void *arg, struct rep_stop *stop);
/* Breakpoints and watchpoints: 0, -ENOSPC (no debug register left), -EINVAL, -EFAULT. */
int rep_insert(struct rep_session *s, enum rep_bp_kind kind, uint64_t addr, uint64_t len);
int rep_remove(struct rep_session *s, enum rep_bp_kind kind, uint64_t addr, uint64_t len);
/*
 * Attach a condition (copied; NULL: none) to the software breakpoint at
 * addr: it becomes an in-tracee trap (src/trap) that stops only when cond
 * holds, where the instruction allows one, and an int3 otherwise. Stops at
 * it are still RSTOP_BREAKPOINT; the caller may evaluate its own condition
 * again. -ENOENT: no breakpoint there.
 */
struct trap_cond;
int rep_insert_cond(struct rep_session *s, uint64_t addr, const struct trap_cond *cond);
/* Off: conditional breakpoints become plain int3s (for searches that need every stop). */
void rep_set_traps(struct rep_session *s, bool on);
/*
 * The program reads its own code at the software breakpoint at addr: do
 * not patch it while the next event to run is in [from_event, until_event]
 * (widening the range it has). Meanwhile it is carried by a debug register
 * (the last free one if need be: finding a state point then fails with an
 * error), else by an int3, with a warning. Stops at it are still
 * RSTOP_BREAKPOINT. -ENOENT: no breakpoint there.
 *
 * A conditional breakpoint's trap is guarded: while it is in, access
 * watchpoints (debug registers) cover the bytes it patched. It is made a
 * trap only when they fit, keeping one register free; a watchpoint of the
 * user's that needs their registers takes them (the breakpoint becomes an
 * int3).
 */
int rep_hide_bp(struct rep_session *s, uint64_t addr, uint64_t from_event, uint64_t until_event);
/*
 * On: an exec of the process the debugger sees ends rep_resume() with
 * RSTOP_EXEC, and drops the user's breakpoints and watchpoints (the
 * debugger sets them again in the new program). Off (the default): they
 * are put back at the same addresses in the new program.
 */
void rep_set_exec_stops(struct rep_session *s, bool on);
/*
 * The program the debugger's process runs now came from the exec at event
 * exec_event (0: none replayed yet), whose execve started at event
 * start_event with registers regs (recorded at the syscall's entry).
 */
struct rep_image {
	uint64_t exec_event;
	uint64_t start_event;
	struct user_regs_struct regs;
};
void rep_image(struct rep_session *s, struct rep_image *ret);
/* Tracee memory as the program sees it (without our int3 bytes). */
int rep_read_mem(struct rep_session *s, uint64_t addr, void *dst, size_t len);
int rep_regs(struct rep_session *s, struct user_regs_struct *ret);
int rep_fpregs(struct rep_session *s, struct user_fpregs_struct *fp, unsigned char ymmh[16][16],
	       bool *ret_avx);
/* The number of the next event to run (the current event, as 'when' shows it). */
uint64_t rep_current_event(struct rep_session *s);
int32_t rep_recorded_tid(struct rep_session *s);
/* The live threads (recorded tids) of the process the debugger sees; at most max. */
size_t rep_threads(struct rep_session *s, int32_t *tids, size_t max);
/*
 * Read that thread's registers from now on (gdb's Hg; 0 or -1: the thread
 * that stopped), until the next resume. -ESRCH if it is not a live thread.
 */
int rep_select_thread(struct rep_session *s, int32_t tid);
const struct trace_header *rep_header(struct rep_session *s);
/* The program as saved in the trace (caller frees), and its auxiliary vector. */
char *rep_exe_path(struct rep_session *s);
const void *rep_auxv(struct rep_session *s, size_t *ret_len);
/*
 * Where the replay stands: the next event, the registers, whether nothing
 * has run since the last event finished (a boundary), and that last event.
 */
struct rep_pos {
	uint64_t event;
	struct user_regs_struct regs;
	bool boundary;
	uint32_t prev_kind;                  /* enum trace_ev_kind of event - 1 */
	uint32_t prev_sigkind;               /* its enum trace_sig_kind, for a signal */
	struct user_regs_struct prev_regs;   /* its recorded registers (syscall: at entry) */
	int64_t prev_nr;
	uint32_t prev_insn_len;              /* rdtsc */
};
int rep_position(struct rep_session *s, struct rep_pos *ret);
/*
 * Two register sets name the same thread state. eflags' RF (set by the
 * kernel at a hardware breakpoint stop) and TF (single-stepping) say how we
 * stopped, not where.
 */
bool rep_same_state(const struct user_regs_struct *a, const struct user_regs_struct *b);
/*
 * Checkpoints: a stopped fork of the replayed process plus the replay's
 * state, from which any number of new sessions can start. Taking one
 * returns -EAGAIN where a fork would not be a faithful copy (a signal about
 * to be delivered, a syscall about to be restarted) or after the exit, and
 * -ENOTSUP while several threads or processes live (a fork copies one).
 */
struct rep_checkpoint;
int rep_checkpoint_take(struct rep_session *s, struct rep_checkpoint **ret);
int rep_checkpoint_restore(struct rep_checkpoint *c, struct rep_session **ret);
void rep_checkpoint_free(struct rep_checkpoint *c);
const struct rep_pos *rep_checkpoint_pos(const struct rep_checkpoint *c);
/* Proportional memory of the checkpoint's process (PSS, KiB), 0 if unknown. */
uint64_t rep_checkpoint_pss_kb(const struct rep_checkpoint *c);
/* Called after each event that completes inside rep_resume() (to take checkpoints). */
void rep_set_boundary_hook(struct rep_session *s, void (*fn)(void *arg), void *arg);
/* Stop before the program's exit (RSTOP_END) instead of running it (RSTOP_EXITED). */
void rep_set_stop_at_end(struct rep_session *s, bool on);
/* Which signals stop the debugger (default: all but SIGALRM..., set by QPassSignals). */
void rep_set_pass_signal(struct rep_session *s, int sig, bool pass);

#endif /* REWIND_REPLAY_REPLAY_H */
