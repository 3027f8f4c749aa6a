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
#include "timeline/timeline_int.h"
#include "trap/trap.h"
#include "trace/trace.h"

#define MAX_USER_BPS 512
#define MAX_CKPTS 128
#define CKPT_INTERVAL_NS (100ull * 1000 * 1000)
/* A run to an event boundary this long (from a checkpoint) takes one there. */
#define CKPT_REVISIT_NS (20ull * 1000 * 1000)
/* reverse-continue: hits a scan meets before it bisects what is left of its intervals. */
#define SCAN_BISECT_HITS 1000
/* A trap's guard hit this often (each one a run again): the breakpoint is not patched again. */
#define GUARD_LIMIT 8

struct user_bp {
	enum rep_bp_kind kind;
	uint64_t addr, len;
	struct trap_cond *cond; /* RBP_SW: its condition as a trap (owned), or NULL */
	uint64_t cond_key;      /* digest of its conditions (tl_set_cond_key), 0: none */
	uint64_t hide_from;     /* the program reads the code under it in the intervals of */
	uint64_t hide_until;    /* these events (rep_hide_bp), 0: none */
	unsigned guards;        /* how many times a guard was hit: after GUARD_LIMIT, hidden for good */
};

struct timeline {
	struct rep_opts o;
	uint64_t echo_after;
	struct rep_session *s;
	struct user_bp bps[MAX_USER_BPS];
	size_t nbps;
	bool bps_in; /* the user's breakpoints are in s (see user_bps()) */
	struct hits hits;
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
	bool exec_stops;      /* tl_set_exec_stops */
	struct rep_image img; /* during reverse-continue: the program at the start */
	uint64_t floor;       /* then: its first interval, if an exec in view loaded it (0: none) */
	bool guard_hit;       /* run() met RSTOP_GUARD: the session is spoiled (guard_back()) */
};

static bool cond_holds(struct timeline *tl, const struct rep_stop *st);
static bool exec_in_view(struct timeline *tl, struct rep_image *img);
static int cross_exec(struct timeline *tl, const struct rep_image *img, struct rep_stop *stop);

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

/* Put the user's breakpoints into the session, or take them out. */
static void user_bps(struct timeline *tl, bool on)
{
	if (tl->bps_in == on)
		return;
	tl->bps_in = on;
	for (size_t i = 0; i < tl->nbps; i++) {
		const struct user_bp *b = &tl->bps[i];
		if (!on) {
			(void)rep_remove(tl->s, b->kind, b->addr, b->len);
			continue;
		}
		(void)rep_insert(tl->s, b->kind, b->addr, b->len);
		if (b->hide_until)
			(void)rep_hide_bp(tl->s, b->addr, b->hide_from, b->hide_until);
		if (b->cond)
			(void)rep_insert_cond(tl->s, b->addr, b->cond);
	}
}

