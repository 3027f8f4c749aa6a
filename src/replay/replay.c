// SPDX-License-Identifier: MIT
/*
 * replay: the replayer's top loop; see replay.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
#include "trap/trap.h"
#include "replay/replay.h"


/* Returned by advance() and the event handlers when a debugger stop interrupts an event. */
#define REP_STOPPED 1
#define REP_REPORTED 2 /* an error, already reported (a divergence) */
#define REP_GUARD 3    /* the program touched the bytes of the state point's trap */
#define MAX_BPS 256

struct sw_bp {
	uint64_t addr;
	uint8_t orig;
	bool inserted;
	struct trap_cond *cond; /* the user's condition as a trap, or NULL; owned */
	int trap;               /* armed as that trap (src/trap), guarded (bp_guard slots) */
	int hw;                 /* armed as the debug register of this slot (hidden) */
	bool hidden;            /* the program reads its code here: do not patch it (rep_hide_bp) */
	uint64_t hide_from;     /* ...while the next event to run is in [hide_from, hide_until] */
	uint64_t hide_until;    /* (0: never) */
};

struct hw_slot {
	bool used;
	bool internal;        /* ours (finding a state-identified point), not the user's */
	bool guard;           /* internal: watches the bytes a trap patched (struct point_guard) */
	bool bp_guard;        /* watches the bytes the trap of the breakpoint at user_addr patched */
	bool bp_hw;           /* carries the (hidden) software breakpoint at addr */
	enum rep_bp_kind kind;
	uint64_t addr, len;   /* the piece this debug register covers */
	uint64_t user_addr;   /* the address gdb asked for */
	uint64_t user_len;
};

/* An address space (shared by CLONE_VM clones). */
struct rep_mm {
	int refs;
	uint64_t brk_cur;
	struct trap_set *traps; /* in-tracee conditional traps in this address space */
	char *exe;              /* files/ name of the program exec'd into it (a fork's: its
	                         * parent's), NULL: the first program; owned */
	struct buf auxv;        /* and its auxiliary vector */
};

/* A file descriptor table (shared by CLONE_FILES clones): which fds are stdout/stderr. */
struct rep_files {
	int refs;
	struct sc_stdio stdio;
};

/*
 * A trap must never change what the program observes. While the state
 * point's trap is in, access watchpoints cover the bytes it patched, and a
 * fork of the address space taken just before keeps the state the search
 * started from. A program that reads (or writes) those bytes is put back
 * to that state and the search is made again without the trap.
 */
struct point_guard {
	bool on;
	struct task snap;
	struct user_regs_struct regs; /* cur's, when snap was taken */
};

/* One replayed thread. */
struct rep_task {
	struct task t;
	int32_t rec_tid;     /* its tid in the recording */
	int32_t rec_tgid;
	struct rep_mm *mm;
	struct rep_files *files;
	bool dead;
	bool entered;        /* stopped at the entry of a syscall an EV_ENTER/EV_CLONE ran */
	bool bp_seen;        /* its stop at bp_seen_rip reported the breakpoint there: the next
	                      * resume steps over it (any other stop there reports it first) */
	uint64_t bp_seen_rip;
	bool execing;        /* an EV_ENTER started its execve, which kills the other threads:
	                      * it runs in the kernel until its exec stop (taken at the
	                      * leader's EVF_REPLACED exit, or at its EV_SYSCALL if it is
	                      * the leader) */
	uint64_t exec_start;  /* the event that started its execve (exec_self), and its regs */
	struct user_regs_struct exec_regs;
	struct task_range *inflight; /* then: what the kernel wrote meanwhile at record time */
	size_t ninflight;
	uint64_t dr[4], dr7; /* what hw_apply() last wrote to its debug registers (an exec
	                      * clears them) */
	int deliver_sig;     /* passed with the next resume */
	int pre_injected;    /* a signal already queued for the next signal event */
	bool frame_pending;  /* deliver with a single step and write the frame */
	struct user_regs_struct frame_regs;
	uint64_t frame_addr;
	struct buf frame;
};

struct replayer {
	const struct rep_opts *o;
	struct trace_reader *rd;
	struct task *t;           /* cur's task */
	struct rep_task *cur;     /* the task of the current event */
	struct rep_task **tasks;
	size_t ntasks, tasks_alloc, nlive;
	struct trace_event ev;
	bool pending;    /* ev was read and is not finished */
	uint64_t done;   /* events finished */
	bool exited;
	int exit_status;
	int32_t rec_pid;
	int32_t focus;   /* the recorded pid of the process the debugger sees */
	int32_t view_tid; /* the thread the debugger selected (Hg), 0: the one that stopped */
	struct buf tmp;

	/* Debugger state. */
	bool stepping;
	struct rep_stop dbg;        /* why advance() stopped */
	struct sw_bp bps[MAX_BPS];
	size_t nbps;
	struct hw_slot hw[4];
	bool syscall_watch_hit;
	uint64_t syscall_watch_addr;
	enum rep_bp_kind syscall_watch_kind;
	bool pass_sig[65];
	bool stop_at_end;
	bool (*interrupt)(void *arg); /* polled while the program computes */
	void *interrupt_arg;
	bool sent_stop;               /* we sent a SIGSTOP to interrupt it */
	bool internal_hit;            /* the last stop was our internal debug register */
	bool progressed;         /* user code ran since the last event finished */
	struct trace_mark mark;  /* the reader before the pending event */
	void (*boundary_hook)(void *arg);
	void *boundary_arg;
	uint32_t prev_kind, prev_sigkind;
	struct user_regs_struct bregs; /* registers when the last event finished */
	struct user_regs_struct prev_regs;
	int64_t prev_nr;
	uint32_t prev_insn_len;
	struct trap_set *traps;         /* in-tracee conditional traps (src/trap) */
	int point_trap;                 /* the trap finding a state point, -1: none */
	struct user_regs_struct trap_regs; /* its stop's registers, as at its address */
	enum trap_hit_kind trap_kind;
	struct point_guard guard;       /* while r->point_trap is in */
	bool plain_bps;                 /* conditional breakpoints as int3s (rep_set_traps) */
	bool exec_stops;                /* rep_set_exec_stops */
	bool exec_stopped;              /* the focus exec'd in the last event: RSTOP_EXEC */
	struct rep_image img;           /* the focus process's program (rep_image) */
	uint64_t hide_next;             /* the next event to run at which a breakpoint is hidden
	                                 * or shown again (bp_hide_sync), 0: none */
};

static struct replayer *bug_rep;

static void rep_bug_context(void)
{
	struct replayer *r = bug_rep;
	if (r)
		fprintf(stderr, "  replayer: event %llu (%s), tid %d, stop %s\n",
			(unsigned long long)r->ev.num, trace_ev_kind_name(r->ev.kind),
			(int)r->t->tid, task_stop_name(r->t->stop));
}

static void set_cur(struct replayer *r, struct rep_task *t)
{
	r->cur = t;
	r->t = &t->t;
}

/*
 * The debugger sees one process (the first, or the one of replay -p): its
 * breakpoints live in that process's memory, its threads stop for the
 * debugger; other processes replay without stopping.
 */
static struct rep_task *find_rtask(struct replayer *r, int32_t rec_tid);

static bool in_focus(const struct replayer *r)
{
	return r->cur && r->cur->rec_tgid == r->focus;
}

static struct rep_task *focus_task(struct replayer *r)
{
	if (in_focus(r))
		return r->cur;
	for (size_t i = 0; i < r->ntasks; i++)
		if (r->tasks[i]->rec_tgid == r->focus && !r->tasks[i]->dead)
			return r->tasks[i];
	return NULL;
}

/*
 * What the debugger reads: the thread it selected, else the focus process's
 * (the current task if it is one), or before it exists (or after) the last task.
 */
static struct rep_task *view_task(struct replayer *r)
{
	struct rep_task *f;
	if (r->view_tid && (f = find_rtask(r, r->view_tid)) && f->rec_tgid == r->focus)
		return f;
	f = focus_task(r);
	return f ? f : r->cur;
}

static struct rep_task *find_rtask(struct replayer *r, int32_t rec_tid)
{
	for (size_t i = 0; i < r->ntasks; i++)
		if (r->tasks[i]->rec_tid == rec_tid && !r->tasks[i]->dead)
			return r->tasks[i];
	return NULL;
}

/* A new task; mm and files are shared with share_* (NULL: new ones copied from copy_*). */
static struct rep_task *rtask_new(struct replayer *r, int32_t rec_tid, int32_t rec_tgid,
				  struct rep_mm *mm, struct rep_files *files)
{
	struct rep_task *t = xcalloc(1, sizeof(*t));
	t->rec_tid = rec_tid;
	t->rec_tgid = rec_tgid;
	t->t.stop = TS_EXITED;
	t->t.tid = -1;
	t->t.mem_fd = -1;
	t->mm = mm;
	t->files = files;
	mm->refs++;
	files->refs++;
	GROW(r->tasks, r->tasks_alloc, r->ntasks + 1);
	r->tasks[r->ntasks++] = t;
	r->nlive++;
	return t;
}

static struct rep_mm *mm_new(uint64_t brk_cur)
{
	struct rep_mm *mm = xcalloc(1, sizeof(*mm));
	mm->brk_cur = brk_cur;
	mm->traps = trap_set_new();
	return mm;
}

static struct rep_files *files_new(const struct sc_stdio *copy)
{
	struct rep_files *f = xcalloc(1, sizeof(*f));
	if (copy)
		f->stdio = *copy;
	else
		sc_stdio_init(&f->stdio);
	return f;
}

static void mm_put(struct rep_mm *mm)
{
	if (--mm->refs == 0) {
		trap_set_free(mm->traps);
		free(mm->exe);
		buf_release(&mm->auxv);
		free(mm);
	}
}

static void files_put(struct rep_files *f)
{
	if (--f->refs == 0)
		free(f);
}

/* The task's announced syscall goes on to its exit event. */
static void end_entered(struct rep_task *t)
{
	t->entered = false;
	free(t->inflight);
	t->inflight = NULL;
	t->ninflight = 0;
}

static void rtask_free(struct rep_task *t)
{
	end_entered(t);
	task_kill(&t->t);
	task_release(&t->t);
	mm_put(t->mm);
	files_put(t->files);
	buf_release(&t->frame);
	free(t);
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
		     (int)r->ev.tid, msg);
}

static int check_regs(struct replayer *r, const struct user_regs_struct *want)
{
	struct user_regs_struct *have;
	if (task_regs(r->t, &have))
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
	switch (r->t->stop) {
	case TS_SIGNAL:
		snprintf(buf, sizeof(buf), "a %s", signal_name(r->t->sig));
		return buf;
	case TS_SYSEMU_ENTRY:
	case TS_SYSCALL_ENTRY:
		if (task_regs(r->t, &regs))
			return "a syscall";
		snprintf(buf, sizeof(buf), "syscall %s", sc_name((long)regs->orig_rax));
		return buf;
	case TS_EXITED:
		return "the program's exit";
	default:
		return task_stop_name(r->t->stop);
	}
}

/* ---- breakpoints ---- */

static struct sw_bp *find_bp(struct replayer *r, uint64_t addr)
{
	for (size_t i = 0; i < r->nbps; i++)
		if (r->bps[i].addr == addr)
			return &r->bps[i];
	return NULL;
}

static int hw_apply(struct replayer *r);
static void bp_hide_sync(struct replayer *r);

static int free_slots(const struct replayer *r)
{
	int n = 0;
	for (int i = 0; i < 4; i++)
		n += !r->hw[i].used;
	return n;
}

/* Put h into a free debug register (hw_apply() writes it): its index, or -1 if none is free. */
static int slot_take(struct replayer *r, struct hw_slot h)
{
	for (int i = 0; i < 4; i++)
		if (!r->hw[i].used) {
			r->hw[i] = h;
			r->hw[i].used = true;
			return i;
		}
	return -1;
}

/* The aligned 8-byte words covering the bytes a trap at rip patches: 1 or 2. */
static unsigned guard_words(uint64_t rip, uint64_t word[2])
{
	word[0] = rip & ~7ull;
	word[1] = (rip + TRAP_MIN_INSN - 1) & ~7ull;
	return word[1] == word[0] ? 1 : 2;
}

/* Free the debug registers that carry or guard the breakpoint at addr. */
static void bp_slots_free(struct replayer *r, uint64_t addr)
{
	bool any = false;
	for (int i = 0; i < 4; i++) {
		struct hw_slot *h = &r->hw[i];
		if (h->used && (h->bp_guard || h->bp_hw) && h->user_addr == addr) {
			*h = (struct hw_slot){ 0 };
			any = true;
		}
	}
	if (any)
		(void)hw_apply(r);
}

/*
 * A conditional breakpoint as a trap, guarded: access watchpoints on the
 * words it patches, only where they fit with a debug register left for
 * finding state points (hw_point()). 0 or -errno.
 */
