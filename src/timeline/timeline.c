// SPDX-License-Identifier: MIT
/*
 * timeline: reverse execution by replaying forward from checkpoints; see
 * timeline.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "task/task.h"
#include "timeline/timeline.h"
#include "trap/trap.h"
#include "trace/trace.h"

#define MAX_USER_BPS 512
#define MAX_CKPTS 128
#define CKPT_INTERVAL_NS (100ull * 1000 * 1000)

struct user_bp {
	enum rep_bp_kind kind;
	uint64_t addr, len;
	struct trap_cond *cond; /* RBP_SW: its condition as a trap (owned), or NULL */
};

struct timeline {
	struct rep_opts o;
	uint64_t echo_after;
	struct rep_session *s;
	struct user_bp bps[MAX_USER_BPS];
	size_t nbps;
	bool pass_sig[65];
	/* Checkpoints at event boundaries, in event order. */
	struct rep_checkpoint *ckpts[MAX_CKPTS];
	size_t nckpts;
	uint64_t last_ckpt_ns;
	bool (*cond)(void *arg, struct rep_session *s, uint64_t addr);
	void *cond_arg;
	/* The user's, by number (slot id-1; NULL when deleted). */
	struct rep_checkpoint **user;
	size_t nuser, user_alloc;
};

static bool cond_holds(struct timeline *tl, const struct rep_stop *st);

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

static void boundary_hook(void *arg);

/* Settings every session gets: the user's breakpoints, signal stops, the hook. */
static void setup_session(struct timeline *tl)
{
	rep_set_stop_at_end(tl->s, true);
	rep_set_boundary_hook(tl->s, boundary_hook, tl);
	for (int sig = 1; sig < 65; sig++)
		rep_set_pass_signal(tl->s, sig, tl->pass_sig[sig]);
	for (size_t i = 0; i < tl->nbps; i++) {
		(void)rep_insert(tl->s, tl->bps[i].kind, tl->bps[i].addr, tl->bps[i].len);
		if (tl->bps[i].cond)
			(void)rep_insert_cond(tl->s, tl->bps[i].addr, tl->bps[i].cond);
	}
}

/* Drop every other checkpoint of the older half: their number grows slowly. */
static void thin(struct timeline *tl)
{
	size_t keep = 0, half = tl->nckpts / 2;
	for (size_t i = 0; i < tl->nckpts; i++) {
		if (i > 0 && i < half && (i & 1)) {
			rep_checkpoint_free(tl->ckpts[i]);
			continue;
		}
		tl->ckpts[keep++] = tl->ckpts[i];
	}
	tl->nckpts = keep;
}

static void add_checkpoint(struct timeline *tl)
{
	struct rep_checkpoint *c;
	struct rep_pos pos;
	size_t at;
	if (rep_position(tl->s, &pos) || !pos.boundary)
		return;
	if (tl->nckpts == MAX_CKPTS)
		thin(tl);
	for (at = 0; at < tl->nckpts; at++) {
		uint64_t e = rep_checkpoint_pos(tl->ckpts[at])->event;
		if (e == pos.event)
			return;
		if (e > pos.event)
			break;
	}
	if (rep_checkpoint_take(tl->s, &c))
		return;
	memmove(tl->ckpts + at + 1, tl->ckpts + at, (tl->nckpts - at) * sizeof(tl->ckpts[0]));
	tl->ckpts[at] = c;
	tl->nckpts++;
	tl->last_ckpt_ns = now_ns();
}

static void boundary_hook(void *arg)
{
	struct timeline *tl = arg;
	if (now_ns() - tl->last_ckpt_ns >= CKPT_INTERVAL_NS)
		add_checkpoint(tl);
}

int tl_restart(struct timeline *tl)
{
	rep_session_close(tl->s);
	tl->s = NULL;
	if (tl->nckpts) {
		/* The first checkpoint is the start of the recording. */
		if (rep_checkpoint_restore(tl->ckpts[0], &tl->s))
			return -1;
	} else {
		if (rep_session_open(&tl->o, &tl->s))
			return -1;
	}
	setup_session(tl);
	if (!tl->nckpts)
		add_checkpoint(tl);
	return 0;
}