/* Settings every session gets: the user's breakpoints, signal stops, the hook. */
static void setup_session(struct timeline *tl)
{
	rep_set_stop_at_end(tl->s, true);
	rep_set_boundary_hook(tl->s, boundary_hook, tl);
	for (int sig = 1; sig < 65; sig++)
		rep_set_pass_signal(tl->s, sig, tl->pass_sig[sig]);
	tl->bps_in = false;
	user_bps(tl, true);
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
	hits_init(&tl->hits, o->trace_dir, o->focus);
	if (tl_restart(tl)) {
		hits_release(&tl->hits);
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
	hits_release(&tl->hits);
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

void tl_forget_user_bps(struct timeline *tl)
{
	user_bps(tl, false);
	for (size_t i = 0; i < tl->nbps; i++)
		free(tl->bps[i].cond);
	tl->nbps = 0;
	tl->bps_in = true;
}

void tl_set_exec_stops(struct timeline *tl, bool on)
{
	tl->exec_stops = on;
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

int tl_set_cond_key(struct timeline *tl, enum rep_bp_kind kind, uint64_t addr, uint64_t key)
{
	for (size_t i = 0; i < tl->nbps; i++)
		if (tl->bps[i].kind == kind && tl->bps[i].addr == addr) {
			tl->bps[i].cond_key = key;
			return 0;
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
 * A trap's guard (RSTOP_GUARD) hides that breakpoint from now on and fails
 * with tl->guard_hit set: the command goes back and runs again (guard_back()).
 */
static int run(struct timeline *tl, bool step, uint64_t until, uint64_t except_addr,
	       bool (*interrupt)(void *), void *arg, struct rep_stop *stop)
{
	uint64_t ev;
	int err;
	do {
		err = rep_resume(tl->s, step, until, interrupt, arg, stop);
	} while (!err && !step && stop->addr != except_addr && !cond_holds(tl, stop));
	if (err || stop->kind != RSTOP_GUARD)
		return err;
	ev = rep_current_event(tl->s);
	for (size_t i = 0; i < tl->nbps; i++) {
		struct user_bp *b = &tl->bps[i];
		if (b->kind != RBP_SW || b->addr != stop->addr || b->hide_until == UINT64_MAX)
			continue;
		b->hide_from = b->hide_until ? MIN(b->hide_from, ev) : ev;
		b->hide_until = MAX(b->hide_until, ev);
		if (++b->guards >= GUARD_LIMIT) {
			b->hide_from = 1; /* a program that reads its code this much: no trap there */
			b->hide_until = UINT64_MAX;
		}
		tl->guard_hit = true;
		dbg(LM_REP, "the program reads its code under the breakpoint at 0x%llx before "
		    "event %llu: going back to run without its trap there", (unsigned long long)stop->addr,
		    (unsigned long long)ev);
		return -1;
	}
	return error("the program read its own code under a breakpoint at 0x%llx that cannot be "
		     "hidden", (unsigned long long)stop->addr);
}

static int replay_to(struct timeline *tl, const struct rep_pos *want, uint64_t stop_after_hits,
		     uint64_t *ret_hits, struct rep_stop *ret_hit_stop, bool *ret_found);

/*
 * A command met a trap's guard (run()): from the program's read of its
 * code on, the session was not the recording. Back to start, where the
 * command began, to run it again with that breakpoint hidden. Without a
 * start (have_start false) it fails. 0 or -1 (reported).
 */
static int guard_back(struct timeline *tl, const struct rep_pos *start, bool have_start)
{
	bool found;
	tl->guard_hit = false;
	if (!have_start)
		return error("the program read its own code under a breakpoint, and its position "
			     "before cannot be found again");
	if (replay_to(tl, start, 0, NULL, NULL, &found))
		return -1;
	if (!found)
		return error("cannot find the position at event %llu again after the program read "
			     "its own code under a breakpoint", (unsigned long long)start->event);
	return 0;
}

int tl_resume(struct timeline *tl, bool step, uint64_t until_event, bool (*interrupt)(void *),
	      void *arg, struct rep_stop *stop)
{
	struct rep_pos start;
	bool have_start = rep_position(tl->s, &start) == 0;
	int err;
	for (;;) {
		rep_set_exec_stops(tl->s, tl->exec_stops);
		err = run(tl, step, until_event, 0, interrupt, arg, stop);
		rep_set_exec_stops(tl->s, false);
		if (!tl->guard_hit)
			break;
		if (guard_back(tl, &start, have_start))
			return -1;
	}
	if (!err && stop->kind == RSTOP_EXEC)
		tl_forget_user_bps(tl); /* gone with the old program (replay dropped them) */
	return err;
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

/* Run until event ev is the next to run (breakpoint hits on the way are passed). */
static int run_to(struct timeline *tl, uint64_t ev)
{
	struct rep_stop st;
	do {
		if (run(tl, false, ev, 0, NULL, NULL, &st))
			return -1;
	} while (is_hit(&st));
	if (st.kind != RSTOP_EVENT)
		return error("cannot replay to event %llu", (unsigned long long)ev);
	return 0;
}

/*
 * A session at the boundary of event ev (the latest checkpoint at or before
 * it, then the user's breakpoints out up to it), in internal mode.
 */
static int boundary_session(struct timeline *tl, uint64_t ev)
{
	struct rep_pos p = { .event = ev, .boundary = true };
	uint64_t t0 = now_ns();
	int err;
	if (restore_before(tl, &p, true, NULL))
		return -1;
	internal_mode(tl, true);
	user_bps(tl, false);
	err = run_to(tl, ev);
	user_bps(tl, true);
	/* Searches come back to where they went: a long way deserves a checkpoint. */
	if (!err && now_ns() - t0 >= CKPT_REVISIT_NS)
		add_checkpoint(tl);
	return err;
}

/*
 * Replay from the boundary of want's event to position want, inside that
 * event's interval. Every user hit on the way counts; *ret_found says
 * whether want was reached. With stop_after_hits > 0, stop at that hit
 * instead (want is a bound) and give it in *ret_hit_stop.
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
	if (boundary_session(tl, want->event))
		return -1;
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
		if (st.kind == RSTOP_BREAKPOINT && st.addr == want->regs.rip) {
			if (rep_position(tl->s, &pos) == 0 &&
			    rep_same_state(&pos.regs, &want->regs)) {
				*ret_found = true;
				break;
			}
			if (temp || !is_hit(&st))
				continue; /* the breakpoint there, another state */
		} else if (!is_hit(&st)) {
			break; /* past the event or at the end: not found */
		}
		hits++;
		if (ret_hit_stop)
			*ret_hit_stop = st;
		if (stop_after_hits && hits == stop_after_hits)
			break;
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
	int err = boundary_session(tl, event);
	internal_mode(tl, false);
	memset(stop, 0, sizeof(*stop));
	stop->kind = RSTOP_STEP;
	return err;
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

/* Registers recorded at a syscall's entry, as they were at its syscall instruction. */
static void at_syscall_insn(struct user_regs_struct *regs)
{
	regs->rip -= 2; /* the length of `syscall` */
	regs->rax = regs->orig_rax;
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
		if (run(tl, true, 0, 0, NULL, NULL, stop))
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
		if (run(tl, true, 0, 0, NULL, NULL, &st) || rep_position(tl->s, &pos)) {
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

static int reverse_step(struct timeline *tl, struct rep_stop *stop, bool *ret_begin)
{
	struct rep_pos cur, anchor, pos;
	struct rep_stop st;
	uint64_t n = 0;

	*ret_begin = false;
	if (rep_position(tl->s, &cur))
		return -1;
	if (cur.boundary) {
		/* Right after an event: the instruction before is the event's own. */
		if (cur.prev_kind == EV_EXEC && cur.event > 2) {
			struct rep_image img;
			if (exec_in_view(tl, &img) && img.exec_event + 1 == cur.event)
				return cross_exec(tl, &img, stop);
		}
		if (cur.prev_kind == EV_EXEC || cur.event <= 2)
			return go_to_begin(tl, stop, ret_begin);
		anchor = cur;
		anchor.event = cur.event - 1;
		anchor.boundary = true;
		if (cur.prev_kind == EV_SYSCALL || cur.prev_kind == EV_RDTSC) {
			/* Before the syscall (or rdtsc) instruction: its registers, its address. */
			anchor.boundary = false;
			anchor.regs = cur.prev_regs;
			if (cur.prev_kind == EV_SYSCALL)
				at_syscall_insn(&anchor.regs);
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
		return reverse_step(tl, stop, ret_begin);
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

/* Which of the user's breakpoints a stop is (its index in tl->bps), or -1. */
static int stop_bp(struct timeline *tl, const struct rep_stop *st)
{
	for (size_t i = 0; i < tl->nbps; i++) {
		const struct user_bp *b = &tl->bps[i];
		bool kind = st->kind == RSTOP_BREAKPOINT ? b->kind == RBP_SW
			    : st->kind == RSTOP_HWBREAK  ? b->kind == RBP_HW
							 : st->kind == RSTOP_WATCH && b->kind == st->watch_kind;
		if (kind && b->addr == st->addr)
			return (int)i;
	}
	return -1;
}

/*
 * The hit index of user breakpoint i (see timeline_int.h); create: make it
 * if there is none. NULL when its hits cannot be told apart from another
 * one's: a watchpoint while another is set (one write reports one of
 * them), or two kinds of breakpoint at one address.
 */
static struct hit_index *bp_index(struct timeline *tl, size_t i, bool create)
{
	const struct user_bp *b = &tl->bps[i];
	struct hit_key k = { .kind = b->kind, .addr = b->addr, .len = b->len,
			     .cond = b->cond_key };
	for (size_t j = 0; j < tl->nbps; j++) {
		const struct user_bp *o = &tl->bps[j];
		if (j != i && (b->kind >= RBP_WRITE ? o->kind >= RBP_WRITE
						    : o->kind < RBP_WRITE && o->addr == b->addr))
			return NULL;
	}
	return hits_find(&tl->hits, &k, create);
}

/*
 * The first interval a search looks at: the start of the recording or,
 * during reverse-continue, of the program the debugger sees (tl->floor).
 */
static uint64_t first_interval(struct timeline *tl)
{
	uint64_t start = tl->nckpts ? rep_checkpoint_pos(tl->ckpts[0])->event : 1;
	return MAX(start, tl->floor);
}

/* Does the index know interval ev for every breakpoint set now? */
static bool known(struct timeline *tl, uint64_t ev)
{
	for (size_t i = 0; i < tl->nbps; i++) {
		const struct hit_index *x = bp_index(tl, i, false);
		if (!x || hidx_floor(x, ev + 1) > ev)
			return false;
	}
	return true;
}

/*
 * What the index knows below interval hi, for the breakpoints set now:
 * true with the last interval that has hits and their number, or false
 * with *ret_floor, the first interval of the run up to hi where it knows
 * there are none (hi: it knows nothing of hi - 1).
 */
static bool index_last_hit(struct timeline *tl, uint64_t hi, uint64_t *ret_event, uint64_t *ret_n,
			   uint64_t *ret_floor)
{
	uint64_t floor = first_interval(tl), best = 0, n = 0;
	bool found = false;

	for (size_t i = 0; i < tl->nbps; i++) {
		const struct hit_index *x = bp_index(tl, i, false);
		floor = MAX(floor, x ? hidx_floor(x, hi) : hi);
	}
	for (size_t i = 0; i < tl->nbps && floor < hi; i++) {
		uint64_t e;
		if (hidx_last(bp_index(tl, i, false), floor, hi, &e) && (!found || e > best)) {
			best = e;
			found = true;
		}
	}
	if (!found) {
		*ret_floor = MIN(floor, hi);
		return false;
	}
	for (size_t i = 0; i < tl->nbps; i++)
		n += hidx_count(bp_index(tl, i, false), best);
	*ret_event = best;
	*ret_n = n;
	return true;
}

/* One breakpoint's hits in one interval, found by a scan. */
struct scan_hit {
	uint64_t event;
	size_t bp; /* index in tl->bps; nbps: a stop that is none of them */
	uint64_t n;
};

/* Put what a scan of the intervals [lo, hi) found into each breakpoint's index. */
static void scan_commit(struct timeline *tl, uint64_t lo, uint64_t hi, const struct scan_hit *h,
			size_t n)
{
	struct hit_count *c = xcalloc(n + 1, sizeof(*c));
	for (size_t k = 0; k < n; k++)
		if (h[k].bp == tl->nbps)
			goto out; /* a stop we cannot name: counts we cannot trust */
	for (size_t i = 0; i < tl->nbps; i++) {
		struct hit_index *x = bp_index(tl, i, true);
		size_t nc = 0;
		if (!x)
			continue;
		for (size_t k = 0; k < n; k++)
			if (h[k].bp == i)
				c[nc++] = (struct hit_count){ h[k].event, h[k].n };
		hidx_commit(&tl->hits, x, lo, hi, c, nc);
	}
out:
	free(c);
}

/*
 * Scan the intervals below hi that the index does not know, for hits of
 * the breakpoints set now: from the latest checkpoint before hi, with the
 * breakpoints out over what the index knows, then in, counting each one's
 * hits per interval into the index. When more than SCAN_BISECT_HITS hits
 * come while two intervals or more are left, bisect: run to the middle of
 * what is left with the breakpoints out (taking a checkpoint there) and
 * scan from there, so the later half is searched first. *ret_lo: where the
 * last part scanned began (everything in [*ret_lo, hi) is scanned);
 * *ret_found, *ret_event, *ret_n: the last interval in it with hits, and
 * how many.
 */
static int scan_below(struct timeline *tl, uint64_t hi, uint64_t *ret_lo, bool *ret_found,
		      uint64_t *ret_event, uint64_t *ret_n)
{
	struct rep_pos p = { .event = hi - 1, .boundary = true };
	uint64_t *cnt = xcalloc(tl->nbps + 1, sizeof(*cnt));
	struct scan_hit *seg = NULL;
	size_t nseg = 0, seg_alloc = 0;
	uint64_t ev, seg_lo, end = hi, total = 0;
	struct rep_stop st;
	int err = -1;

	if (restore_before(tl, &p, true, NULL))
		goto out;
	for (ev = MAX(rep_current_event(tl->s), first_interval(tl)); ev < hi - 1 && known(tl, ev);
	     ev++)
		;
	internal_mode(tl, true);
	user_bps(tl, false);
	if (run_to(tl, ev))
		goto out;
	user_bps(tl, true);
	seg_lo = ev;
	while (ev < end) {
		if (run(tl, false, ev + 1, 0, NULL, NULL, &st))
			goto out;
		if (is_hit(&st)) {
			int b = stop_bp(tl, &st);
			cnt[b < 0 ? tl->nbps : (size_t)b]++;
			if (++total <= SCAN_BISECT_HITS || end - ev < 2)
				continue;
			/* Many hits and two intervals or more to go: bisect what is left. */
			scan_commit(tl, seg_lo, ev, seg, nseg);
			nseg = 0;
			memset(cnt, 0, (tl->nbps + 1) * sizeof(*cnt));
			seg_lo = ev + (end - ev) / 2;
			dbg(LM_REP, "reverse-continue: %llu hits before event %llu; scanning from %llu",
			    (unsigned long long)total, (unsigned long long)ev,
			    (unsigned long long)seg_lo);
			user_bps(tl, false);
			if (run_to(tl, seg_lo))
				goto out;
			add_checkpoint(tl);
			user_bps(tl, true);
			ev = seg_lo;
			total = 0;
			continue;
		}
		if (st.kind != RSTOP_EVENT) {
			end = ev; /* the end of the recording */
			break;
		}
		for (size_t i = 0; i <= tl->nbps; i++)
			if (cnt[i]) {
				GROW(seg, seg_alloc, nseg + 1);
				seg[nseg++] = (struct scan_hit){ ev, i, cnt[i] };
				cnt[i] = 0;
			}
		ev++;
	}
	scan_commit(tl, seg_lo, end, seg, nseg);
	*ret_found = nseg > 0;
	if (nseg) {
		*ret_event = seg[nseg - 1].event;
		*ret_n = 0;
		for (size_t k = nseg; k > 0 && seg[k - 1].event == *ret_event; k--)
			*ret_n += seg[k - 1].n;
	}
	*ret_lo = seg_lo;
	err = 0;
out:
	user_bps(tl, true);
	internal_mode(tl, false);
	free(seg);
	free(cnt);
	return err;
}

/* Go to the n-th hit of the breakpoints set now in interval ev. */
static int reach_hit(struct timeline *tl, uint64_t ev, uint64_t n, struct rep_stop *stop)
{
	struct rep_stop st;
	uint64_t got = 0;
	int err = boundary_session(tl, ev);
	while (!err) {
		if (run(tl, false, ev + 1, 0, NULL, NULL, &st)) {
			err = -1;
			break;
		}
		if (!is_hit(&st)) {
			err = error("lost breakpoint hit %llu of %llu before event %llu on the way back",
				    (unsigned long long)got + 1, (unsigned long long)n,
				    (unsigned long long)ev);
			break;
		}
		if (++got == n) {
			*stop = st;
			break;
		}
	}
	internal_mode(tl, false);
	return err;
}

/*
 * Back across the exec that loaded the debugger's program (tl->img): just
 * before the syscall instruction of its execve, in the old program, as
 * RSTOP_EXEC. The user's breakpoints belong to the new program: they are
 * dropped first, and the debugger sets the old program's.
 */
static int cross_exec(struct timeline *tl, const struct rep_image *img, struct rep_stop *stop)
{
	struct rep_pos anchor = { .event = img->start_event, .regs = img->regs };
	at_syscall_insn(&anchor.regs);
	anchor.regs.orig_rax = (uint64_t)-1;
	tl_forget_user_bps(tl);
	if (reach_before(tl, &anchor, true, stop))
		return -1;
	stop->kind = RSTOP_EXEC;
	return 0;
}

/* Did an exec after the first interval load the debugger's program? Its image then. */
static bool exec_in_view(struct timeline *tl, struct rep_image *img)
{
	rep_image(tl->s, img);
	return tl->exec_stops && img->start_event && img->start_event >= first_interval(tl);
}

static int reverse_continue(struct timeline *tl, struct rep_stop *stop, bool *ret_begin);

/*
 * reverse_continue() or reverse_step(), run again from where it began when
 * it met a trap's guard; reverse-continue does not go below the exec of
 * the program (tl->floor).
 */
static int reverse(struct timeline *tl, bool step, struct rep_stop *stop, bool *ret_begin)
{
	struct rep_pos start;
	bool have_start = rep_position(tl->s, &start) == 0;
	int err;
	for (;;) {
		tl->floor = 0;
		if (!step && exec_in_view(tl, &tl->img))
			tl->floor = tl->img.exec_event + 1;
		err = step ? reverse_step(tl, stop, ret_begin)
			   : reverse_continue(tl, stop, ret_begin);
		tl->floor = 0;
		if (!tl->guard_hit)
			return err;
		if (guard_back(tl, &start, have_start))
			return -1;
	}
}

int tl_reverse_continue(struct timeline *tl, struct rep_stop *stop, bool *ret_begin)
{
	return reverse(tl, false, stop, ret_begin);
}

int tl_reverse_step(struct timeline *tl, struct rep_stop *stop, bool *ret_begin)
{
	return reverse(tl, true, stop, ret_begin);
}

/*
 * The last hit before the current position: first in its own interval,
 * then interval by interval down, from the hit index where it knows them
 * and by scanning (scan_below) where it does not. Found again from the
 * boundary of its interval. Below the first interval: the start of the
 * recording, or the way back across the exec (cross_exec).
 */
static int reverse_continue(struct timeline *tl, struct rep_stop *stop, bool *ret_begin)
{
	struct rep_pos cur;
	uint64_t hits = 0, got = 0, hi, ev = 0, n = 0, lo;
	bool found;

	*ret_begin = false;
	if (rep_position(tl->s, &cur))
		return -1;
	hi = cur.event;
	if (!cur.boundary) {
		if (replay_to(tl, &cur, 0, &hits, NULL, &found))
			return -1;
		if (!found)
			return error("cannot find the current position again (event %llu)",
				     (unsigned long long)cur.event);
		if (hits) {
			memset(stop, 0, sizeof(*stop));
			if (replay_to(tl, &cur, hits, &got, stop, &found))
				return -1;
			if (got != hits)
				return error("lost breakpoint hit %llu on the way back",
					     (unsigned long long)hits);
			goto found;
		}
	}
	for (;;) {
		if (hi <= first_interval(tl))
			break;
		if (index_last_hit(tl, hi, &ev, &n, &lo))
			goto reach;
		hi = lo;
		if (hi <= first_interval(tl))
			break;
		if (scan_below(tl, hi, &lo, &found, &ev, &n))
			return -1;
		if (found)
			goto reach;
		BUG_ON(lo >= hi);
		hi = lo;
	}
	hits_save(&tl->hits);
	if (tl->floor) {
		struct rep_image img = tl->img;
		tl->floor = 0;
		return cross_exec(tl, &img, stop);
	}
	return go_to_begin(tl, stop, ret_begin);
reach:
	memset(stop, 0, sizeof(*stop));
	if (reach_hit(tl, ev, n, stop))
		return -1;
found:
	hits_save(&tl->hits);
	if (stop->kind == RSTOP_WATCH) {
		/* Going backwards, a watchpoint stops before the write, not after it. */
		struct rep_stop st;
		bool begin;
		if (reverse_step(tl, &st, &begin))
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