static int bp_arm_trap(struct replayer *r, struct rep_task *f, struct sw_bp *bp)
{
	uint64_t word[2];
	unsigned need = guard_words(bp->addr, word);
	int err;

	if (free_slots(r) < (int)need + 1)
		return -ENOSPC;
	err = trap_insert(f->mm->traps, &f->t, bp->addr, bp->cond, &bp->trap);
	if (err) {
		bp->trap = -1;
		return err;
	}
	for (unsigned k = 0; k < need; k++)
		(void)slot_take(r, (struct hw_slot){ .bp_guard = true, .kind = RBP_ACCESS,
						     .addr = word[k], .len = 8,
						     .user_addr = bp->addr, .user_len = 1 });
	(void)hw_apply(r);
	return 0;
}

/*
 * Arm a breakpoint in the focus process: a guarded trap for a condition,
 * a debug register for a hidden one, else an int3, guarded too when it has
 * a condition and a register is left over. (A hidden one takes the last
 * free register: the program is known to read its code there, an int3
 * would be seen. Finding a state point then fails loudly.)
 */
static int bp_arm(struct replayer *r, struct sw_bp *bp)
{
	static const uint8_t int3 = 0xcc;
	struct rep_task *f = focus_task(r);
	int err;
	if (bp->inserted || !f || f->t.stop == TS_EXITED)
		return 0;
	bp_slots_free(r, bp->addr);
	bp->trap = bp->hw = -1;
	if (bp->cond && !r->plain_bps && !bp->hidden && bp_arm_trap(r, f, bp) == 0) {
		bp->inserted = true;
		return 0;
	}
	err = task_read(&f->t, bp->addr, &bp->orig, 1);
	if (err)
		return err;
	if (bp->hidden)
		bp->hw = slot_take(r, (struct hw_slot){ .bp_hw = true, .kind = RBP_HW,
							.addr = bp->addr, .len = 1,
							.user_addr = bp->addr, .user_len = 1 });
	if (bp->hw >= 0) {
		(void)hw_apply(r);
		bp->inserted = true;
		return 0;
	}
	if (bp->hidden)
		warning("the program reads its own code under the breakpoint at 0x%llx and the "
			"watchpoints use every debug register: it will see an int3 there",
			(unsigned long long)bp->addr);
	err = task_write(&f->t, bp->addr, &int3, 1);
	if (err)
		return err;
	bp->inserted = true;
	if (bp->cond && !bp->hidden && free_slots(r) >= 2) {
		(void)slot_take(r, (struct hw_slot){ .bp_guard = true, .kind = RBP_ACCESS,
						     .addr = bp->addr, .len = 1,
						     .user_addr = bp->addr, .user_len = 1 });
		(void)hw_apply(r);
	}
	return 0;
}

static void bp_disarm(struct replayer *r, struct sw_bp *bp)
{
	struct rep_task *f = focus_task(r);
	if (f && bp->trap >= 0)
		(void)trap_remove(f->mm->traps, &f->t, bp->trap);
	else if (f && bp->inserted && bp->hw < 0 && f->t.stop != TS_EXITED)
		(void)task_write(&f->t, bp->addr, &bp->orig, 1);
	bp_slots_free(r, bp->addr);
	bp->trap = bp->hw = -1;
	bp->inserted = false;
}

/*
 * Around a step over the breakpoint: an int3's byte out (*ret_byte) and in
 * again (bp_relay), its guard kept; any other kind disarmed and armed again.
 */
static void bp_lift(struct replayer *r, struct sw_bp *bp, bool *ret_byte)
{
	struct rep_task *f = focus_task(r);
	*ret_byte = bp->trap < 0 && bp->hw < 0 && f;
	if (!*ret_byte)
		bp_disarm(r, bp);
	else if (f->t.stop != TS_EXITED)
		(void)task_write(&f->t, bp->addr, &bp->orig, 1);
}

static void bp_relay(struct replayer *r, struct sw_bp *bp, bool byte)
{
	static const uint8_t int3 = 0xcc;
	struct rep_task *f = focus_task(r);
	if (!byte)
		(void)bp_arm(r, bp);
	else if (f && f->t.stop != TS_EXITED)
		(void)task_write(&f->t, bp->addr, &int3, 1);
}

/*
 * The program touched the bytes the breakpoint at addr patched (a trap's
 * or an int3's): from here on it is not the recording (RSTOP_GUARD), and the
 * breakpoint is hidden.
 */
static int bp_guard_hit(struct replayer *r, uint64_t addr)
{
	dbg(LM_REP, "event %llu: the program touched the code under the breakpoint at 0x%llx",
	    (unsigned long long)r->ev.num, (unsigned long long)addr);
	(void)rep_hide_bp((struct rep_session *)r, addr, r->done + 1, r->done + 1);
	r->dbg = (struct rep_stop){ .kind = RSTOP_GUARD, .addr = addr };
	return REP_STOPPED;
}

/*
 * After the address space changed (mmap, munmap, mremap, exec): a mapping
 * may have replaced an armed int3 (forget it: its saved byte is stale) or
 * made a pending breakpoint's address valid (arm it).
 */
static void bps_recheck(struct replayer *r)
{
	struct rep_task *f;
	trap_recheck(r->cur->mm->traps, r->t);
	(void)trap_attach(r->cur->mm->traps, r->t);
	f = focus_task(r);
	if (!f || (r->cur && !in_focus(r) && r->cur->mm != f->mm))
		return;
	for (size_t i = 0; i < r->nbps; i++) {
		struct sw_bp *bp = &r->bps[i];
		uint8_t b;
		if (bp->trap >= 0) {
			if (trap_find(f->mm->traps, bp->addr) == bp->trap)
				continue;
			bp->trap = -1; /* the trap went with its code */
			bp->inserted = false;
		} else if (bp->hw >= 0 && bp->inserted) {
			continue; /* nothing in memory to lose */
		}
		if (bp->inserted && (task_read(&f->t, bp->addr, &b, 1) || b != 0xcc))
			bp->inserted = false;
		if (!bp->inserted)
			(void)bp_arm(r, bp);
	}
}

/*
 * The debug registers of cur's task for the used slots: local enable, type
 * and length per slot in DR7. Only registers that differ from what the task
 * has are written: threads switch often, and all have the same slots.
 */
static int hw_apply(struct replayer *r)
{
	static const unsigned rw_bits[RBP__COUNT] = {
		[RBP_HW] = 0, [RBP_WRITE] = 1, [RBP_READ] = 3, [RBP_ACCESS] = 3,
	};
	struct rep_task *c = r->cur;
	uint64_t dr7 = 0;
	int err;
	for (int i = 0; i < 4; i++) {
		struct hw_slot *h = &r->hw[i];
		unsigned len_bits;
		if (!h->used || (!h->internal && !in_focus(r)))
			continue; /* the user's (and their traps' guards) live in the focus process */
		len_bits = h->len == 1 ? 0 : h->len == 2 ? 1 : h->len == 8 ? 2 : 3;
		if (h->kind == RBP_HW)
			len_bits = 0;
		if (!c || c->dr[i] != h->addr) {
			if (task_set_debugreg(r->t, i, h->addr))
				return -EINVAL;
			if (c)
				c->dr[i] = h->addr;
		}
		dr7 |= (1ull << (2 * i)) | ((uint64_t)rw_bits[h->kind] << (16 + 4 * i)) |
		       ((uint64_t)len_bits << (18 + 4 * i));
	}
	if (c && c->dr7 == dr7)
		return 0;
	err = task_set_debugreg(r->t, 7, dr7);
	if (!err && c)
		c->dr7 = dr7;
	return err;
}

/* Is the instruction at rip a syscall (by its real bytes)? */
static bool at_syscall_insn(struct replayer *r, uint64_t rip)
{
	uint8_t insn[2];
	if (in_focus(r) ? rep_read_mem((struct rep_session *)r, rip, insn, 2)
			: task_read(r->t, rip, insn, 2))
		return false;
	return insn[0] == 0x0f && insn[1] == 0x05;
}

/*
 * A stop inside a trampoline (src/trap): the state point's trap is an
 * internal hit (r->trap_regs holds the state at its address); a fault of
 * the relocated instruction is the program's, shown at its own address;
 * any other stop in there (a watchpoint, an interrupt) is shown where the
 * program is. The task's registers keep rip in the trampoline only for the
 * state point's trap, so that resuming runs the instruction and goes on.
 */
static int classify_trap_stop(struct replayer *r)
{
	struct user_regs_struct *regs, fixed;
	int id;

	if (task_regs(r->t, &regs))
		return 0;
	fixed = *regs;
	r->trap_kind = trap_hit(r->cur->mm->traps, r->t, r->t->sig, &fixed, &id);
	if (r->trap_kind != TRAP_HIT_NONE && id == r->point_trap) {
		r->trap_regs = fixed;
		r->internal_hit = true;
		return 0;
	}
	if (r->trap_kind == TRAP_HIT_NONE && !trap_locate(r->cur->mm->traps, r->t, &fixed))
		return 0;
	task_set_regs(r->t, &fixed);
	if (r->trap_kind == TRAP_HIT || r->trap_kind == TRAP_HIT_FAULT) {
		/* A conditional breakpoint whose condition held (or could not be read). */
		r->dbg = (struct rep_stop){ .kind = RSTOP_BREAKPOINT, .addr = fixed.rip };
		return REP_STOPPED;
	}
	return 0;
}

/*
 * Look at a SIGTRAP stop: ours (breakpoint, watchpoint, single step) means a
 * debugger stop, recorded in r->dbg; anything else belongs to the program.
 */
static int classify_trap(struct replayer *r, bool stepped)
{
	struct user_regs_struct *regs;
	siginfo_t si;
	uint64_t dr6 = 0;

	if (r->t->stop == TS_SIGNAL && trap_count(r->cur->mm->traps)) {
		int err = classify_trap_stop(r);
		if (err || r->internal_hit || r->trap_kind == TRAP_HIT_INSN_FAULT)
			return err;
	}
	if (r->t->stop != TS_SIGNAL || r->t->sig != SIGTRAP || task_getsiginfo(r->t, &si) ||
	    task_regs(r->t, &regs))
		return 0;
	if (si.si_code == SI_KERNEL) {
		struct sw_bp *bp = in_focus(r) ? find_bp(r, regs->rip - 1) : NULL;
		if (!bp || !bp->inserted)
			return 0;
		regs->rip--;
		task_set_regs(r->t, regs);
		r->dbg = (struct rep_stop){ .kind = RSTOP_BREAKPOINT, .addr = regs->rip };
		return REP_STOPPED;
	}
	if (si.si_code == TRAP_HWBKPT && !task_get_debugreg(r->t, 6, &dr6)) {
		(void)task_set_debugreg(r->t, 6, 0);
		for (int i = 0; i < 4; i++) {
			struct hw_slot *h = &r->hw[i];
			if (!(dr6 & (1u << i)) || !h->used)
				continue;
			if (h->bp_guard)
				return bp_guard_hit(r, h->user_addr);
			if (h->guard)
				return REP_GUARD;
			if (h->bp_hw) {
				r->dbg = (struct rep_stop){ .kind = RSTOP_BREAKPOINT, .addr = h->addr };
				return REP_STOPPED;
			}
			if (h->internal) {
				r->internal_hit = true;
				return 0;
			}
			r->dbg = (struct rep_stop){
				.kind = h->kind == RBP_HW ? RSTOP_HWBREAK : RSTOP_WATCH,
				.addr = h->user_addr, .watch_kind = h->kind,
			};
			return REP_STOPPED;
		}
		if (stepped && (dr6 & (1u << 14)))
			goto step;
	}
	/*
	 * Hardware breakpoints are perf events: hit tens of thousands of times a
	 * second they get throttled, and the trap comes without its DR6 bit. An
	 * unattributed trap at an armed execution breakpoint's address is it.
	 */
	if (!stepped && (si.si_code == TRAP_BRKPT || si.si_code == TRAP_HWBKPT)) {
		for (int i = 0; i < 4; i++) {
			struct hw_slot *h = &r->hw[i];
			if (!h->used || h->kind != RBP_HW || h->addr != regs->rip)
				continue;
			if (h->bp_hw) {
				r->dbg = (struct rep_stop){ .kind = RSTOP_BREAKPOINT, .addr = h->addr };
				return REP_STOPPED;
			}
			if (h->internal) {
				r->internal_hit = true;
				return 0;
			}
			r->dbg = (struct rep_stop){ .kind = RSTOP_HWBREAK, .addr = h->user_addr };
			return REP_STOPPED;
		}
		return 0;
	}
	if (stepped && (si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT))
		goto step;
	return 0;
step:
	r->dbg = (struct rep_stop){ .kind = RSTOP_STEP };
	return REP_STOPPED;
}

/*
 * Resume and wait. With an interrupt callback, the wait is cut into 50 ms
 * slices; when it asks to stop, a SIGSTOP stops the program wherever it is
 * computing, and that stop is reported as a debugger interrupt.
 */
