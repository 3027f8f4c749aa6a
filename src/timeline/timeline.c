// SPDX-License-Identifier: MIT
/*
 * timeline: reverse execution by replaying forward from the start; see
 * timeline.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task/task.h"
#include "timeline/timeline.h"
#include "trace/trace.h"

#define MAX_USER_BPS 512

struct user_bp {
	enum rep_bp_kind kind;
	uint64_t addr, len;
};

struct timeline {
	struct rep_opts o;
	uint64_t echo_after;
	struct rep_session *s;
	struct user_bp bps[MAX_USER_BPS];
	size_t nbps;
	bool pass_sig[65];
};

struct rep_session *tl_session(struct timeline *tl)
{
	return tl->s;
}

static bool has_user_bp(struct timeline *tl, enum rep_bp_kind kind, uint64_t addr)
{
	for (size_t i = 0; i < tl->nbps; i++)
		if (tl->bps[i].kind == kind && tl->bps[i].addr == addr)
			return true;
	return false;
}

int tl_restart(struct timeline *tl)
{
	rep_session_close(tl->s);
	tl->s = NULL;
	if (rep_session_open(&tl->o, &tl->s))
		return -1;
	rep_set_stop_at_end(tl->s, true);
	for (int sig = 1; sig < 65; sig++)
		rep_set_pass_signal(tl->s, sig, tl->pass_sig[sig]);
	for (size_t i = 0; i < tl->nbps; i++)
		(void)rep_insert(tl->s, tl->bps[i].kind, tl->bps[i].addr, tl->bps[i].len);
	return 0;
}

int tl_open(const struct rep_opts *o, struct timeline **ret)
{
	struct timeline *tl = xcalloc(1, sizeof(*tl));
	tl->o = *o;
	tl->o.echo_after = &tl->echo_after;
	if (tl_restart(tl)) {
		free(tl);
		return -1;
	}
	*ret = tl;
	return 0;
}

void tl_close(struct timeline *tl)
{
	if (!tl)
		return;
	rep_session_close(tl->s);
	free(tl);
}

int tl_insert(struct timeline *tl, enum rep_bp_kind kind, uint64_t addr, uint64_t len)
{
	int err;
	if (has_user_bp(tl, kind, addr))
		return 0;
	if (tl->nbps == MAX_USER_BPS)
		return -ENOSPC;
	err = rep_insert(tl->s, kind, addr, len);
	if (err)
		return err;
	tl->bps[tl->nbps++] = (struct user_bp){ .kind = kind, .addr = addr, .len = len };
	return 0;
}

int tl_remove(struct timeline *tl, enum rep_bp_kind kind, uint64_t addr, uint64_t len)
{
	for (size_t i = 0; i < tl->nbps; i++)
		if (tl->bps[i].kind == kind && tl->bps[i].addr == addr) {
			tl->bps[i] = tl->bps[--tl->nbps];
			break;
		}
	return rep_remove(tl->s, kind, addr, len);
}

void tl_set_pass_signal(struct timeline *tl, int sig, bool pass)
{
	if (sig > 0 && sig < 65) {
		tl->pass_sig[sig] = pass;
		rep_set_pass_signal(tl->s, sig, pass);
	}
}

int tl_resume(struct timeline *tl, bool step, uint64_t until_event, bool (*interrupt)(void *),
	      void *arg, struct rep_stop *stop)
{
	return rep_resume(tl->s, step, until_event, interrupt, arg, stop);
}

/* The same thread state. */
static bool same_regs(const struct user_regs_struct *a, const struct user_regs_struct *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* A stop that reverse-continue should stop at. */
static bool is_hit(const struct rep_stop *st)
{
	return st->kind == RSTOP_BREAKPOINT || st->kind == RSTOP_HWBREAK || st->kind == RSTOP_WATCH;
}

/* Silence the user's signal stops while replaying internally. */
static void internal_mode(struct timeline *tl, bool on)
{
	for (int sig = 1; sig < 65; sig++)
		rep_set_pass_signal(tl->s, sig, on ? true : tl->pass_sig[sig]);
}

/*
 * From a fresh session, replay to position want. Every user hit on the way
 * calls on_hit (may be NULL); *ret_found says whether want was reached.
 * With stop_after_hits > 0, stop at that hit instead (want is a bound).
 */
static int replay_to(struct timeline *tl, const struct rep_pos *want, uint64_t stop_after_hits,
		     uint64_t *ret_hits, struct rep_stop *ret_hit_stop, bool *ret_found)
{
	struct rep_stop st;
	struct rep_pos pos;
	uint64_t hits = 0;
	bool temp = false;
	int err = 0;

	*ret_found = false;
	if (tl_restart(tl))
		return -1;
	internal_mode(tl, true);
	/* Up to the boundary of the wanted event, counting hits. */
	for (;;) {
		if (rep_resume(tl->s, false, want->event, NULL, NULL, &st))
			return -1;
		if (is_hit(&st)) {
			hits++;
			if (ret_hit_stop)
				*ret_hit_stop = st;
			if (stop_after_hits && hits == stop_after_hits)
				goto out;
			continue;
		}
		if (st.kind != RSTOP_EVENT)
			goto out; /* the end: want is not there */
		break;
	}
	if (rep_position(tl->s, &pos))
		return -1;
	if (same_regs(&pos.regs, &want->regs) && want->boundary) {
		*ret_found = true;
		goto out;
	}
	/* Inside the event's interval: find the state with a breakpoint on its rip. */
	if (!has_user_bp(tl, RBP_SW, want->regs.rip)) {
		if (rep_insert(tl->s, RBP_SW, want->regs.rip, 1))
			goto out;
		temp = true;
	}
	for (;;) {
		if (rep_resume(tl->s, false, want->event + 1, NULL, NULL, &st)) {
			err = -1;
			break;
		}
		if (st.kind == RSTOP_BREAKPOINT && st.addr == want->regs.rip &&
		    rep_position(tl->s, &pos) == 0 && same_regs(&pos.regs, &want->regs)) {
			*ret_found = true;
			break;
		}
		if (is_hit(&st) && !(temp && st.kind == RSTOP_BREAKPOINT &&
				     st.addr == want->regs.rip)) {
			hits++;
			if (ret_hit_stop)
				*ret_hit_stop = st;
			if (stop_after_hits && hits == stop_after_hits)
				break;
			continue;
		}
		if (st.kind == RSTOP_BREAKPOINT && temp)
			continue; /* our breakpoint, another state */
		break; /* past the event or at the end: not found */
	}
	if (temp)
		(void)rep_remove(tl->s, RBP_SW, want->regs.rip, 1);
out:
	internal_mode(tl, false);
	if (ret_hits)
		*ret_hits = hits;
	return err;
}

/* From a fresh session, run until event is the next to run. */
static int replay_to_boundary(struct timeline *tl, uint64_t event, struct rep_stop *stop)
{
	if (tl_restart(tl))
		return -1;
	internal_mode(tl, true);
	do {
		if (rep_resume(tl->s, false, event, NULL, NULL, stop))
			return -1;
	} while (is_hit(stop));
	internal_mode(tl, false);
	if (stop->kind != RSTOP_EVENT)
		return error("cannot replay to event %llu", (unsigned long long)event);
	stop->kind = RSTOP_STEP;
	return 0;
}

/*
 * Reach the point just before the syscall (or rdtsc) instruction of the
 * event before want->event: from that event's boundary, a breakpoint on the
 * instruction, matching the recorded registers. A syscall instruction
 * clobbers rcx and r11, so those are not compared for it.
 */
static int reach_before(struct timeline *tl, const struct rep_pos *want, bool syscall,
			struct rep_stop *stop)
{
	struct rep_pos pos;
	bool temp = false;
	int err = -1;

	if (replay_to_boundary(tl, want->event, stop))
		return -1;
	if (!has_user_bp(tl, RBP_SW, want->regs.rip)) {
		if (rep_insert(tl->s, RBP_SW, want->regs.rip, 1))
			return error("cannot set a breakpoint at 0x%llx",
				     (unsigned long long)want->regs.rip);
		temp = true;
	}
	internal_mode(tl, true);
	for (;;) {
		if (rep_resume(tl->s, false, want->event + 1, NULL, NULL, stop))
			break;
		if (stop->kind == RSTOP_BREAKPOINT && stop->addr == want->regs.rip &&
		    rep_position(tl->s, &pos) == 0) {
			struct user_regs_struct a = pos.regs, b = want->regs;
			if (syscall) {
				a.rcx = b.rcx;
				a.r11 = b.r11;
			}
			if (same_regs(&a, &b)) {
				err = 0;
				break;
			}
			continue;
		}
		if (is_hit(stop))
			continue;
		error("cannot find the instruction before event %llu",
		      (unsigned long long)want->event + 1);
		break;
	}
	internal_mode(tl, false);
	if (temp)
		(void)rep_remove(tl->s, RBP_SW, want->regs.rip, 1);
	stop->kind = RSTOP_STEP;
	return err;
}

static int go_to_begin(struct timeline *tl, struct rep_stop *stop, bool *ret_begin)
{
	if (tl_restart(tl))
		return -1;
	memset(stop, 0, sizeof(*stop));
	stop->kind = RSTOP_STEP;
	*ret_begin = true;
	return 0;
}

/* Single-step n instructions from the current position. */
static int step_n(struct timeline *tl, uint64_t n, struct rep_stop *stop)
{
	internal_mode(tl, true);
	for (uint64_t i = 0; i < n; i++)
		if (rep_resume(tl->s, true, 0, NULL, NULL, stop))
			return -1;
	internal_mode(tl, false);
	return 0;
}

int tl_reverse_step(struct timeline *tl, struct rep_stop *stop, bool *ret_begin)
{
	struct rep_pos cur, anchor, pos;
	struct rep_stop st;
	uint64_t n = 0;

	*ret_begin = false;
	if (rep_position(tl->s, &cur))
		return -1;
	if (cur.boundary) {
		/* Right after an event: the instruction before is the event's own. */
		if (cur.prev_kind == EV_EXEC || cur.event <= 2)
			return go_to_begin(tl, stop, ret_begin);
		anchor = cur;
		anchor.event = cur.event - 1;
		anchor.boundary = true;
		if (cur.prev_kind == EV_SYSCALL || cur.prev_kind == EV_RDTSC) {
			/* Before the syscall (or rdtsc) instruction: its registers, its address. */
			anchor.boundary = false;
			anchor.regs = cur.prev_regs;
			if (cur.prev_kind == EV_SYSCALL) {
				anchor.regs.rip -= 2;
				anchor.regs.rax = anchor.regs.orig_rax;
			}
			anchor.regs.orig_rax = (uint64_t)-1;
			return reach_before(tl, &anchor, cur.prev_kind == EV_SYSCALL, stop);
		}
		/* A signal delivered at the boundary of the previous event: go before it. */
		if (replay_to_boundary(tl, cur.event - 1, stop))
			return -1;
		return 0;
	}
	/* Inside an event's interval: count the steps from its boundary to here. */
	anchor = cur;
	anchor.boundary = true;
	if (replay_to_boundary(tl, cur.event, &st))
		return -1;
	for (;;) {
		if (rep_position(tl->s, &pos))
			return -1;
		if (same_regs(&pos.regs, &cur.regs))
			break;
		if (rep_current_event(tl->s) != cur.event || n > (1ull << 32))
			return error("cannot find the current position again (event %llu)",
				     (unsigned long long)cur.event);
		if (step_n(tl, 1, &st))
			return -1;
		n++;
	}
	if (n == 0)
		return error("reverse-stepi: lost the position at event %llu",
			     (unsigned long long)cur.event);
	if (replay_to_boundary(tl, cur.event, &st) || step_n(tl, n - 1, stop))
		return -1;
	stop->kind = RSTOP_STEP;
	return 0;
}

int tl_reverse_continue(struct timeline *tl, struct rep_stop *stop, bool *ret_begin)
{
	struct rep_pos cur;
	struct rep_stop hit;
	uint64_t hits = 0, got = 0;
	bool found;

	*ret_begin = false;
	if (rep_position(tl->s, &cur))
		return -1;
	if (replay_to(tl, &cur, 0, &hits, NULL, &found))
		return -1;
	if (!found)
		return error("cannot find the current position again (event %llu)",
			     (unsigned long long)cur.event);
	if (!hits)
		return go_to_begin(tl, stop, ret_begin);
	memset(&hit, 0, sizeof(hit));
	if (replay_to(tl, &cur, hits, &got, &hit, &found))
		return -1;
	if (got != hits)
		return error("lost breakpoint hit %llu on the way back",
			     (unsigned long long)hits);
	*stop = hit;
	if (hit.kind == RSTOP_WATCH) {
		/* Going backwards, a watchpoint stops before the write, not after it. */
		struct rep_stop st;
		bool begin;
		if (tl_reverse_step(tl, &st, &begin))
			return -1;
	}
	return 0;
}
