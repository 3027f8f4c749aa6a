/* SPDX-License-Identifier: MIT */
/*
 * timeline: positions in a replay and execution backwards. A position is
 * (next event, registers), with a flag for "at the event boundary": between
 * two events one thread runs alone, so its state identifies the point (see
 * DESIGN.md, "Time without a PMU"). Going back means replaying forward from
 * an earlier point to the last breakpoint hit before the current position
 * (reverse-continue) or to the instruction before it (reverse-stepi).
 *
 * The earlier point is the latest checkpoint before the target: one is
 * taken at an event boundary every 100 ms of replay (thinned as they
 * accumulate), and the user can take more (tl_user_checkpoint).
 * reverse-continue keeps an index of the intervals between events where
 * each breakpoint was hit (timeline_int.h), kept beside the trace, so it
 * replays only the intervals it has not seen; where a scan meets many hits
 * it bisects, searching the later half first.
 *
 * The timeline owns the replay session and the user's breakpoints, which
 * it puts back into every new session. Top-level: errors are reported
 * (one line) and returned as -1.
 */
#ifndef REWIND_TIMELINE_TIMELINE_H
#define REWIND_TIMELINE_TIMELINE_H

#include "base/buf.h"
#include "replay/replay.h"

struct timeline;

int tl_open(const struct rep_opts *o, struct timeline **ret);
void tl_close(struct timeline *tl);
/* The current session (replaced by reverse commands and tl_restart: do not keep it). */
struct rep_session *tl_session(struct timeline *tl);
/* Start again from the beginning of the recording. */
int tl_restart(struct timeline *tl);
int tl_insert(struct timeline *tl, enum rep_bp_kind kind, uint64_t addr, uint64_t len);
int tl_remove(struct timeline *tl, enum rep_bp_kind kind, uint64_t addr, uint64_t len);
/*
 * The condition of the software breakpoint at addr as an in-tracee trap
 * (see rep_insert_cond(); NULL: none), kept for every later session.
 * tl_set_condition()'s callback still decides each stop. -ENOENT: no
 * breakpoint there.
 */
int tl_insert_cond(struct timeline *tl, uint64_t addr, const struct trap_cond *cond);
/*
 * A digest of the conditions the debugger attached to a breakpoint (0:
 * none): the hit index keeps the hits of each breakpoint and condition
 * apart. -ENOENT: no such breakpoint.
 */
int tl_set_cond_key(struct timeline *tl, enum rep_bp_kind kind, uint64_t addr, uint64_t key);
/*
 * Checkpoints the user asks for (gdb: monitor checkpoint, run cN): numbered
 * from 1, at any position. tl_user_checkpoints() describes them, one line
 * each, into out.
 */
int tl_user_checkpoint(struct timeline *tl, int *ret_id);
int tl_user_restart(struct timeline *tl, int id);
int tl_user_delete(struct timeline *tl, int id);
void tl_user_checkpoints(struct timeline *tl, struct buf *out);
/* How many checkpoints exist (automatic + the user's) and their memory (PSS, KiB). */
void tl_stats(struct timeline *tl, size_t *ret_auto, size_t *ret_user, uint64_t *ret_pss_kb);
/*
 * Breakpoint conditions: fn(arg, session, addr) says whether a breakpoint
 * stop at addr counts (forward, it does not stop; backward, it is not a hit).
 */
void tl_set_condition(struct timeline *tl, bool (*fn)(void *arg, struct rep_session *s,
						       uint64_t addr), void *arg);
/* Signals that do not stop the debugger (QPassSignals). */
void tl_set_pass_signal(struct timeline *tl, int sig, bool pass);
/*
 * On: forward and backward, crossing an exec of the debugger's process
 * stops with RSTOP_EXEC (the program is then the one rep_exe_path()
 * names), and the user's breakpoints are dropped with the program they
 * were set in. Going back, the stop is just before the execve.
 */
void tl_set_exec_stops(struct timeline *tl, bool on);
/* Drop all of the user's breakpoints and watchpoints. */
void tl_forget_user_bps(struct timeline *tl);
/* Forward, as rep_resume(). */
int tl_resume(struct timeline *tl, bool step, uint64_t until_event, bool (*interrupt)(void *),
	      void *arg, struct rep_stop *stop);
/*
 * Backward. *ret_begin is set when the start of the recording was reached
 * without finding what was asked (gdb: "No more reverse-execution history").
 */
int tl_reverse_continue(struct timeline *tl, struct rep_stop *stop, bool *ret_begin);
int tl_reverse_step(struct timeline *tl, struct rep_stop *stop, bool *ret_begin);

#endif /* REWIND_TIMELINE_TIMELINE_H */