static int resume_wait(struct replayer *r, enum task_resume how, int sig)
{
	siginfo_t si;
	int err;
	for (;;) {
		if (!r->interrupt) {
			err = task_step(r->t, how, sig);
		} else {
			task_drain_sigchld();
			err = task_resume(r->t, how, sig);
			if (err)
				return err;
			while (!r->sent_stop && task_wait_ready(r->t, 50) == -ETIMEDOUT)
				if (r->interrupt(r->interrupt_arg)) {
					syscall(SYS_tkill, r->t->tid, SIGSTOP);
					r->sent_stop = true;
				}
			err = task_wait(r->t);
		}
		/*
		 * A replayed child that exec'd gets SIGCHLD back as its exit signal
		 * (the kernel resets it at exec): its real exit notifies the real
		 * parent. Recorded SIGCHLDs are injected by us (SI_KERNEL); a real
		 * one (CLD_*) is not the program's to see.
		 */
		if (err || r->t->stop != TS_SIGNAL || r->t->sig != SIGCHLD ||
		    task_getsiginfo(r->t, &si) || si.si_code < CLD_EXITED || si.si_code > CLD_CONTINUED)
			return err;
		sig = 0;
	}
}

/* Our SIGSTOP arrived: a debugger interrupt at this point. */
static int check_interrupt(struct replayer *r)
{
	struct user_regs_struct *regs, fixed;
	if (!r->sent_stop || r->t->stop != TS_SIGNAL || r->t->sig != SIGSTOP)
		return 0;
	r->sent_stop = false;
	if (trap_count(r->cur->mm->traps) && task_regs(r->t, &regs) == 0) {
		fixed = *regs; /* stopped inside a trampoline: show where the program is */
		if (trap_locate(r->cur->mm->traps, r->t, &fixed) ||
		    trap_step_out(r->cur->mm->traps, r->t, &fixed) == 0)
			task_set_regs(r->t, &fixed);
	}
	r->dbg = (struct rep_stop){ .kind = RSTOP_INTERRUPT };
	return REP_STOPPED;
}

/*
 * From a SYSEMU entry stop (the syscall skipped), PTRACE_SYSCALL first
 * reports that syscall's exit: go there. 0, -EPROTO (another stop) or -errno.
 */
static int leave_sysemu_entry(struct replayer *r)
{
	int err = task_step(r->t, TR_SYSCALL, 0);
	if (err)
		return err;
	return r->t->stop == TS_SYSCALL_EXIT ? 0 : -EPROTO;
}

/*
 * A signal for a handler is injected with a single step, which stops at
 * the handler's first instruction. From a syscall stop that does not work:
 * the kernel queues the signal, but the step's own SIGTRAP comes first
 * (with the program still after its syscall). A state point can be such a
 * stop (right after a syscall: a recording made without traps has those),
 * so go to the signal's delivery stop first: resumed with the signal from
 * a syscall stop, the kernel raises it, and it stops there before any
 * instruction runs. 0 or -errno.
 */
static int signal_stop_for(struct replayer *r, int sig)
{
	int err = r->t->stop == TS_SYSEMU_ENTRY ? leave_sysemu_entry(r) : 0;
	if (err)
		return err;
	if (r->t->stop != TS_SYSCALL_EXIT && r->t->stop != TS_SYSCALL_ENTRY)
		return 0;
	err = task_step(r->t, TR_CONT, sig);
	if (err)
		return err;
	if (r->t->stop != TS_SIGNAL || r->t->sig != sig)
		return -EPROTO;
	return 0;
}

/*
 * Deliver a caught signal as the recording did: one single step into the
 * handler, the registers there checked, and the recorded frame written (its
 * kernel-filled fields differ between runs).
 */
static int deliver_frame(struct replayer *r, int sig)
{
	struct user_regs_struct *regs;
	int err;
	r->cur->frame_pending = false;
	err = task_step(r->t, TR_SINGLESTEP, sig);
	if (err)
		return err;
	if (r->t->stop != TS_SIGNAL || r->t->sig != SIGTRAP || task_regs(r->t, &regs)) {
		diverged(r, "expected %s's handler, got %s", signal_name(sig), stop_desc(r));
		return REP_REPORTED;
	}
	if (!rep_same_state(regs, &r->cur->frame_regs)) {
		diverged(r, "the handler of %s starts at rip 0x%llx rsp 0x%llx, recorded 0x%llx 0x%llx",
			 signal_name(sig), (unsigned long long)regs->rip,
			 (unsigned long long)regs->rsp, (unsigned long long)r->cur->frame_regs.rip,
			 (unsigned long long)r->cur->frame_regs.rsp);
		return REP_REPORTED;
	}
	err = task_write(r->t, r->cur->frame_addr, r->cur->frame.data, r->cur->frame.len);
	if (err) {
		diverged(r, "cannot write the signal frame: %s", strerror(-err));
		return REP_REPORTED;
	}
	return 0;
}

/* A breakpoint stop of cur (err REP_STOPPED) is reported: resuming steps over it. */
static int note_bp_stop(struct replayer *r, int err)
{
	if (err == REP_STOPPED && r->dbg.kind == RSTOP_BREAKPOINT) {
		r->cur->bp_seen = true;
		r->cur->bp_seen_rip = r->dbg.addr;
	}
	return err;
}

/*
 * Resume towards the next event. PTRACE_SYSCALL from a SYSEMU entry first
 * reports the exit of the skipped syscall: step over it. A breakpoint at
 * rip is reported if this stop did not report it, else stepped over (a
 * syscall instruction is never single-stepped: the kernel would run it).
 * When the debugger asked for one step, one instruction runs, unless it is
 * a syscall, which runs as its event.
 * Returns 0 (the stop is the task's), REP_STOPPED (a debugger stop),
 * REP_REPORTED (a divergence, reported) or -errno.
 */
static int advance(struct replayer *r, enum task_resume how)
{
	struct user_regs_struct *regs;
	struct sw_bp *bp = NULL;
	bool sys, single, byte = false;
	int sig = r->cur->deliver_sig, err;

	r->cur->deliver_sig = 0;
	r->progressed = true;
	if (r->cur->frame_pending) {
		err = sig ? signal_stop_for(r, sig) : 0;
		if (err)
			return err;
		err = deliver_frame(r, sig);
		if (err)
			return err;
		sig = 0;
		if (r->stepping) {
			r->dbg = (struct rep_stop){ .kind = RSTOP_STEP };
			return REP_STOPPED;
		}
	}
	err = task_regs(r->t, &regs);
	if (err)
		return err;
	bp = find_bp(r, regs->rip);
	if (bp && !bp->inserted)
		bp = NULL;
	/*
	 * Stopped at a breakpoint's address for a reason of ours (an event's
	 * boundary, a state point, a checkpoint): running that instruction is a
	 * hit the program makes, reported before it runs. (A signal to deliver
	 * goes first: the hit comes when its handler returns there.)
	 */
	if (bp && !sig && !r->stepping && in_focus(r) &&
	    !(r->cur->bp_seen && r->cur->bp_seen_rip == regs->rip)) {
		r->dbg = (struct rep_stop){ .kind = RSTOP_BREAKPOINT, .addr = regs->rip };
		return note_bp_stop(r, REP_STOPPED);
	}
	r->cur->bp_seen = false;
	sys = (bp || r->stepping) && at_syscall_insn(r, regs->rip);
	single = !sys && (bp || r->stepping);
	/*
	 * From a SYSEMU entry stop, PTRACE_SYSCALL reports the skipped call's
	 * exit first, and a single step traps on the way out of it before any
	 * instruction runs (from a checkpoint's copy the same step runs one):
	 * go to the exit stop first. The registers stay as they are.
	 */
	if ((how == TR_SYSCALL || single) && r->t->stop == TS_SYSEMU_ENTRY) {
		err = leave_sysemu_entry(r);
		if (err)
			return err;
	}
	if (bp)
		bp_lift(r, bp, &byte);
	if (single) {
		err = task_step(r->t, TR_SINGLESTEP, sig);
		if (bp)
			bp_relay(r, bp, byte);
		if (err)
			return err;
		sig = 0;
		err = note_bp_stop(r, classify_trap(r, true));
		if (err != REP_STOPPED || r->dbg.kind != RSTOP_STEP || r->stepping)
			return err; /* a debugger stop, or the program's own stop (a fault) */
		/* Stepped off the breakpoint: go on as asked. */
	}
	err = resume_wait(r, how, sig);
	if (bp && sys)
		bp_relay(r, bp, byte);
	if (err)
		return err;
	err = check_interrupt(r);
	return err ? err : note_bp_stop(r, classify_trap(r, false));
}

static int expect(struct replayer *r, enum task_resume how, enum task_stop want, const char *what)
{
	int err = advance(r, how);
	if (err == REP_STOPPED)
		return err;
	if (err == REP_REPORTED)
		return -1;
	if (err == -ESRCH || err == -ECHILD)
		return diverged(r, "the tracee vanished");
	if (err == -EPROTO)
		return diverged(r, "unexpected stop before %s", what);
	if (err)
		return error("ptrace failed at event %llu: %s", (unsigned long long)r->ev.num,
			     strerror(-err));
	if (r->t->stop != want)
		return diverged(r, "expected %s, got %s", what, stop_desc(r));
	return 0;
}

