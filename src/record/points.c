// SPDX-License-Identifier: MIT
/*
 * record: state-identified points that replay can find cheaply. A signal
 * that lands in user code is found again at replay by its state; where its
 * instruction can carry an in-tracee trap (src/trap) that costs nothing per
 * execution, otherwise one ptrace stop per execution. So before recording
 * such a point the recorder single-steps the thread a few instructions
 * forward to one that can: an asynchronous signal may be delivered at any
 * time, a few instructions later is as faithful as where it landed.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "record/record_int.h"
#include "trap/trap.h"

/*
 * Usually a patchable instruction is a few steps away. A loop made only of
 * short instructions is left within a few thousand (a compare loop ends at
 * its limit), and a point left unpatchable costs replay one stop per pass
 * there: a few milliseconds of steps here are cheaper.
 */
#define MAX_STEPS 4096

/*
 * Called at the stop of a state-identified point: the signal-delivery stop
 * of r->ev.sig (an EV_SIGNAL of kind SIGK_STATE, with r->ev.regs and
 * r->ev.si filled) or the stop of our preemption SIGSTOP (an EV_SCHED).
 * Steps until rip is at a patchable instruction, at most MAX_STEPS times,
 * never over a syscall, int, int3, rdtsc, cpuid or pushf (decoded first).
 * A rep-prefixed string instruction is run to its end first (finish_rep),
 * with traps or without: a point inside one is not a point replay can
 * find. On return
 * r->ev.regs and *regs are the registers of the final point, and for a
 * signal the stop there delivers r->ev.si when resumed with it. 0, or
 * -ESRCH when the tracee vanished.
 *
 * The signal is held back (resumed with 0) while stepping. A fault ends
 * the walk where it is, with the registers as before the faulting
 * instruction (it runs again after the handler). An asynchronous signal
 * that arrives meanwhile (a profiling timer under load, say; the kernel
 * reports it before the next instruction runs) is held back too, and sent
 * again with tkill at the end, so that it follows ours; its siginfo is
 * then the tkill's.
 */
/* Resume t (holding its signal back) to its next signal stop; 0 with *regs there, or -errno. */
static int step_stop(struct task *t, enum task_resume how, struct user_regs_struct **regs)
{
	int err = task_step(t, how, 0);
	if (!err && t->stop != TS_SIGNAL)
		err = t->stop == TS_EXITED ? -ESRCH : -EPROTO;
	return err ? err : task_regs(t, regs);
}

/*
 * The task stands at (or in the middle of) a rep-prefixed string instruction
 * of len bytes: run it to its end at full speed, with a hardware breakpoint
 * on the next instruction. A point between two iterations could never be
 * found again: a breakpoint stops only before the first. Signals that
 * arrive meanwhile go to later. 0, 1 if a fault ended the run where it is
 * (it comes again when the task resumes), or -errno.
 */
static int finish_rep(struct task *t, struct user_regs_struct **regs, size_t len, sigset_t *later)
{
	uint64_t next = (*regs)->rip + len, dr7 = 0;
	siginfo_t si;
	int err = task_get_debugreg(t, 7, &dr7);
	if (!err)
		err = task_set_debugreg(t, 0, next);
	if (!err)
		err = task_set_debugreg(t, 7, (dr7 & ~0xf000full) | 1); /* DR0: execute, local */
	while (!err) {
		err = step_stop(t, TR_CONT, regs);
		if (err)
			break;
		if ((*regs)->rip == next && t->sig == SIGTRAP)
			break;
		if (task_getsiginfo(t, &si) == 0 && rec_is_fault(&si)) {
			err = 1;
			break;
		}
		sigaddset(later, t->sig);
	}
	if (err != -ESRCH)
		(void)task_set_debugreg(t, 7, dr7);
	return err;
}

int rec_settle_point(struct recorder *r, struct user_regs_struct **regs)
{
	struct task *t = &r->cur->t;
	uint8_t code[16];
	sigset_t later;
	int steps = 0, err = 0;
	bool traps = trap_enabled();

	sigemptyset(&later);
	for (; steps < MAX_STEPS; steps++) {
		size_t got, len = 0;
		siginfo_t si;
		bool have_si;

		/* The instruction may end near an unmapped page. */
		got = task_read_prefix(t, (*regs)->rip, code, sizeof(code));
		if (!got)
			break;
		enum trap_insn_class k = trap_classify(code, got, &len);
		if (k == TRAP_INSN_REP) {
			err = finish_rep(t, regs, len, &later);
			if (err) {
				steps++;
				if (err > 0)
					err = 0;
				break;
			}
			continue;
		}
		if (!traps || k == TRAP_INSN_PATCHABLE || k == TRAP_INSN_BARRIER ||
		    k == TRAP_INSN_BAD)
			break;
		err = step_stop(t, TR_SINGLESTEP, regs);
		if (err)
			break;
		have_si = task_getsiginfo(t, &si) == 0;
		if (have_si && t->sig == SIGTRAP && si.si_code == TRAP_TRACE)
			continue;
		/* Not our step: a fault (it runs again after the handler) or another signal. */
		if (have_si && rec_is_fault(&si))
			break;
		sigaddset(&later, t->sig);
	}
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&later, sig) == 1)
			(void)syscall(SYS_tkill, t->tid, sig);
	if (err)
		return err;
	if (steps) {
		dbg(LM_REC, "signal point moved %d instructions to 0x%llx", steps,
		    (unsigned long long)(*regs)->rip);
		r->ev.regs = **regs;
		if (r->ev.kind == EV_SIGNAL) {
			err = task_setsiginfo(t, &r->ev.si);
			if (err)
				return err;
		}
	}
	return 0;
}

struct inflight {
	struct task *t;
	struct task_range *r;
	size_t n, alloc;
};

static int inflight_read(struct sc_call *call, uint64_t addr, void *dst, size_t len)
{
	struct inflight *f = call->priv;
	return task_read(f->t, addr, dst, len);
}

static int inflight_out(struct sc_call *call, uint64_t addr, uint64_t len)
{
	struct inflight *f = call->priv;
	if (!addr || !len)
		return 0;
	GROW(f->r, f->alloc, f->n + 1);
	f->r[f->n++] = (struct task_range){ addr, addr + len < addr ? UINT64_MAX : addr + len };
	return 0;
}

void rec_inflight_ranges(struct task *t, const struct sc_desc *d,
			 const struct user_regs_struct *entry, struct task_range **ret, size_t *n)
{
	struct inflight f = { .t = t };
	struct sc_call call = { .nr = d->nr, .priv = &f, .read = inflight_read, .out = inflight_out,
				.args = { entry->rdi, entry->rsi, entry->rdx, entry->r10, entry->r8,
					  entry->r9 } };
	(void)sc_inflight_outputs(d, &call);
	*ret = f.r;
	*n = f.n;
}
