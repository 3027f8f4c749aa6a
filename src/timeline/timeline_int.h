/* SPDX-License-Identifier: MIT */
/*
 * timeline's private parts: the hit index (hits.c).
 *
 * The hit index remembers, for each breakpoint or watchpoint the user set
 * (kind, address, length and a digest of its gdb conditions), which event
 * intervals a search has already replayed through and how many times it was
 * hit in each. Interval N is everything from the moment event N is the next
 * to run until it is not (the user code before event N and event N itself);
 * a replay is exact, so those counts never change. reverse-continue asks the
 * index first and replays only what it does not know. The index is kept in
 * the trace folder (hits-FOCUS, a text file) so that the next debugging
 * session of the same recording starts with it.
 */
#ifndef REWIND_TIMELINE_TIMELINE_INT_H
#define REWIND_TIMELINE_TIMELINE_INT_H

#include "replay/replay.h"

struct hit_key {
	enum rep_bp_kind kind;
	uint64_t addr, len;
	uint64_t cond; /* digest of the conditions gdb attached (0: none) */
};

struct hit_range {
	uint64_t lo, hi; /* intervals [lo, hi) */
};

struct hit_count {
	uint64_t event; /* the interval */
	uint64_t n;     /* hits in it (never 0 in an index) */
};

/* One breakpoint's index: what was scanned, and where it was hit. */
struct hit_index {
	struct hit_key key;
	struct hit_range *cov; /* sorted, disjoint, not touching */
	size_t ncov, cov_alloc;
	struct hit_count *hits; /* sorted by event, all inside cov */
	size_t nhits, hits_alloc;
};

struct hits {
	char *path; /* the index file (owned); NULL: not kept on disk */
	int32_t focus;
	struct hit_index *idx;
	size_t nidx, idx_alloc;
	bool dirty;
};

/* Load the index kept for this trace and focus process (none or unreadable: empty). */
void hits_init(struct hits *h, const char *trace_dir, int32_t focus);
/* Save it if it changed (failures only logged: it is a cache). */
void hits_save(struct hits *h);
/* hits_save(), then free everything. */
void hits_release(struct hits *h);
/* The index of a breakpoint; create: make an empty one if there is none, else NULL. */
struct hit_index *hits_find(struct hits *h, const struct hit_key *k, bool create);
/*
 * The first interval of the covered run that ends at hi - 1 (every interval
 * in [that, hi) was scanned); hi when interval hi - 1 was not scanned.
 */
uint64_t hidx_floor(const struct hit_index *x, uint64_t hi);
/* The last interval in [lo, hi) with hits (false: none). */
bool hidx_last(const struct hit_index *x, uint64_t lo, uint64_t hi, uint64_t *ret_event);
/* Hits in interval event (0 when none or not scanned). */
uint64_t hidx_count(const struct hit_index *x, uint64_t event);
/*
 * Record a scan of the intervals [lo, hi): its hits are c[0..n) (sorted,
 * inside [lo, hi), counts > 0). What the index said about [lo, hi) before
 * is replaced.
 */
void hidx_commit(struct hits *h, struct hit_index *x, uint64_t lo, uint64_t hi,
		 const struct hit_count *c, size_t n);

#endif /* REWIND_TIMELINE_TIMELINE_INT_H */