/* Is checkpoint position c strictly before position p? */
static bool ckpt_before(const struct rep_pos *c, const struct rep_pos *p)
{
	return c->event < p->event || (c->event == p->event && !p->boundary);
}

/*
 * Start a session at the latest checkpoint strictly before p (at or before
 * p when or_at). *ret_idx: its index.
 */
static int restore_before(struct timeline *tl, const struct rep_pos *p, bool or_at, size_t *ret_idx)
{
	size_t i = tl->nckpts;
	while (i > 1) {
		const struct rep_pos *c = rep_checkpoint_pos(tl->ckpts[i - 1]);
		if (ckpt_before(c, p) || (or_at && c->event == p->event))
			break;
		i--;
	}
	if (i == 0)
		return tl_restart(tl);
	rep_session_close(tl->s);
	tl->s = NULL;
	if (rep_checkpoint_restore(tl->ckpts[i - 1], &tl->s))
		return -1;
	setup_session(tl);
	if (ret_idx)
		*ret_idx = i - 1;
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
	for (size_t i = 0; i < tl->nckpts; i++)
		rep_checkpoint_free(tl->ckpts[i]);
	for (size_t i = 0; i < tl->nuser; i++)
		rep_checkpoint_free(tl->user[i]);
	free(tl->user);
	for (size_t i = 0; i < tl->nbps; i++)
		free(tl->bps[i].cond);
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
			free(tl->bps[i].cond);
			tl->bps[i] = tl->bps[--tl->nbps];
			break;
		}
	return rep_remove(tl->s, kind, addr, len);
}

int tl_insert_cond(struct timeline *tl, uint64_t addr, const struct trap_cond *cond)
{
	for (size_t i = 0; i < tl->nbps; i++) {
		struct user_bp *b = &tl->bps[i];
		if (b->kind != RBP_SW || b->addr != addr)
			continue;
		free(b->cond);
		b->cond = NULL;
		if (cond) {
			b->cond = xmalloc(sizeof(*cond));
			*b->cond = *cond;
		}
		return rep_insert_cond(tl->s, addr, cond);
	}
	return -ENOENT;
}

void tl_set_pass_signal(struct timeline *tl, int sig, bool pass)
{
	if (sig > 0 && sig < 65) {
		tl->pass_sig[sig] = pass;
		rep_set_pass_signal(tl->s, sig, pass);
	}
}

/*
 * rep_resume(), where breakpoint stops whose condition is false are not
 * stops, except at except_addr (the address an internal search looks for).
 */
static int run(struct timeline *tl, bool step, uint64_t until, uint64_t except_addr,
	       bool (*interrupt)(void *), void *arg, struct rep_stop *stop)
{
	int err;
	do {
		err = rep_resume(tl->s, step, until, interrupt, arg, stop);
	} while (!err && !step && stop->addr != except_addr && !cond_holds(tl, stop));
	return err;
}

int tl_resume(struct timeline *tl, bool step, uint64_t until_event, bool (*interrupt)(void *),
	      void *arg, struct rep_stop *stop)
{
	return run(tl, step, until_event, 0, interrupt, arg, stop);
}

static struct timeline *cur_tl; /* for is_hit(): the timeline being searched */

static bool cond_holds(struct timeline *tl, const struct rep_stop *st)
{
	if (!tl || !tl->cond || (st->kind != RSTOP_BREAKPOINT && st->kind != RSTOP_HWBREAK))
		return true;
	return tl->cond(tl->cond_arg, tl->s, st->addr);
}

/* A stop that reverse-continue should stop at: a breakpoint whose condition holds. */
static bool is_hit(const struct rep_stop *st)
{
	return (st->kind == RSTOP_BREAKPOINT || st->kind == RSTOP_HWBREAK ||
		st->kind == RSTOP_WATCH) && cond_holds(cur_tl, st);
}