static int remote(struct replayer *r, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		  uint64_t a4, uint64_t a5, int64_t *ret)
{
	uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	int err = task_remote_syscall(r->t, nr, args, ret);
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
		err = task_write(r->t, REWIND_PAGE_SCRATCH, path, n);
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
		err = task_write(r->t, m->start, m->data, m->data_len);
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

	err = task_to_exit_stop(r->t);
	if (err)
		return error("cannot stop the new program after exec: %s", strerror(-err));
	err = rec_map_rewind_page(r->t, NULL);
	if (err)
		return error("cannot map the rewind page at 0x%llx: %s",
			     (unsigned long long)REWIND_PAGE_ADDR, strerror(-err));
	err = task_read_maps(r->t, &tm, &n);
	if (err)
		return error("cannot read the tracee's mappings: %s", strerror(-err));
	for (size_t i = 0; i < n && !err; i++) {
		if (tm[i].start == REWIND_PAGE_ADDR || tm[i].start == REWIND_POOL_ADDR ||
		    !strcmp(tm[i].path, "[vsyscall]"))
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
	task_set_regs(r->t, &r->ev.regs);
	r->cur->mm->brk_cur = 0;
	return 0;
}

/*
 * A recorded mmap or mremap is about to land on a trampoline page or on
 * trapped code (replay maps with MAP_FIXED): take the traps out first;
 * bps_recheck() puts back those that still fit.
 */
static void traps_make_room(struct replayer *r, const struct trace_event *ev)
{
	const struct user_regs_struct *a = &ev->regs;
	uint64_t lo = (uint64_t)ev->ret, len = ev->nr == SYS_mremap ? a->rdx : a->rsi;

	if (ev->ret < 0 || ev->nr == SYS_brk)
		return;
	if (trap_overlaps(r->cur->mm->traps, lo, lo + ALIGN_UP(len, 4096ull)) ||
	    (ev->nr == SYS_mremap && trap_overlaps(r->cur->mm->traps, a->rdi, a->rdi + a->rsi)))
		(void)trap_detach(r->cur->mm->traps, r->t, false);
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
		uint64_t want = (uint64_t)ev->ret, cur = r->cur->mm->brk_cur;
		uint64_t lo = ALIGN_UP(cur, 4096ull), hi = ALIGN_UP(want, 4096ull);
		r->cur->mm->brk_cur = want;
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
		int k = snprintf(mark, sizeof(mark), "[rewind %d %llu] ", (int)r->cur->rec_tgid,
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

/*
 * Echo this event's output? Only once per event over the whole session:
 * replays that go back over it again (reverse execution) stay silent.
 */
static bool echo_first_time(struct replayer *r, const struct trace_event *ev)
{
	if (!r->o->echo)
		return false;
	if (r->o->echo_after) {
		if (ev->num <= *r->o->echo_after)
			return false;
		*r->o->echo_after = ev->num;
	}
	return true;
}

/* The program wrote to its stdout or stderr: write the same bytes to ours. */
static void echo_write(struct replayer *r, const struct trace_event *ev)
{
	const struct user_regs_struct *a = &ev->regs;
	uint64_t fd = a->rdi, left = (uint64_t)ev->ret;
	int out;

	if (ev->ret <= 0 || !(out = sc_stdio_of(&r->cur->files->stdio, fd)) || !echo_first_time(r, ev))
		return;
	buf_reset(&r->tmp);
	if (ev->nr == SYS_write || ev->nr == SYS_pwrite64) {
		void *dst = buf_append_space(&r->tmp, left);
		if (task_read(r->t, a->rsi, dst, left))
			return;
	} else {
		uint64_t cnt = MIN(a->rdx, 1024ull);
		for (uint64_t i = 0; i < cnt && left; i++) {
			struct iovec iov;
			if (task_read(r->t, a->rsi + i * sizeof(iov), &iov, sizeof(iov)))
				return;
			uint64_t k = MIN((uint64_t)iov.iov_len, left);
			void *dst = buf_append_space(&r->tmp, k);
			if (task_read(r->t, (uint64_t)iov.iov_base, dst, k))
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
	int fds[2];
	const int *pair = rec_new_fd_pair(ev, fds);
	if ((ev->flags & EVF_ECHO) && ev->nmem) {
		const struct trace_mem *m = &ev->mem[ev->nmem - 1];
		int out = sc_stdio_of(&r->cur->files->stdio, ev->nr == SYS_sendfile ? args[0] : args[2]);
		if (out && echo_first_time(r, ev))
			echo_bytes(r, out, m->data, m->len);
	}
	sc_stdio_update(&r->cur->files->stdio, d, args, ev->ret, pair);
}

static int write_outputs(struct replayer *r, const struct trace_event *ev)
{
	uint32_t n = ev->nmem - ((ev->flags & EVF_ECHO) && ev->nmem ? 1 : 0);
	for (uint32_t i = 0; i < n; i++) {
		const struct trace_mem *m = &ev->mem[i];
		for (int k = 0; k < 4; k++) {
			const struct hw_slot *h = &r->hw[k];
			if (h->used && h->kind != RBP_HW && m->addr < h->addr + h->len &&
			    h->addr < m->addr + m->len && !r->syscall_watch_hit) {
				r->syscall_watch_hit = true;
				r->syscall_watch_addr = h->user_addr;
				r->syscall_watch_kind = h->kind;
			}
		}
		int err = task_write(r->t, ev->mem[i].addr, ev->mem[i].data, ev->mem[i].len);
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
	} else if (ev->nr == SYS_prlimit64 && (a->rdi == 0 || a->rdi == (uint64_t)r->cur->rec_tgid)) {
		res = a->rsi;
		newp = a->rdx;
	} else {
		return 0;
	}
	if (!newp || res == RLIMIT_CORE)
		return 0;
	return remote(r, SYS_prlimit64, 0, res, newp, 0, 0, 0, &ret);
}

/*
 * Is the event after the pending one a signal injected at this boundary
 * (with a recorded frame, if with_frame)? Its number in *ret_sig. The
 * reader is left where it was.
 */
static bool peek_next_signal(struct replayer *r, int *ret_sig, bool with_frame)
{
	struct trace_mark m;
	struct trace_event next;
	bool ok;
	trace_reader_mark(r->rd, &m);
	ok = trace_read_event(r->rd, &next) > 0 && next.kind == EV_SIGNAL &&
	     next.sigkind == SIGK_BOUNDARY && (!with_frame || (next.flags & EVF_FRAME));
	*ret_sig = next.sig;
	if (trace_reader_seek(r->rd, &m))
		return false;
	return ok;
}

/*
 * ppoll, pselect6 and epoll_pwait(2) with a signal mask, interrupted by a
 * signal: the kernel delivered it under the call's mask. The call is
 * emulated (its fds do not exist in replay), so install that mask before
 * the signal goes in; the recorded frame holds the mask from before the
 * call, which the handler's rt_sigreturn restores.
 */
static int apply_wait_mask(struct replayer *r, const struct trace_event *ev)
{
	const struct user_regs_struct *a = &ev->regs;
	uint64_t mask = 0, size = 8;
	int64_t ret;
	int sig;

	if (ev->ret != -EINTR && ev->ret != -514)
		return 0;
	switch (ev->nr) {
	case SYS_ppoll:
		mask = a->r10;
		size = a->r8;
		break;
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		mask = a->r8;
		size = a->r9;
		break;
	case SYS_pselect6: {
		uint64_t desc[2];
		if (!a->r9 || task_read(r->t, a->r9, desc, sizeof(desc)))
			return 0;
		mask = desc[0];
		size = desc[1];
		break;
	}
	default:
		return 0;
	}
	if (!mask || !peek_next_signal(r, &sig, true))
		return 0;
	return remote(r, SYS_rt_sigprocmask, SIG_SETMASK, mask, 0, size, 0, 0, &ret);
}

/*
 * Bring the task to the entry of the event's syscall and check its
 * registers there, unless an EV_ENTER or EV_CLONE already did.
 */
static int enter(struct replayer *r, enum task_resume how, enum task_stop want, const char *what)
{
	int err;
	if (r->cur->entered) {
		end_entered(r->cur);
		/* Entered for real, replayed as emulated: the kernel must not run it. */
		if (how == TR_SYSEMU && r->t->stop == TS_SYSCALL_ENTRY) {
			err = task_to_exit_stop(r->t);
			if (err)
				return diverged(r, "the tracee vanished");
		}
		return 0;
	}
	err = expect(r, how, want, what);
	return err ? err : check_regs(r, &r->ev.regs);
}

/*
 * rt_sigsuspend interrupted by a signal: the kernel delivered it under the
 * call's temporary mask and saved the old mask in the signal frame. Run it
 * for real with that signal already queued, so the same happens; the signal
 * event that follows then finds it pending.
 */
static int replay_sigsuspend(struct replayer *r, int sig)
{
	struct user_regs_struct *regs;
	int err = enter(r, TR_SYSCALL, TS_SYSCALL_ENTRY, "rt_sigsuspend");
	if (err)
		return err;
	r->cur->deliver_sig = sig;
	err = expect(r, TR_SYSCALL, TS_SYSCALL_EXIT, "rt_sigsuspend");
	if (err)
		return err;
	if (task_regs(r->t, &regs))
		return diverged(r, "the tracee vanished");
	if ((int64_t)regs->rax != r->ev.ret)
		return diverged(r, "rt_sigsuspend returned %lld, recorded %lld",
				(long long)regs->rax, (long long)r->ev.ret);
	r->cur->pre_injected = sig;
	return 0;
}

/*
 * At the entry of the event's execve: make it exec our own binary, whose
 * address space the recorded one then replaces (replay_exec).
 */
static int exec_self(struct replayer *r, const struct trace_event *ev)
{
	struct user_regs_struct *regs;
	r->cur->exec_start = ev->num;
	r->cur->exec_regs = ev->regs;
	if (task_write(r->t, REWIND_PAGE_SCRATCH, r->o->self_exe, strlen(r->o->self_exe) + 1))
		return error("cannot write to the tracee");
	if (task_regs(r->t, &regs))
		return diverged(r, "the tracee vanished");
	if (ev->nr == SYS_execveat) {
		regs->rdi = (uint64_t)AT_FDCWD;
		regs->rsi = REWIND_PAGE_SCRATCH;
		regs->r8 = 0;
	} else {
		regs->rdi = REWIND_PAGE_SCRATCH;
	}
	task_set_regs(r->t, regs);
	return 0;
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
	if (ev->nr == SYS_rt_sigsuspend && (ev->ret == -EINTR || ev->ret == -514)) {
		int sig;
		if (peek_next_signal(r, &sig, false))
			return replay_sigsuspend(r, sig);
	}
	switch (how) {
	case SC_CLONE:
		if (r->cur->entered) {
			/* EV_CLONE ran it: the task waits at its exit with the real child's tid. */
			end_entered(r->cur);
			if (ev->flags & EVF_EXIT_REGS) {
				task_set_regs(r->t, &ev->exit_regs);
			} else if (task_regs(r->t, &regs) == 0) {
				regs->rax = (uint64_t)ev->ret;
				task_set_regs(r->t, regs);
			}
			/* Its recorded outputs: a CLONE_PIDFD's fd number (the real one has none). */
			return write_outputs(r, ev);
		}
		/* A clone that failed is emulated. */
		__attribute__((fallthrough));
	case SC_EMU:
	case SC_MMAP:
		/* Killed by an exec before it got there (at record time, at its entry). */
		if ((ev->flags & EVF_NO_RETURN) && r->t->stop == TS_EXIT_EVENT && !r->cur->entered)
			return 0;
		err = enter(r, TR_SYSEMU, TS_SYSEMU_ENTRY, d->name);
		if (err || (ev->flags & EVF_NO_RETURN))
			return err; /* the process died in it: the exit event follows */
		if (how == SC_EMU)
			err = apply_rlimit(r, ev);
		if (!err && how == SC_EMU)
			err = apply_wait_mask(r, ev);
		if (!err && how == SC_MMAP) {
			traps_make_room(r, ev);
			err = replay_mmap(r, ev);
			if (!err)
				bps_recheck(r);
		}
		if (err)
			return err;
		err = task_regs(r->t, &regs);
		if (err)
			return diverged(r, "the tracee vanished");
		if (ev->flags & EVF_EXIT_REGS) {
			task_set_regs(r->t, &ev->exit_regs);
		} else {
			regs->rax = (uint64_t)ev->ret;
			task_set_regs(r->t, regs);
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
		err = enter(r, TR_SYSCALL, TS_SYSCALL_ENTRY, d->name);
		if (!err)
			err = expect(r, TR_SYSCALL, TS_SYSCALL_EXIT, d->name);
		if (err)
			return err;
		if (how == SC_SIGRETURN)
			return check_regs(r, &ev->exit_regs);
		err = task_regs(r->t, &regs);
		if (err)
			return diverged(r, "the tracee vanished");
		if ((int64_t)regs->rax != ev->ret)
			return diverged(r, "%s returned %lld, recorded %lld", d->name,
					(long long)regs->rax, (long long)ev->ret);
		if (ev->nr == SYS_munmap)
			bps_recheck(r);
		return write_outputs(r, ev);
	case SC_EXIT:
		err = enter(r, TR_SYSCALL, TS_SYSCALL_ENTRY, d->name);
		if (err || r->nlive == 1)
			return err;
		/* Other tasks' exits follow: an exit_group must kill them now, as recorded. */
		err = task_step(r->t, TR_SYSCALL, 0);
		if (!err && r->t->stop != TS_EXIT_EVENT)
			return diverged(r, "expected the task's exit, got %s", stop_desc(r));
		return err ? diverged(r, "the tracee vanished") : 0;
	case SC_EXECVE:
		if (r->cur->entered) {
			/*
			 * Started by its EV_ENTER. From a thread other than the leader,
			 * the leader's EVF_REPLACED exit took its exec stop; from the
			 * leader, it comes now (the other threads are reaped).
			 */
			end_entered(r->cur);
			if (r->cur->execing && r->t->stop != TS_EXEC && task_wait(r->t))
				return diverged(r, "the tracee vanished");
			r->cur->execing = false;
			return r->t->stop == TS_EXEC ? 0 : diverged(r, "expected the exec, got %s",
								     stop_desc(r));
		}
		err = enter(r, TR_SYSCALL, TS_SYSCALL_ENTRY, d->name);
		if (!err)
			err = exec_self(r, ev);
		return err ? err : expect(r, TR_SYSCALL, TS_EXEC, "exec");
	default:
		return diverged(r, "the trace holds unsupported syscall %s", d->name);
	}
}

/* A signal delivered to a handler: its frame goes in at the next resume. */
static void keep_frame(struct replayer *r, const struct trace_event *ev)
{
	if (!(ev->flags & EVF_FRAME) || !ev->nmem)
		return;
	buf_reset(&r->cur->frame);
	buf_append(&r->cur->frame, ev->mem[0].data, ev->mem[0].len);
	r->cur->frame_addr = ev->mem[0].addr;
	r->cur->frame_regs = ev->exit_regs;
	r->cur->frame_pending = true;
}

/*
 * The state digest, without the trampoline pages the recording did not have,
 * the scratch pool (the recorder's reads went there) and what the blocked
 * syscalls of the threads sharing the memory write (the recorder leaves
 * those out too, since format version 3: replay_enter).
 */
static int point_digest(struct replayer *r, uint64_t rsp, uint64_t *ret)
{
	size_t n, alloc = 0;
	const struct task_range *traps = trap_ranges(r->cur->mm->traps, &n);
	struct task_range *skip = NULL;
	int err;
	GROW(skip, alloc, n + 1);
	if (n)
		memcpy(skip, traps, n * sizeof(*skip));
	skip[n++] = (struct task_range){ REWIND_POOL_ADDR, REWIND_POOL_ADDR + REWIND_POOL_SIZE };
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct rep_task *o = r->tasks[i];
		if (o == r->cur || o->dead || o->mm != r->cur->mm || !o->ninflight)
			continue;
		GROW(skip, alloc, n + o->ninflight);
		memcpy(skip + n, o->inflight, o->ninflight * sizeof(*skip));
		n += o->ninflight;
	}
	err = task_state_digest_skip(r->t, rsp, skip, n, ret);
	free(skip);
	return err;
}

/* Before a trap goes in at rip: the copy to go back to, the watchpoints (struct point_guard). */
static int guard_start(struct replayer *r, uint64_t rip)
{
	struct point_guard *g = &r->guard;
	struct user_regs_struct *regs;
	uint64_t word[2];
	unsigned need = guard_words(rip, word);
	int err;

	if (free_slots(r) < (int)need)
		return -ENOSPC;
	err = task_regs(r->t, &regs);
	if (!err) {
		g->regs = *regs;
		err = task_fork(r->t, &g->snap);
	}
	if (err)
		return err;
	g->on = true;
	for (unsigned k = 0; k < need; k++)
		(void)slot_take(r, (struct hw_slot){ .internal = true, .guard = true,
						     .kind = RBP_ACCESS, .addr = word[k], .len = 8,
						     .user_addr = word[k], .user_len = 8 });
	return 0;
}

static void guard_stop(struct replayer *r)
{
	struct point_guard *g = &r->guard;
	if (!g->on)
		return;
	for (int i = 0; i < 4; i++)
		if (r->hw[i].guard)
			r->hw[i] = (struct hw_slot){ 0 };
	(void)hw_apply(r);
	task_kill(&g->snap);
	task_release(&g->snap);
	g->on = false;
}

/* Take the state point's trap out, if any, and its guard. */
static void point_trap_drop(struct replayer *r)
{
	if (r->point_trap >= 0)
		(void)trap_remove(r->cur->mm->traps, r->t, r->point_trap);
	r->point_trap = -1;
	guard_stop(r);
}

/*
 * Find the state point with an in-tracee trap comparing the registers when
 * its instruction can carry one (r->point_trap; -1 otherwise), guarded
 * (struct point_guard). Not when a signal or frame is about to go in (the
 * page may need a remote mmap) or a breakpoint of the user's sits in the
 * instruction.
 */
static void point_trap_insert(struct replayer *r, const struct user_regs_struct *want)
{
	uint64_t rip = want->rip;
	struct trap_cond c;
	int err;

	uint64_t avoid[TRAP_MAX_AVOID + 1];
	size_t navoid = 0;
	bool watching = false;

	r->point_trap = -1;
	/* A single step (the debugger's) is one instruction: the hardware breakpoint does. */
	if (r->cur->deliver_sig || r->cur->frame_pending || r->stepping || !trap_enabled() ||
	    trap_find(r->cur->mm->traps, rip) >= 0 || !trap_patchable(r->t, rip))
		return;
	for (size_t i = 0; i < r->nbps; i++) {
		if (r->bps[i].inserted && r->bps[i].addr >= rip && r->bps[i].addr < rip + 16)
			return;
		/* The trampoline's copy of the code after rip must not skip a breakpoint. */
		if (navoid < ARRAY_SIZE(avoid))
			avoid[navoid] = r->bps[i].addr;
		navoid++;
	}
	for (int i = 0; i < 4; i++) {
		if (!r->hw[i].used || r->hw[i].internal || r->hw[i].bp_guard)
			continue; /* (a guard's hit ends the session's use anyway) */
		if (r->hw[i].kind != RBP_HW)
			watching = true; /* a watchpoint may stop inside the copy */
		else if (navoid < ARRAY_SIZE(avoid))
			avoid[navoid++] = r->hw[i].addr;
		else
			navoid++;
	}
	{
		struct user_regs_struct *now = NULL;
		(void)task_regs(r->t, &now);
		trap_cond_regs(&c, want, now);
	}
	err = guard_start(r, rip);
	if (!err)
		err = trap_insert_point(r->cur->mm->traps, r->t, rip, &c, avoid, navoid, watching,
					&r->point_trap);
	if (!err)
		err = hw_apply(r) ? -EINVAL : 0;
	if (err) {
		dbg(LM_REP, "no trap at 0x%llx for the state point: %s", (unsigned long long)rip,
		    strerror(-err));
		point_trap_drop(r);
	}
}

/* Look for the point at rip with an internal hardware breakpoint in a free slot. 0 or -1. */
static int hw_point(struct replayer *r, uint64_t rip, int *ret_slot)
{
	int i = slot_take(r, (struct hw_slot){ .internal = true, .kind = RBP_HW, .addr = rip,
					       .len = 1, .user_addr = rip });
	if (i >= 0) {
		*ret_slot = i;
		return hw_apply(r) ? diverged(r, "cannot set a debug register") : 0;
	}
	return error("replay needs a free debug register at event %llu (watchpoints use all "
		     "four): delete one", (unsigned long long)r->ev.num);
}

/*
 * The program touched the bytes of the state point's trap: back to the
 * state the search started from (the guard's copy), the trap out, and on
 * with a hardware breakpoint. 0 or -1 (reported).
 */
static int guard_undo(struct replayer *r, uint64_t rip, int *ret_slot)
{
	struct point_guard *g = &r->guard;
	size_t n, pages = 0;
	const struct task_range *pages_of_traps = trap_ranges(r->cur->mm->traps, &n);
	int err = task_restore_from(r->t, &g->snap, pages_of_traps, n, &pages);

	if (!err)
		task_set_regs(r->t, &g->regs);
	point_trap_drop(r);
	if (err)
		return error("replay at event %llu: the program read its own code where a trap was "
			     "patched in, and its state cannot be put back (%s): replay with "
			     "REWIND_TRAPS=0", (unsigned long long)r->ev.num,
			     err == -ENOTSUP ? "it has writable shared, MADV_DONTFORK or "
					       "MADV_WIPEONFORK memory" : strerror(-err));
	dbg(LM_REP, "event %llu: the program touched the trap's bytes at 0x%llx; %zu pages put "
	    "back, searching again without the trap", (unsigned long long)r->ev.num,
	    (unsigned long long)rip, pages);
	return hw_point(r, rip, ret_slot);
}

/*
 * The trapped instruction (or a trampoline memory read) faulted before the
 * point was found: drop the trap, put the program back at the instruction
 * and go on with a hardware breakpoint there (which then sees the fault as
 * the program's own). 0 or -1 (reported).
 */
static int point_trap_fault(struct replayer *r, uint64_t rip, int *ret_slot)
{
	point_trap_drop(r);
	task_set_regs(r->t, &r->trap_regs);
	return hw_point(r, rip, ret_slot);
}

/*
 * Run the current task to a recorded state-identified point: a trap in the
 * tracee comparing the registers where the instruction allows one,
 * otherwise a hardware breakpoint on its rip; at each hit, registers then
 * the memory digest. The task may stand there already (preempted before it
 * ran anything).
 */
/* Do these registers (the task's, at the point) and its memory make the wanted state? */
static bool at_state(struct replayer *r, const struct user_regs_struct *regs,
		     const struct user_regs_struct *want, uint64_t want_digest)
{
	uint64_t digest;
	return rep_same_state(regs, want) && point_digest(r, regs->rsp, &digest) == 0 &&
	       digest == want_digest;
}

/* Debug log: which part of the state differs at a hit that is not the point. */
static void explain_miss(struct replayer *r, const struct user_regs_struct *regs,
			 const struct user_regs_struct *want, uint64_t want_digest)
{
	const uint64_t *a = (const uint64_t *)regs, *b = (const uint64_t *)want;
	uint64_t digest = 0;
	for (size_t i = 0; i < sizeof(*regs) / 8; i++)
		if (a[i] != b[i] && i * 8 != offsetof(struct user_regs_struct, eflags))
			dbg(LM_REP, "hit: register word %zu is 0x%llx, recorded 0x%llx", i,
			    (unsigned long long)a[i], (unsigned long long)b[i]);
	(void)point_digest(r, regs->rsp, &digest);
	if (rep_same_state(regs, want))
		dbg(LM_REP, "hit: registers agree, memory digest %016llx, recorded %016llx",
		    (unsigned long long)digest, (unsigned long long)want_digest);
}

static int find_state(struct replayer *r, const struct user_regs_struct *want, uint64_t want_digest,
		      const char *what)
{
	struct trace_event *ev = &r->ev;
	struct user_regs_struct *regs;
	int slot = -1, err = 0;
	uint64_t start = now_ns();
	uint64_t hits = 0;
	bool warned = false;

	if (task_regs(r->t, &regs) == 0 && at_state(r, regs, want, want_digest))
		return 0;
	point_trap_insert(r, want);
	if (r->point_trap < 0)
		err = hw_point(r, want->rip, &slot);
	for (; !err;) {
		r->internal_hit = false;
		err = advance(r, TR_SYSEMU);
		if (err == REP_GUARD) {
			err = guard_undo(r, want->rip, &slot);
			continue;
		}
		if (err == REP_STOPPED)
			break;
		if (err == REP_REPORTED) {
			err = -1;
			break;
		}
		if (err) {
			err = diverged(r, "ptrace failed while looking for the %s's point: %s", what,
				       strerror(-err));
			break;
		}
		if (!r->internal_hit) {
			err = diverged(r, "expected %s in user code at rip 0x%llx, got %s", what,
				       (unsigned long long)want->rip, stop_desc(r));
			break;
		}
		if ((++hits & 1023) == 0 && !warned && now_ns() - start > 3000000000ull) {
			warning("replaying the %s at event %llu: the program was in a loop without "
				"syscalls; finding the exact point stops at every iteration and may "
				"take a long time", what, (unsigned long long)ev->num);
			warned = true;
		}
		if (task_regs(r->t, &regs)) {
			err = diverged(r, "the tracee vanished");
			break;
		}
		if (r->point_trap >= 0)
			regs = &r->trap_regs; /* the state at the trap's address */
		if (at_state(r, regs, want, want_digest))
			break;
		if (unlikely(log_levels[LM_REP] >= LOG_DEBUG))
			explain_miss(r, regs, want, want_digest);
		if (r->point_trap >= 0 && r->trap_kind != TRAP_HIT)
			err = point_trap_fault(r, want->rip, &slot);
	}
	if (slot >= 0) {
		r->hw[slot].used = false;
		r->hw[slot].internal = false;
		(void)hw_apply(r);
	}
	point_trap_drop(r);
	dbg(LM_REP, "state point of event %llu found after %llu hits%s",
	    (unsigned long long)ev->num, (unsigned long long)hits,
	    slot < 0 ? " (conditional trap)" : "");
	if (err)
		return err;
	/* The breakpoint stop set RF in eflags; what follows must see what was recorded. */
	regs->eflags &= ~0x10000ull;
	task_set_regs(r->t, regs);
	return 0;
}

/* A signal that landed in user code: delivered at its recorded state. */
static int replay_state_signal(struct replayer *r)
{
	struct trace_event *ev = &r->ev;
	int err = find_state(r, &ev->regs, ev->digest, signal_name(ev->sig));
	if (err)
		return err;
	if (task_setsiginfo(r->t, &ev->si))
		return diverged(r, "the tracee vanished");
	r->cur->deliver_sig = ev->sig;
	keep_frame(r, ev);
	return 0;
}

/* The recorder preempted the task here; other tasks' events follow. */
static int replay_sched(struct replayer *r)
{
	return find_state(r, &r->ev.regs, r->ev.digest, "preemption");
}

/* The task entered a syscall that blocked: stop it at the entry. */
static int replay_enter(struct replayer *r)
{
	const struct sc_desc *d = sc_lookup((long)r->ev.nr);
	bool emulated = d && (d->replay == SC_EMU || d->replay == SC_MMAP ||
			      d->replay == SC_CLONE) && r->ev.nr != SYS_rt_sigsuspend;
	int err;
	if (!d)
		return diverged(r, "the trace names unknown syscall %lld", (long long)r->ev.nr);
	err = emulated ? expect(r, TR_SYSEMU, TS_SYSEMU_ENTRY, d->name)
		       : expect(r, TR_SYSCALL, TS_SYSCALL_ENTRY, d->name);
	if (!err)
		err = check_regs(r, &r->ev.regs);
	if (!err)
		err = write_outputs(r, &r->ev);
	if (!err && d->replay == SC_EXECVE) {
		/*
		 * An execve while other threads live: their deaths follow, and they
		 * die because it runs. It goes on in the kernel; its exec stop comes
		 * under the leader's tid.
		 */
		err = exec_self(r, &r->ev);
		if (!err && task_resume(r->t, TR_SYSCALL, 0))
			err = diverged(r, "the tracee vanished");
		if (!err)
			r->cur->execing = true;
		/* Their kill is on its way: have them all in their exit stops before any runs. */
		for (size_t i = 0; !err && i < r->ntasks; i++) {
			struct rep_task *o = r->tasks[i];
			if (o == r->cur || o->dead || o->rec_tgid != r->cur->rec_tgid ||
			    o->t.stop == TS_EXIT_EVENT)
				continue;
			if (task_wait(&o->t) || o->t.stop != TS_EXIT_EVENT)
				err = diverged(r, "thread %d was not killed by the exec of thread %d",
					       (int)o->rec_tid, (int)r->cur->rec_tid);
		}
	}
	if (!err) {
		r->cur->entered = true;
		/* Older recorders counted them in the state digests. */
		if (trace_reader_version(r->rd) >= 3)
			rec_inflight_ranges(r->t, d, &r->ev.regs, &r->cur->inflight,
					    &r->cur->ninflight);
	}
	return err;
}

/* Put back the syscall arguments we changed, and orig_rax, as recorded. */
static void restore_args(struct task *t, const struct user_regs_struct *rec, uint64_t rax)
{
	struct user_regs_struct *regs;
	if (task_regs(t, &regs))
		return;
	regs->rdi = rec->rdi;
	regs->rsi = rec->rsi;
	regs->rdx = rec->rdx;
	regs->r10 = rec->r10;
	regs->r8 = rec->r8;
	regs->orig_rax = rec->orig_rax;
	regs->rax = rax;
	task_set_regs(t, regs);
}

/*
 * A clone/fork/vfork that made a task: run it for real as a clone with no
 * exit signal (no SIGCHLD the recording did not have) and without the vfork
 * wait (the recorded order of events decides who runs), then give both
 * tasks the recorded view: the arguments as the program passed them, the
 * recorded tid where CLONE_*_SETTID stored one. The parent stays at the
 * syscall's exit until its EV_SYSCALL (EVF_ENTERED).
 */
static int replay_clone(struct replayer *r)
{
	struct trace_event *ev = &r->ev;
	struct rep_task *p = r->cur, *c;
	struct user_regs_struct *regs;
	uint64_t flags = ev->nr == SYS_clone ? ev->regs.rdi : ev->nr == SYS_vfork ? CLONE_VM : 0;
	int32_t tid32 = (int32_t)ev->ret;
	pid_t tid;
	int err;

	err = expect(r, TR_SYSCALL, TS_SYSCALL_ENTRY, sc_name(ev->nr));
	if (!err)
		err = check_regs(r, &ev->regs);
	if (err)
		return err;
	/* A new address space would be a copy of ours, int3 bytes and trampolines included. */
	if (!(flags & CLONE_VM)) {
		for (size_t i = 0; i < r->nbps; i++)
			bp_disarm(r, &r->bps[i]);
		(void)trap_detach(r->cur->mm->traps, r->t, false);
		if (r->t->stop != TS_SYSCALL_ENTRY) {
			/*
			 * Its remote munmap ran from the clone's entry, which skipped
			 * the clone: back to the syscall instruction, and in again.
			 */
			struct user_regs_struct again = ev->regs;
			again.rip -= 2;
			again.rax = again.orig_rax;
			task_set_regs(r->t, &again);
			err = task_step(r->t, TR_SYSCALL, 0);
			if (err || r->t->stop != TS_SYSCALL_ENTRY)
				return diverged(r, "cannot enter %s again after taking the traps out: "
						"%s", sc_name(ev->nr), err ? strerror(-err)
									: stop_desc(r));
		}
	}
	if (task_regs(r->t, &regs))
		return diverged(r, "the tracee vanished");
	regs->orig_rax = SYS_clone;
	regs->rdi = flags & ~(uint64_t)(CLONE_VFORK | CLONE_PIDFD | 0xff);
	if (ev->nr != SYS_clone)
		regs->rsi = regs->rdx = regs->r10 = regs->r8 = 0;
	task_set_regs(r->t, regs);
	err = task_step(r->t, TR_SYSCALL, 0);
	if (err || r->t->stop != TS_CLONE_EVENT)
		return diverged(r, "%s did not create a task: %s", sc_name(ev->nr),
				err ? strerror(-err) : stop_desc(r));
	tid = (pid_t)r->t->event_msg;
	err = task_step(r->t, TR_SYSCALL, 0);
	if (err || r->t->stop != TS_SYSCALL_EXIT)
		return diverged(r, "%s did not return: %s", sc_name(ev->nr),
				err ? strerror(-err) : stop_desc(r));
	if (!(flags & CLONE_VM)) {
		(void)trap_attach(r->cur->mm->traps, r->t);
		for (size_t i = 0; i < r->nbps; i++)
			(void)bp_arm(r, &r->bps[i]);
	}
	restore_args(r->t, &ev->regs, (uint64_t)tid);
	c = rtask_new(r, tid32, (flags & CLONE_THREAD) ? p->rec_tgid : tid32,
		      (flags & CLONE_VM) ? p->mm : mm_new(p->mm->brk_cur),
		      (flags & CLONE_FILES) ? p->files : files_new(&p->files->stdio));
	if (c->mm != p->mm) {
		c->mm->exe = p->mm->exe ? xstrdup(p->mm->exe) : NULL;
		buf_append(&c->mm->auxv, p->mm->auxv.data, p->mm->auxv.len);
	}
	task_init(&c->t, tid);
	c->t.syscall_insn = p->t.syscall_insn;
	err = task_wait(&c->t);
	if (err || c->t.stop != TS_SIGNAL || c->t.sig != SIGSTOP)
		return diverged(r, "the new task %d did not start", (int)tid32);
	restore_args(&c->t, &ev->regs, 0);
	if ((flags & CLONE_PARENT_SETTID) &&
	    task_write(r->t, ev->regs.rdx, &tid32, sizeof(tid32)))
		return diverged(r, "cannot write the parent's tid word");
	if ((flags & CLONE_CHILD_SETTID) && task_write(&c->t, ev->regs.r10, &tid32, sizeof(tid32)))
		return diverged(r, "cannot write the child's tid word");
	/* (Its first resume passes no signal: that SIGSTOP is dropped.) */
	p->entered = true;
	return 0;
}

static int replay_signal(struct replayer *r)
{
	struct trace_event *ev = &r->ev;
	int err;
	if (ev->sigkind == SIGK_STATE)
		return replay_state_signal(r);
	if (ev->sigkind == SIGK_BOUNDARY || ev->sigkind == SIGK_FATAL) {
		/* Inject it where the recording saw it: right after the last syscall. */
		r->cur->deliver_sig = r->cur->pre_injected == ev->sig ? 0 : ev->sig;
		r->cur->pre_injected = 0;
		if (r->cur->deliver_sig && r->t->stop == TS_SIGNAL) {
			/*
			 * A signal stop (a restored checkpoint's first, its SIGSTOP):
			 * a signal passed with the resume replaces that one and is
			 * acted on at once, with no stop of its own (an ignored
			 * SIGCHLD just vanishes). Queued, it stops as recorded.
			 */
			if (syscall(SYS_tkill, r->t->tid, r->cur->deliver_sig))
				return diverged(r, "cannot queue %s: %s", signal_name(ev->sig),
						strerror(errno));
			r->cur->deliver_sig = 0;
		}
		err = expect(r, r->t->stop == TS_SYSCALL_EXIT ? TR_SYSCALL : TR_SYSEMU, TS_SIGNAL,
			     signal_name(ev->sig));
	} else {
		err = expect(r, TR_SYSEMU, TS_SIGNAL, signal_name(ev->sig));
	}
	if (err)
		return err;
	if (r->t->sig != ev->sig)
		return diverged(r, "got %s, recorded %s", signal_name(r->t->sig),
				signal_name(ev->sig));
	if (ev->sigkind != SIGK_FATAL)
		err = check_regs(r, &ev->regs);
	if (err)
		return err;
	if (ev->sigkind != SIGK_SYNC && task_setsiginfo(r->t, &ev->si))
		return diverged(r, "the tracee vanished");
	r->cur->deliver_sig = ev->sig;
	keep_frame(r, ev);
	return 0;
}

static int replay_rdtsc(struct replayer *r)
{
	struct trace_event *ev = &r->ev;
	struct user_regs_struct *regs;
	int err = expect(r, TR_SYSEMU, TS_SIGNAL, "rdtsc");
	if (err)
		return err;
	if (r->t->sig != SIGSEGV)
		return diverged(r, "got %s, recorded rdtsc", signal_name(r->t->sig));
	err = check_regs(r, &ev->regs);
	if (err || task_regs(r->t, &regs))
		return err ? err : diverged(r, "the tracee vanished");
	regs->rax = ev->tsc[0];
	regs->rdx = ev->tsc[1];
	regs->rcx = ev->tsc[2];
	regs->rip += ev->insn_len;
	task_set_regs(r->t, regs);
	return 0;
}

/*
 * EV_EXIT with EVF_REPLACED: the leader (cur), killed by the execve of
 * another thread of its process, which its EV_ENTER started. The other
 * threads are reaped already; once the leader is past its exit stop, the
 * exec finishes, and its stop is reported under the leader's tid. The
 * thread that called execve takes over the leader's tid, recorded and real.
 */
static int replay_replaced(struct replayer *r)
{
	struct rep_task *leader = r->cur, *c = NULL;
	pid_t old_tid;
	int err = 0;

	for (size_t i = 0; i < r->ntasks; i++)
		if (r->tasks[i]->execing && !r->tasks[i]->dead &&
		    r->tasks[i]->rec_tgid == leader->rec_tgid)
			c = r->tasks[i];
	if (!c)
		return diverged(r, "the leader was replaced by an exec, but no thread of process "
				"%d is in execve", (int)leader->rec_tgid);
	if (leader->t.stop != TS_EXIT_EVENT) /* it has left the stop we knew: the kill woke it */
		err = task_wait(&leader->t);
	if (!err && leader->t.stop != TS_EXIT_EVENT)
		return diverged(r, "expected the leader's exit, got %s", stop_desc(r));
	if (!err)
		err = task_resume(&leader->t, TR_CONT, 0);
	if (err)
		return diverged(r, "the leader vanished");
	old_tid = c->t.tid;
	task_retid(&c->t, leader->t.tid);
	err = task_wait(&c->t);
	if (err || c->t.stop != TS_EXEC || (pid_t)c->t.event_msg != old_tid) {
		set_cur(r, c);
		return diverged(r, "expected the exec of thread %d, got %s", (int)c->rec_tid,
				err ? "nothing" : stop_desc(r));
	}
	leader->dead = true;
	leader->t.stop = TS_EXITED;
	leader->t.tid = -1;
	r->nlive--;
	if (r->view_tid == c->rec_tid)
		r->view_tid = 0;
	c->rec_tid = leader->rec_tid;
	c->execing = false;
	set_cur(r, c);
	log_tid = c->rec_tid;
	return 0;
}

static int replay_exit(struct replayer *r)
{
	int st = r->ev.wait_status;
	/* SIGKILL has no delivery stop to reproduce: kill it where it died. */
	bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && r->t->stop != TS_EXITED &&
		      r->t->stop != TS_EXIT_EVENT;
	if (killed)
		kill(r->t->tid, SIGKILL);
	while (r->t->stop != TS_EXITED) {
		int err;
		if (killed || r->t->stop == TS_EXIT_EVENT || r->t->stop == TS_NONE)
			/* Dying (killed, or another thread's exit_group): only waiting is left. */
			err = r->t->stop == TS_NONE ? task_wait(r->t) : task_step(r->t, TR_CONT, 0);
		else
			err = advance(r, r->t->stop == TS_SYSCALL_ENTRY ? TR_SYSCALL : TR_SYSEMU);
		if (err == REP_STOPPED)
			return err;
		if (err == REP_REPORTED)
			return -1;
		if (err == -ESRCH) {
			/* It left its stop on its own: a group exit killed it. */
			r->t->stop = TS_NONE;
			continue;
		}
		if (err == -ECHILD)
			return diverged(r, "the tracee vanished");
		if (err)
			return error("ptrace failed at event %llu: %s",
				     (unsigned long long)r->ev.num, strerror(-err));
		if (r->t->stop == TS_EXIT_EVENT)
			continue;
		if (r->t->stop != TS_EXITED)
			return diverged(r, "expected the task's exit, got %s", stop_desc(r));
	}
	int have = r->t->exit_status;
	if (WIFEXITED(st) != WIFEXITED(have) ||
	    (WIFEXITED(st) ? WEXITSTATUS(st) != WEXITSTATUS(have) : WTERMSIG(st) != WTERMSIG(have)))
		return diverged(r, "exit status 0x%x, recorded 0x%x", have, st);
	return 0;
}

/* The auxiliary vector, from the initial stack of the rebuilt program. */
static void save_auxv(struct replayer *r)
{
	struct buf *auxv = &r->cur->mm->auxv;
	uint64_t sp = r->ev.regs.rsp, argc, v[2];
	buf_reset(auxv);
	if (task_read(r->t, sp, &argc, 8) || argc > 1u << 20)
		return;
	sp += 8 * (argc + 2); /* argc, argv[], NULL */
	for (int n = 0; n < 1 << 16; n++, sp += 8) /* envp[], NULL */
		if (task_read(r->t, sp, v, 8) || !v[0])
			break;
	for (sp += 8;; sp += 16) {
		if (task_read(r->t, sp, v, 16) || auxv->len > 4096)
			break;
		buf_append(auxv, v, 16);
		if (v[0] == 0) /* AT_NULL */
			break;
	}
}

static int replay_exec(struct replayer *r)
{
	int err;
	if (r->t->stop != TS_EXEC)
		return diverged(r, "exec in the trace, none in replay");
	/* A vfork/CLONE_VM child gets its own address space, and exec unshares fd tables. */
	if (r->cur->mm->refs > 1) {
		mm_put(r->cur->mm);
		r->cur->mm = mm_new(0);
		r->cur->mm->refs = 1;
	}
	if (r->cur->files->refs > 1) {
		files_put(r->cur->files);
		r->cur->files = files_new(&r->cur->files->stdio);
		r->cur->files->refs = 1;
	}
	/* The kernel's exec cleared the debug registers: set them again. */
	memset(r->cur->dr, 0, sizeof(r->cur->dr));
	r->cur->dr7 = 0;
	(void)hw_apply(r);
	err = rebuild(r);
	if (err)
		return err;
	save_auxv(r);
	const char *exe = trace_exec_program(trace_reader_header(r->rd), &r->ev);
	if (exe) {
		free(r->cur->mm->exe);
		r->cur->mm->exe = xstrdup(exe);
	}
	(void)trap_detach(r->cur->mm->traps, NULL, false);
	if (in_focus(r)) {
		r->img = (struct rep_image){ .exec_event = r->ev.num,
					     .start_event = r->cur->exec_start,
					     .regs = r->cur->exec_regs };
		if (r->exec_stops) {
			/* The debugger is told, and sets its breakpoints in the new program. */
			for (size_t i = 0; i < r->nbps; i++)
				free(r->bps[i].cond);
			r->nbps = 0;
			for (int i = 0; i < 4; i++)
				if (r->hw[i].used && !r->hw[i].internal)
					r->hw[i] = (struct hw_slot){ 0 };
			(void)hw_apply(r);
			r->exec_stopped = true;
			return 0;
		}
	}
	/*
	 * The old address space and its breakpoints are gone: put them in the
	 * new one. (Another process's exec leaves the focus's int3s where they
	 * are: taken for gone, they would be read back as the original bytes.)
	 */
	for (size_t i = 0; i < r->nbps && in_focus(r); i++)
		r->bps[i].inserted = false;
	bps_recheck(r);
	return 0;
}

/* Read the next event if none is pending: 0 or -1 (reported). */
static int read_next(struct replayer *r)
{
	int got;
	if (r->pending)
		return 0;
	trace_reader_mark(r->rd, &r->mark);
	got = trace_read_event(r->rd, &r->ev);
	if (got < 0)
		return error("%s", trace_reader_error(r->rd));
	if (got == 0)
		return error("trace ends at event %llu before the program exited "
			     "(the recording was cut short)", (unsigned long long)r->done);
	r->pending = true;
	return 0;
}

/* Run the next event (reading it first if needed): 0 done, REP_STOPPED, -1 reported. */
static int step_event(struct replayer *r)
{
	struct rep_task *t;
	int err;
	if (read_next(r))
		return -1;
	log_event = r->ev.num;
	t = find_rtask(r, r->ev.tid);
	if (!t)
		return diverged(r, "the trace names task %d, which does not exist here",
				(int)r->ev.tid) ? -1 : -1;
	if (t != r->cur) {
		set_cur(r, t);
		log_tid = t->rec_tid;
		for (int i = 0; i < 4; i++)
			if (r->hw[i].used || r->cur->dr7) {
				(void)hw_apply(r); /* (or clear what it last had) */
				break;
			}
		for (size_t i = 0; i < r->nbps && in_focus(r); i++)
			if (!r->bps[i].inserted) {
				bps_recheck(r);
				break;
			}
	}
	switch (r->ev.kind) {
	case EV_SYSCALL:
		err = replay_syscall(r);
		break;
	case EV_EXEC:
		err = replay_exec(r);
		break;
	case EV_SIGNAL:
		err = replay_signal(r);
		break;
	case EV_RDTSC:
		err = replay_rdtsc(r);
		break;
	case EV_CLONE:
		err = replay_clone(r);
		break;
	case EV_ENTER:
		err = replay_enter(r);
		break;
	case EV_SCHED:
		err = replay_sched(r);
		break;
	case EV_EXIT:
		if (r->ev.flags & EVF_REPLACED) {
			err = replay_replaced(r);
			break;
		}
		err = replay_exit(r);
		if (!err) {
			t->dead = true;
			r->nlive--;
			if (t->rec_tid == r->rec_pid)
				r->exit_status = r->ev.wait_status;
			r->exited = (r->ev.flags & EVF_END) || r->nlive == 0;
		}
		break;
	default:
		err = diverged(r, "unknown event kind %u", r->ev.kind);
	}
	if (err == REP_STOPPED)
		return err;
	if (err)
		return -1;
	r->pending = false;
	r->done = r->ev.num;
	r->progressed = false;
	if (unlikely(r->hide_next && r->hide_next <= r->done + 1))
		bp_hide_sync(r);
	{
		struct user_regs_struct *regs;
		if (r->t->stop != TS_EXITED && task_regs(r->t, &regs) == 0)
			r->bregs = *regs;
	}
	r->prev_sigkind = r->ev.sigkind;
	r->prev_kind = r->ev.kind;
	r->prev_regs = r->ev.regs;
	r->prev_nr = r->ev.nr;
	r->prev_insn_len = r->ev.insn_len;
	return 0;
}

bool rep_same_state(const struct user_regs_struct *a, const struct user_regs_struct *b)
{
	struct user_regs_struct x = *a, y = *b;
	x.eflags &= ~0x10100ull;
	y.eflags &= ~0x10100ull;
	/*
	 * orig_rax tells how the task entered the kernel, not what it holds:
	 * a stop on the way out of a syscall keeps the number, a trap or a
	 * single step reads -1 at the same state.
	 */
	x.orig_rax = y.orig_rax = 0;
	return !memcmp(&x, &y, sizeof(x));
}

int rep_position(struct rep_session *s, struct rep_pos *ret)
{
	struct replayer *r = (struct replayer *)s;
	struct user_regs_struct *regs;
	/* The task that ran last, whichever process the debugger sees. */
	int err = r->cur ? task_regs(r->t, &regs) : -ESRCH;
	if (err)
		return err;
	ret->regs = *regs;
	ret->event = r->done + 1;
	/* The state at the last boundary, reached again, is that boundary (DESIGN.md). */
	ret->boundary = !r->progressed || rep_same_state(&ret->regs, &r->bregs);
	ret->prev_sigkind = r->prev_sigkind;
	ret->prev_kind = r->prev_kind;
	ret->prev_regs = r->prev_regs;
	ret->prev_nr = r->prev_nr;
	ret->prev_insn_len = r->prev_insn_len;
	return 0;
}

int rep_resume(struct rep_session *s, bool step, uint64_t until_event,
	       bool (*interrupt)(void *arg), void *arg, struct rep_stop *stop)
{
	struct replayer *r = (struct replayer *)s;
	int err;

	r->interrupt = interrupt;
	r->interrupt_arg = arg;
	r->sent_stop = false;
	r->view_tid = 0;
	for (;;) {
		memset(stop, 0, sizeof(*stop));
		if (r->exited) {
			stop->kind = RSTOP_EXITED;
			stop->status = r->exit_status;
			return 0;
		}
		if (until_event && rep_current_event(s) >= until_event) {
			stop->kind = RSTOP_EVENT;
			return 0;
		}
		if (interrupt && interrupt(arg)) {
			stop->kind = RSTOP_INTERRUPT;
			return 0;
		}
		if (r->stop_at_end) {
			if (read_next(r))
				return -1;
			/* The recording's last exit (one task left: a version 1 trace). */
			if (r->ev.kind == EV_EXIT && ((r->ev.flags & EVF_END) || r->nlive == 1)) {
				stop->kind = RSTOP_END;
				return 0;
			}
		}
		r->syscall_watch_hit = false;
		r->stepping = false;
		if (step && read_next(r) == 0) {
			struct rep_task *t = find_rtask(r, r->ev.tid);
			r->stepping = t && t->rec_tgid == r->focus;
		}
		err = step_event(r);
		r->stepping = false;
		if (err < 0)
			return -1;
		if (err == REP_STOPPED) {
			*stop = r->dbg;
			return 0;
		}
		if (r->exec_stopped) {
			r->exec_stopped = false;
			stop->kind = RSTOP_EXEC;
			return 0;
		}
		if (r->syscall_watch_hit) {
			stop->kind = RSTOP_WATCH;
			stop->addr = r->syscall_watch_addr;
			stop->watch_kind = r->syscall_watch_kind;
			return 0;
		}
		if (r->ev.kind == EV_SIGNAL && r->ev.sig > 0 && r->ev.sig < 65 &&
		    !r->pass_sig[r->ev.sig] && in_focus(r)) {
			stop->kind = RSTOP_SIGNAL;
			stop->sig = r->ev.sig;
			return 0;
		}
		/* Not between an execve and its EV_EXEC: the new program is not in place yet. */
		if (step && !r->exited && in_focus(r) && r->t->stop != TS_EXEC) {
			stop->kind = RSTOP_STEP;
			return 0;
		}
		if (r->boundary_hook && !r->exited)
			r->boundary_hook(r->boundary_arg);
	}
}

void rep_set_exec_stops(struct rep_session *s, bool on)
{
	((struct replayer *)s)->exec_stops = on;
}

void rep_image(struct rep_session *s, struct rep_image *ret)
{
	*ret = ((struct replayer *)s)->img;
}

void rep_set_boundary_hook(struct rep_session *s, void (*fn)(void *arg), void *arg)
{
	struct replayer *r = (struct replayer *)s;
	r->boundary_hook = fn;
	r->boundary_arg = arg;
}

struct rep_checkpoint {
	struct replayer state; /* a copy: its tasks, reader and buffers are not used */
	struct rep_task task;  /* the one task's replay state (its task and frame unused) */
	uint64_t brk_cur;
	struct sc_stdio stdio;
	struct task t;         /* the stopped copy of the process */
	struct rep_pos pos;
	char *exe_file;        /* the task's program (struct rep_mm) */
	struct buf auxv;
};

const struct rep_pos *rep_checkpoint_pos(const struct rep_checkpoint *c)
{
	return &c->pos;
}

int rep_checkpoint_take(struct rep_session *s, struct rep_checkpoint **ret)
{
	struct replayer *r = (struct replayer *)s;
	struct rep_checkpoint *c;
	int64_t rax;
	int err;

	/* A fork copies one thread: only a single-task replay can be checkpointed so. */
	if (!r->exited && r->nlive > 1)
		return -ENOTSUP;
	if (r->exited || r->nlive != 1 || !r->cur || r->cur->dead || r->cur->deliver_sig ||
	    r->cur->entered || r->t->stop == TS_EXITED || r->t->stop == TS_EXEC)
		return -EAGAIN; /* (at an exec stop, the old address space is gone already) */
	c = xcalloc(1, sizeof(*c));
	err = rep_position(s, &c->pos);
	rax = (int64_t)c->pos.regs.rax;
	if (!err && (int64_t)c->pos.regs.orig_rax >= 0 && rax <= -512 && rax >= -516)
		err = -EAGAIN; /* a fork resumed from a stop would restart the syscall */
	if (err) {
		free(c);
		return err;
	}
	/* The copy must not keep our int3 bytes: breakpoints change over time. */
	for (size_t i = 0; i < r->nbps; i++)
		bp_disarm(r, &r->bps[i]);
	(void)trap_detach(r->cur->mm->traps, r->t, false); /* nor our trampolines */
	err = task_fork(r->t, &c->t);
	(void)trap_attach(r->cur->mm->traps, r->t);
	for (size_t i = 0; i < r->nbps; i++)
		(void)bp_arm(r, &r->bps[i]);
	if (err) {
		free(c);
		return err == -ESRCH ? -EAGAIN : err;
	}
	c->state = *r;
	c->task = *r->cur;
	c->brk_cur = r->cur->mm->brk_cur;
	c->stdio = r->cur->files->stdio;
	if (!r->pending)
		trace_reader_mark(r->rd, &c->state.mark);
	c->exe_file = r->cur->mm->exe ? xstrdup(r->cur->mm->exe) : NULL;
	buf_append(&c->auxv, r->cur->mm->auxv.data, r->cur->mm->auxv.len);
	*ret = c;
	return 0;
}

int rep_checkpoint_restore(struct rep_checkpoint *c, struct rep_session **ret)
{
	struct replayer *r = xcalloc(1, sizeof(*r));
	struct rep_task *t;
	int err;

	*r = c->state;
	r->rd = NULL;
	r->tasks = NULL;
	r->ntasks = r->tasks_alloc = r->nlive = 0;
	memset(&r->tmp, 0, sizeof(r->tmp));
	t = rtask_new(r, c->task.rec_tid, c->task.rec_tgid, mm_new(c->brk_cur),
		      files_new(&c->stdio));
	t->pre_injected = c->task.pre_injected;
	/* Taken at a reported breakpoint stop: going on from it steps over that breakpoint. */
	t->bp_seen = c->task.bp_seen;
	t->bp_seen_rip = c->task.bp_seen_rip;
	set_cur(r, t);
	buf_append(&t->mm->auxv, c->auxv.data, c->auxv.len);
	t->mm->exe = c->exe_file ? xstrdup(c->exe_file) : NULL;
	r->pending = false;
	r->boundary_hook = NULL;
	r->point_trap = -1;
	r->guard.on = false;
	r->exec_stops = r->exec_stopped = false;
	if (trace_reader_open(r->o->trace_dir, &r->rd) || trace_reader_seek(r->rd, &r->mark)) {
		error("%s", trace_reader_error(r->rd));
		goto fail;
	}
	err = task_fork(&c->t, r->t);
	if (err) {
		error("cannot restore a checkpoint at event %llu: %s",
		      (unsigned long long)c->pos.event, strerror(-err));
		goto fail;
	}
	task_set_regs(r->t, &c->pos.regs);
	/* Breakpoints are the caller's to put back: the copy's may have been temporary. */
	r->nbps = 0;
	memset(r->hw, 0, sizeof(r->hw));
	if (hw_apply(r)) {
		error("cannot set the debug registers");
		goto fail;
	}
	bug_rep = r;
	*ret = (struct rep_session *)r;
	return 0;
fail:
	rep_session_close((struct rep_session *)r);
	return -1;
}

uint64_t rep_checkpoint_pss_kb(const struct rep_checkpoint *c)
{
	char path[64], line[128];
	unsigned long long kb = 0;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)c->t.tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pss: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

void rep_checkpoint_free(struct rep_checkpoint *c)
{
	if (!c)
		return;
	task_kill(&c->t);
	task_release(&c->t);
	free(c->exe_file);
	buf_release(&c->auxv);
	free(c);
}

int rep_session_open(const struct rep_opts *o, struct rep_session **ret)
{
	struct replayer *r = xcalloc(1, sizeof(*r));
	char *const argv[] = { (char *)"rewind-replayee", NULL };
	char *const envp[] = { NULL };
	struct task_spawn_opts so = { .path = o->self_exe, .argv = argv, .envp = envp,
				      .trap_tsc = true, .no_core = true, .quiet_stdio = true };
	const struct trace_header *h;
	int err, got, cpu = -1;

	r->o = o;
	r->point_trap = -1;
	err = trace_reader_open(o->trace_dir, &r->rd);
	if (err) {
		free(r);
		return error("%s", trace_reader_error(NULL));
	}
	h = trace_reader_header(r->rd);
	r->rec_pid = h->pid;
	r->focus = o->focus ? o->focus : h->pid;
	set_cur(r, rtask_new(r, h->pid, h->pid, mm_new(0), files_new(NULL)));
	got = trace_read_event(r->rd, &r->ev);
	if (got <= 0 || r->ev.kind != EV_EXEC) {
		if (got < 0)
			error("%s", trace_reader_error(r->rd));
		else
			error("trace '%s' holds no events", o->trace_dir);
		goto fail;
	}
	struct rlimit stack = { .rlim_cur = h->stack_cur, .rlim_max = h->stack_max };
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
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	/*
	 * The recording's CPU: CPUID tells each CPU its own APIC id, and the
	 * dynamic loader keeps what CPUID says in memory the state digest reads.
	 */
	err = task_pin_cpu(h->cpu, &cpu);
	if (err)
		warning("cannot pin to one CPU: %s", strerror(-err));
	else if (h->cpu >= 0 && cpu != h->cpu)
		warning("the recording ran on CPU %d, which this replay cannot use (it runs on CPU "
			"%d): what CPUID reports differs, and the replay may diverge",
			(int)h->cpu, cpu);
	err = task_spawn(r->t, &so);
	if (err) {
		error("cannot start the replay: %s", strerror(-err));
		goto fail;
	}
	log_tid = r->rec_pid;
	bug_rep = r;
	bug_context = rep_bug_context;
	r->pending = true;
	if (step_event(r))
		goto fail;
	*ret = (struct rep_session *)r;
	return 0;
fail:
	rep_session_close((struct rep_session *)r);
	return -1;
}

void rep_session_close(struct rep_session *s)
{
	struct replayer *r = (struct replayer *)s;
	if (!r)
		return;
	struct task **ts = xcalloc(r->ntasks + 1, sizeof(*ts));
	for (size_t i = 0; i < r->ntasks; i++)
		ts[i] = &r->tasks[i]->t;
	task_kill_all(ts, r->ntasks);
	free(ts);
	for (size_t i = r->ntasks; i-- > 0;)
		rtask_free(r->tasks[i]);
	free(r->tasks);
	if (bug_rep == r) {
		bug_context = NULL;
		bug_rep = NULL;
	}
	trace_reader_close(r->rd);
	buf_release(&r->tmp);
	for (size_t i = 0; i < r->nbps; i++)
		free(r->bps[i].cond);
	free(r);
}

int rep_insert_cond(struct rep_session *s, uint64_t addr, const struct trap_cond *cond)
{
	struct replayer *r = (struct replayer *)s;
	struct sw_bp *bp = find_bp(r, addr);
	if (!bp)
		return -ENOENT;
	bp_disarm(r, bp);
	free(bp->cond);
	bp->cond = NULL;
	if (cond) {
		bp->cond = xmalloc(sizeof(*cond));
		*bp->cond = *cond;
	}
	(void)bp_arm(r, bp);
	return 0;
}

int rep_hide_bp(struct rep_session *s, uint64_t addr, uint64_t from_event, uint64_t until_event)
{
	struct replayer *r = (struct replayer *)s;
	struct sw_bp *bp = find_bp(r, addr);
	if (!bp)
		return -ENOENT;
	if (bp->hide_until) {
		from_event = MIN(from_event, bp->hide_from);
		until_event = MAX(until_event, bp->hide_until);
	}
	bp->hide_from = from_event;
	bp->hide_until = until_event;
	bp_hide_sync(r);
	return 0;
}

/*
 * Hide the breakpoints whose range holds the next event to run, show the
 * others again (as traps), and note the next event where that changes.
 */
static void bp_hide_sync(struct replayer *r)
{
	uint64_t next = r->done + 1;
	r->hide_next = 0;
	for (size_t i = 0; i < r->nbps; i++) {
		struct sw_bp *bp = &r->bps[i];
		uint64_t change = 0;
		bool want;
		if (!bp->hide_until)
			continue;
		want = bp->hide_from <= next && next <= bp->hide_until;
		if (next < bp->hide_from)
			change = bp->hide_from;
		else if (want && bp->hide_until != UINT64_MAX)
			change = bp->hide_until + 1;
		if (change && (!r->hide_next || change < r->hide_next))
			r->hide_next = change;
		if (want == bp->hidden)
			continue;
		bp->hidden = want;
		if (bp->inserted) {
			bp_disarm(r, bp);
			(void)bp_arm(r, bp);
		}
	}
}

void rep_set_traps(struct rep_session *s, bool on)
{
	struct replayer *r = (struct replayer *)s;
	if (r->plain_bps == !on)
		return;
	r->plain_bps = !on;
	for (size_t i = 0; i < r->nbps; i++)
		if (r->bps[i].cond && r->bps[i].inserted) {
			bp_disarm(r, &r->bps[i]);
			(void)bp_arm(r, &r->bps[i]);
		}
}

int rep_insert(struct rep_session *s, enum rep_bp_kind kind, uint64_t addr, uint64_t len)
{
	struct replayer *r = (struct replayer *)s;
	struct sw_bp *bp;
	int err;

	if (kind == RBP_SW) {
		if (find_bp(r, addr))
			return 0;
		if (r->nbps == MAX_BPS)
			return -ENOSPC;
		bp = &r->bps[r->nbps];
		*bp = (struct sw_bp){ .addr = addr, .trap = -1, .hw = -1 };
		/* An address not mapped yet (a library to come) stays pending. */
		(void)bp_arm(r, bp);
		r->nbps++;
		return 0;
	}
	if (kind == RBP_HW)
		len = 1;
	if (!len || len > 64)
		return -EINVAL;
	/* Split [addr, addr+len) into aligned pieces of 1, 2, 4 or 8 bytes, one per register. */
	struct hw_slot pieces[4];
	int n = 0;
	for (uint64_t a = addr, end = addr + len; a < end;) {
		uint64_t sz = 8;
		while (sz > 1 && ((a & (sz - 1)) || a + sz > end))
			sz >>= 1;
		if (kind != RBP_HW && sz < 8 && a + sz < end && !(a & 7) == 0) {
			/* fall through: sz is the largest aligned piece that fits */
		}
		if (n == 4)
			return -ENOSPC;
		pieces[n++] = (struct hw_slot){ .used = true, .kind = kind, .addr = a, .len = sz,
						.user_addr = addr, .user_len = len };
		a += sz;
	}
	/*
	 * A watchpoint comes first: traps' guards and hidden breakpoints give
	 * way. (Not for a hardware breakpoint: the timeline's searches try
	 * those where registers are free.)
	 */
	bool gave[MAX_BPS] = { false };
	err = 0;
	for (size_t i = 0; i < r->nbps && kind != RBP_HW && free_slots(r) < n; i++)
		if (r->bps[i].trap >= 0 || r->bps[i].hw >= 0) {
			bp_disarm(r, &r->bps[i]);
			gave[i] = true;
		}
	if (free_slots(r) < n)
		err = -ENOSPC;
	else
		for (int k = 0; k < n; k++)
			(void)slot_take(r, pieces[k]);
	for (size_t i = 0; i < r->nbps; i++)
		if (gave[i])
			(void)bp_arm(r, &r->bps[i]); /* an int3 now, unless registers are left */
	if (err == -ENOSPC)
		return err;
	err = hw_apply(r);
	if (err)
		(void)rep_remove(s, kind, addr, len);
	return err;
}

int rep_remove(struct rep_session *s, enum rep_bp_kind kind, uint64_t addr, uint64_t len)
{
	struct replayer *r = (struct replayer *)s;
	(void)len;
	if (kind == RBP_SW) {
		struct sw_bp *bp = find_bp(r, addr);
		if (!bp)
			return 0;
		bp_disarm(r, bp);
		free(bp->cond);
		*bp = r->bps[--r->nbps];
		return 0;
	}
	for (int i = 0; i < 4; i++)
		if (r->hw[i].used && !r->hw[i].bp_guard && !r->hw[i].bp_hw &&
		    r->hw[i].kind == kind && r->hw[i].user_addr == addr)
			r->hw[i].used = false;
	return r->t->stop == TS_EXITED ? 0 : hw_apply(r);
}

int rep_read_mem(struct rep_session *s, uint64_t addr, void *dst, size_t len)
{
	struct replayer *r = (struct replayer *)s;
	struct rep_task *f = view_task(r);
	int err = f ? task_read(&f->t, addr, dst, len) : -ESRCH;
	if (err)
		return err;
	for (size_t i = 0; i < r->nbps; i++)
		if (r->bps[i].inserted && r->bps[i].addr >= addr && r->bps[i].addr < addr + len)
			((uint8_t *)dst)[r->bps[i].addr - addr] = r->bps[i].orig;
	trap_hide(f->mm->traps, addr, dst, len);
	return 0;
}

int rep_regs(struct rep_session *s, struct user_regs_struct *ret)
{
	struct replayer *r = (struct replayer *)s;
	struct rep_task *f = view_task(r);
	struct user_regs_struct *regs;
	int err = f ? task_regs(&f->t, &regs) : -ESRCH;
	if (err)
		return err;
	*ret = *regs;
	return 0;
}

int rep_fpregs(struct rep_session *s, struct user_fpregs_struct *fp, unsigned char ymmh[16][16],
	       bool *ret_avx)
{
	struct replayer *r = (struct replayer *)s;
	struct rep_task *f = view_task(r);
	return f ? task_fpregs(&f->t, fp, ymmh, ret_avx) : -ESRCH;
}

size_t rep_threads(struct rep_session *s, int32_t *tids, size_t max)
{
	struct replayer *r = (struct replayer *)s;
	size_t n = 0;
	for (size_t i = 0; i < r->ntasks && n < max; i++)
		if (!r->tasks[i]->dead && r->tasks[i]->rec_tgid == r->focus)
			tids[n++] = r->tasks[i]->rec_tid;
	return n;
}

int rep_select_thread(struct rep_session *s, int32_t tid)
{
	struct replayer *r = (struct replayer *)s;
	struct rep_task *t = tid > 0 ? find_rtask(r, tid) : NULL;
	if (tid > 0 && (!t || t->rec_tgid != r->focus))
		return -ESRCH;
	r->view_tid = tid > 0 ? tid : 0;
	return 0;
}

uint64_t rep_current_event(struct rep_session *s)
{
	struct replayer *r = (struct replayer *)s;
	return r->done + 1;
}

int32_t rep_recorded_tid(struct rep_session *s)
{
	struct replayer *r = (struct replayer *)s;
	struct rep_task *f = view_task(r);
	return f ? f->rec_tid : r->rec_pid;
}

const struct trace_header *rep_header(struct rep_session *s)
{
	return trace_reader_header(((struct replayer *)s)->rd);
}

/* The program the debugger's process runs, and its auxv: its own, not another's. */
char *rep_exe_path(struct rep_session *s)
{
	struct replayer *r = (struct replayer *)s;
	struct rep_task *f = focus_task(r);
	if (!f || !f->mm->exe)
		return xstrdup(trace_reader_header(r->rd)->exe);
	return trace_file_path(r->rd, f->mm->exe);
}

const void *rep_auxv(struct rep_session *s, size_t *ret_len)
{
	struct replayer *r = (struct replayer *)s;
	struct rep_task *f = focus_task(r);
	*ret_len = f ? f->mm->auxv.len : 0;
	return f ? f->mm->auxv.data : NULL;
}

void rep_set_stop_at_end(struct rep_session *s, bool on)
{
	((struct replayer *)s)->stop_at_end = on;
}

void rep_set_pass_signal(struct rep_session *s, int sig, bool pass)
{
	struct replayer *r = (struct replayer *)s;
	if (sig > 0 && sig < 65)
		r->pass_sig[sig] = pass;
}

int rep_run(const struct rep_opts *o, struct rep_result *res)
{
	struct rep_session *s;
	struct rep_stop stop;
	int ret;

	memset(res, 0, sizeof(*res));
	if (rep_session_open(o, &s))
		return -1;
	if (rep_header(s)->argc)
		res->prog = xstrdup(rep_header(s)->argv[0]);
	for (int sig = 1; sig < 65; sig++)
		rep_set_pass_signal(s, sig, true);
	ret = rep_resume(s, false, 0, NULL, NULL, &stop);
	if (!ret && stop.kind != RSTOP_EXITED)
		ret = error("replay stopped unexpectedly at event %llu",
			    (unsigned long long)rep_current_event(s));
	res->wait_status = stop.status;
	res->events = rep_current_event(s) - 1;
	rep_session_close(s);
	return ret;
}