void tl_set_condition(struct timeline *tl, bool (*fn)(void *arg, struct rep_session *s,
						       uint64_t addr), void *arg)
{
	tl->cond = fn;
	tl->cond_arg = arg;
	cur_tl = tl;
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
static int replay_to(struct timeline *tl, size_t from, const struct rep_pos *want,
		     uint64_t stop_after_hits, uint64_t *ret_hits, struct rep_stop *ret_hit_stop,
		     bool *ret_found)
{
	struct rep_stop st;
	struct rep_pos pos;
	uint64_t hits = 0;
	bool temp = false;
	int err = 0;

	*ret_found = false;
	rep_session_close(tl->s);
	tl->s = NULL;
	if (rep_checkpoint_restore(tl->ckpts[from], &tl->s))
		return -1;
	setup_session(tl);
	internal_mode(tl, true);
	/* Up to the boundary of the wanted event, counting hits. */
	for (;;) {
		if (run(tl, false, want->event, 0, NULL, NULL, &st))
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
	if (rep_same_state(&pos.regs, &want->regs) && want->boundary) {
		*ret_found = true;
		goto out;
	}
	/* Inside the event's interval: find the state with a breakpoint on its rip. */
	if (!has_user_bp(tl, RBP_SW, want->regs.rip)) {
		if (rep_insert(tl->s, RBP_SW, want->regs.rip, 1))
			goto out;
		temp = true;
	}
	rep_set_traps(tl->s, false); /* a conditional breakpoint there must stop every time */
	for (;;) {
		if (run(tl, false, want->event + 1, want->regs.rip, NULL, NULL, &st)) {
			err = -1;
			break;
		}
		if (st.kind == RSTOP_BREAKPOINT && st.addr == want->regs.rip &&
		    rep_position(tl->s, &pos) == 0 && rep_same_state(&pos.regs, &want->regs)) {
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
	rep_set_traps(tl->s, true);
out:
	internal_mode(tl, false);
	if (ret_hits)
		*ret_hits = hits;
	return err;
}

/* From the nearest checkpoint, run until event is the next to run. */
static int replay_to_boundary(struct timeline *tl, uint64_t event, struct rep_stop *stop)
{
	struct rep_pos p = { .event = event, .boundary = true };
	if (restore_before(tl, &p, true, NULL))
		return -1;
	internal_mode(tl, true);
	do {
		if (run(tl, false, event, 0, NULL, NULL, stop))
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
	rep_set_traps(tl->s, false);
	for (;;) {
		if (run(tl, false, want->event + 1, want->regs.rip, NULL, NULL, stop))
			break;
		if (stop->kind == RSTOP_BREAKPOINT && stop->addr == want->regs.rip &&
		    rep_position(tl->s, &pos) == 0) {
			struct user_regs_struct a = pos.regs, b = want->regs;
			if (syscall) {
				a.rcx = b.rcx;
				a.r11 = b.r11;
			}
			if (rep_same_state(&a, &b)) {
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
	rep_set_traps(tl->s, true);
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

/*
 * Addresses A = rip - k whose instruction is k bytes long and can fall
 * through to rip (not an unconditional jump, call or return): candidates
 * for the instruction executed just before a position at rip.
 */
static size_t fallthrough_candidates(struct timeline *tl, uint64_t rip, uint64_t cand[15])
{
	unsigned char code[32];
	ZydisDecoder dec;
	size_t n = 0;

	if (rep_read_mem(tl->s, rip - 16, code, 16))
		return 0;
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	for (unsigned k = 1; k <= 15; k++) {
		ZydisDecodedInstruction in;
		if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&dec, NULL, code + 16 - k, k, &in)) ||
		    in.length != k)
			continue;
		if (in.meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
		    in.meta.category == ZYDIS_CATEGORY_CALL || in.meta.category == ZYDIS_CATEGORY_RET ||
		    in.mnemonic == ZYDIS_MNEMONIC_SYSCALL || in.mnemonic == ZYDIS_MNEMONIC_INT3)
			continue;
		cand[n++] = rip - k;
	}
	return n;
}

/*
 * Put temporary hardware breakpoints on addrs; *temp says which got one (at
 * most the free debug registers). Never int3: a candidate address may be
 * the middle of a real instruction, which an int3 byte would corrupt.
 */
static void temp_bps(struct timeline *tl, const uint64_t *addrs, size_t n, bool *temp, bool on)
{
	for (size_t i = 0; i < n; i++) {
		if (on)
			temp[i] = !has_user_bp(tl, RBP_HW, addrs[i]) &&
				  rep_insert(tl->s, RBP_HW, addrs[i], 1) == 0;
		else if (temp[i])
			(void)rep_remove(tl->s, RBP_HW, addrs[i], 1);
	}
}

/*
 * Find the position just before cur, inside cur's event interval, without
 * single-stepping the whole interval: run from the nearest checkpoint with
 * breakpoints on the candidate addresses; the candidate hit whose single
 * step lands on cur is the one; then go to that hit again. 0: found (the
 * session stands there), 1: not found this way, -1: error (reported).
 */
static int step_back_by_candidates(struct timeline *tl, const struct rep_pos *cur,
				   struct rep_stop *stop)
{
	uint64_t cand[15], counts[15] = { 0 }, nth = 0;
	bool temp[15];
	size_t n = fallthrough_candidates(tl, cur->regs.rip, cand), which = 0;
	struct rep_stop st;
	struct rep_pos pos;
	int ret = 1;

	if (!n)
		return 1;
	/* Pass 1: which candidate, and its how-manieth hit. */
	if (restore_before(tl, cur, false, NULL))
		return -1;
	internal_mode(tl, true);
	temp_bps(tl, cand, n, temp, true);
	if (!temp[0] && n == 1) {
		internal_mode(tl, false);
		return 1; /* no debug register free */
	}
	for (;;) {
		size_t i;
		if (run(tl, false, cur->event + 1, 0, NULL, NULL, &st)) {
			ret = -1;
			break;
		}
		if (st.kind != RSTOP_HWBREAK) {
			if (is_hit(&st))
				continue;
			break; /* past cur's event: not this way */
		}
		for (i = 0; i < n && !(cand[i] == st.addr && temp[i]); i++)
			;
		if (i == n || rep_current_event(tl->s) != cur->event)
			continue;
		counts[i]++;
		if (rep_resume(tl->s, true, 0, NULL, NULL, &st) || rep_position(tl->s, &pos)) {
			ret = -1;
			break;
		}
		if (pos.event == cur->event && rep_same_state(&pos.regs, &cur->regs)) {
			which = i;
			nth = counts[i];
			ret = 0;
			break;
		}
	}
	temp_bps(tl, cand, n, temp, false);
	internal_mode(tl, false);
	if (ret)
		return ret;
	/* Pass 2: to that hit. */
	if (restore_before(tl, cur, false, NULL))
		return -1;
	internal_mode(tl, true);
	temp_bps(tl, &cand[which], 1, temp, true);
	ret = 1;
	for (uint64_t hits = 0;;) {
		if (run(tl, false, cur->event + 1, cand[which], NULL, NULL, &st)) {
			ret = -1;
			break;
		}
		if (st.kind == RSTOP_HWBREAK && st.addr == cand[which] &&
		    rep_current_event(tl->s) == cur->event && ++hits == nth) {
			ret = 0;
			break;
		}
		if (!is_hit(&st))
			break;
	}
	temp_bps(tl, &cand[which], 1, temp, false);
	internal_mode(tl, false);
	if (ret == 0)
		stop->kind = RSTOP_STEP;
	return ret;
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
		if (cur.prev_kind == EV_SIGNAL &&
		    (cur.prev_sigkind == SIGK_SYNC || cur.prev_sigkind == SIGK_STATE)) {
			/* At a fault or a signal in user code: the instruction before it. */
			cur.event--;
			cur.boundary = false;
			goto interval;
		}
		/* A signal injected at the previous boundary: that state, and one more back. */
		if (replay_to_boundary(tl, cur.event - 1, stop))
			return -1;
		return tl_reverse_step(tl, stop, ret_begin);
	}
interval:
	/* Inside an event's interval: usually the instruction before ends at rip. */
	switch (step_back_by_candidates(tl, &cur, stop)) {
	case 0:
		return 0;
	case 1:
		break;
	default:
		return -1;
	}
	/* Otherwise count the steps from the event's boundary to here. */
	anchor = cur;
	anchor.boundary = true;
	if (replay_to_boundary(tl, cur.event, &st))
		return -1;
	for (;;) {
		if (rep_position(tl->s, &pos))
			return -1;
		if (rep_same_state(&pos.regs, &cur.regs))
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
	struct rep_pos cur, want;
	struct rep_stop hit;
	uint64_t hits = 0, got = 0;
	size_t idx = 0;
	bool found;

	*ret_begin = false;
	if (rep_position(tl->s, &cur))
		return -1;
	want = cur;
	if (restore_before(tl, &cur, false, &idx))
		return -1;
	/* Scan from each checkpoint to the next position, newest interval first. */
	for (;;) {
		if (replay_to(tl, idx, &want, 0, &hits, NULL, &found))
			return -1;
		if (!found)
			return error("cannot find the current position again (event %llu)",
				     (unsigned long long)want.event);
		if (hits)
			break;
		if (idx == 0)
			return go_to_begin(tl, stop, ret_begin);
		want = *rep_checkpoint_pos(tl->ckpts[idx]);
		idx--;
	}
	memset(&hit, 0, sizeof(hit));
	if (replay_to(tl, idx, &want, hits, &got, &hit, &found))
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

int tl_user_checkpoint(struct timeline *tl, int *ret_id)
{
	struct rep_checkpoint *c;
	int err = rep_checkpoint_take(tl->s, &c);
	if (err)
		return err;
	GROW(tl->user, tl->user_alloc, tl->nuser + 1);
	tl->user[tl->nuser++] = c;
	*ret_id = (int)tl->nuser;
	return 0;
}

int tl_user_restart(struct timeline *tl, int id)
{
	if (id < 1 || (size_t)id > tl->nuser || !tl->user[id - 1])
		return -ENOENT;
	rep_session_close(tl->s);
	tl->s = NULL;
	if (rep_checkpoint_restore(tl->user[id - 1], &tl->s))
		return -1;
	setup_session(tl);
	return 0;
}

int tl_user_delete(struct timeline *tl, int id)
{
	if (id < 1 || (size_t)id > tl->nuser || !tl->user[id - 1])
		return -ENOENT;
	rep_checkpoint_free(tl->user[id - 1]);
	tl->user[id - 1] = NULL;
	return 0;
}

void tl_user_checkpoints(struct timeline *tl, struct buf *out)
{
	bool any = false;
	for (size_t i = 0; i < tl->nuser; i++) {
		const struct rep_pos *p;
		if (!tl->user[i])
			continue;
		p = rep_checkpoint_pos(tl->user[i]);
		buf_printf(out, "%zu  event %llu  rip 0x%llx\n", i + 1, (unsigned long long)p->event,
			   (unsigned long long)p->regs.rip);
		any = true;
	}
	if (!any)
		buf_printf(out, "No checkpoints.\n");
}

void tl_stats(struct timeline *tl, size_t *ret_auto, size_t *ret_user, uint64_t *ret_pss_kb)
{
	uint64_t kb = 0;
	size_t users = 0;
	for (size_t i = 0; i < tl->nckpts; i++)
		kb += rep_checkpoint_pss_kb(tl->ckpts[i]);
	for (size_t i = 0; i < tl->nuser; i++)
		if (tl->user[i]) {
			kb += rep_checkpoint_pss_kb(tl->user[i]);
			users++;
		}
	*ret_auto = tl->nckpts;
	*ret_user = users;
	*ret_pss_kb = kb;
}
