// SPDX-License-Identifier: MIT
/*
 * hits: the hit index of reverse-continue, in memory and in the trace
 * folder; see timeline_int.h.
 *
 * The file is text, one record a line:
 *   rewind-hits 1 focus PID
 *   bp KIND ADDR LEN COND     (ADDR and COND in hex) starts a breakpoint's index
 *   c LO HI                   intervals [LO, HI) were scanned
 *   h EVENT N                 N hits in interval EVENT
 * A file that does not parse is ignored as a whole (and rewritten at the
 * next save): the index is a cache, rebuilt by replaying.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timeline/timeline_int.h"

#define HITS_VERSION 1

static void hidx_free(struct hit_index *x)
{
	free(x->cov);
	free(x->hits);
}

static void hits_clear(struct hits *h)
{
	for (size_t i = 0; i < h->nidx; i++)
		hidx_free(&h->idx[i]);
	h->nidx = 0;
}

struct hit_index *hits_find(struct hits *h, const struct hit_key *k, bool create)
{
	struct hit_index *x;
	for (size_t i = 0; i < h->nidx; i++) {
		x = &h->idx[i];
		if (x->key.kind == k->kind && x->key.addr == k->addr && x->key.len == k->len &&
		    x->key.cond == k->cond)
			return x;
	}
	if (!create)
		return NULL;
	GROW(h->idx, h->idx_alloc, h->nidx + 1);
	x = &h->idx[h->nidx++];
	memset(x, 0, sizeof(*x));
	x->key = *k;
	return x;
}

/* The first covered range whose end is past ev (ncov when none). */
static size_t cov_upper(const struct hit_index *x, uint64_t ev)
{
	size_t lo = 0, hi = x->ncov;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->cov[mid].hi <= ev)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first hit at or after ev (nhits when none). */
static size_t hit_lower(const struct hit_index *x, uint64_t ev)
{
	size_t lo = 0, hi = x->nhits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->hits[mid].event < ev)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t hidx_floor(const struct hit_index *x, uint64_t hi)
{
	size_t i;
	if (hi == 0)
		return 0;
	i = cov_upper(x, hi - 1);
	if (i < x->ncov && x->cov[i].lo <= hi - 1)
		return x->cov[i].lo;
	return hi;
}

bool hidx_last(const struct hit_index *x, uint64_t lo, uint64_t hi, uint64_t *ret_event)
{
	size_t i = hit_lower(x, hi);
	if (i == 0 || x->hits[i - 1].event < lo)
		return false;
	*ret_event = x->hits[i - 1].event;
	return true;
}

uint64_t hidx_count(const struct hit_index *x, uint64_t event)
{
	size_t i = hit_lower(x, event);
	return i < x->nhits && x->hits[i].event == event ? x->hits[i].n : 0;
}

void hidx_commit(struct hits *h, struct hit_index *x, uint64_t lo, uint64_t hi,
		 const struct hit_count *c, size_t n)
{
	struct hit_range *cov = NULL;
	struct hit_count *hits = NULL;
	size_t ncov = 0, cov_alloc = 0, nhits = 0, hits_alloc = 0, i;

	if (lo >= hi)
		return;
	/* Ranges before, [lo, hi) merged with those it overlaps or touches, ranges after. */
	GROW(cov, cov_alloc, x->ncov + 1);
	for (i = 0; i < x->ncov && x->cov[i].hi < lo; i++)
		cov[ncov++] = x->cov[i];
	cov[ncov] = (struct hit_range){ lo, hi };
	for (; i < x->ncov && x->cov[i].lo <= hi; i++) {
		cov[ncov].lo = MIN(cov[ncov].lo, x->cov[i].lo);
		cov[ncov].hi = MAX(cov[ncov].hi, x->cov[i].hi);
	}
	ncov++;
	for (; i < x->ncov; i++)
		cov[ncov++] = x->cov[i];
	free(x->cov);
	x->cov = cov;
	x->ncov = ncov;
	x->cov_alloc = cov_alloc;

	GROW(hits, hits_alloc, x->nhits + n + 1);
	for (i = 0; i < x->nhits && x->hits[i].event < lo; i++)
		hits[nhits++] = x->hits[i];
	memcpy(hits + nhits, c, n * sizeof(*c));
	nhits += n;
	for (; i < x->nhits && x->hits[i].event < hi; i++)
		;
	for (; i < x->nhits; i++)
		hits[nhits++] = x->hits[i];
	free(x->hits);
	x->hits = hits;
	x->nhits = nhits;
	x->hits_alloc = hits_alloc;
	h->dirty = true;
}

/* Parse the file into h (empty on entry): 0, or -EINVAL for a bad file. */
static int hits_parse(struct hits *h, FILE *f, int32_t focus)
{
	struct hit_index *x = NULL;
	char *line = NULL;
	size_t cap = 0;
	int version, file_focus, err = -EINVAL;

	if (getline(&line, &cap, f) < 0 ||
	    sscanf(line, "rewind-hits %d focus %d", &version, &file_focus) != 2 ||
	    version != HITS_VERSION || file_focus != focus)
		goto out;
	while (getline(&line, &cap, f) >= 0) {
		unsigned long long a, b, c, d;
		unsigned kind;
		if (sscanf(line, "bp %u %llx %llu %llx", &kind, &a, &b, &c) == 4) {
			struct hit_key k = { .kind = kind, .addr = a, .len = b, .cond = c };
			if (kind >= RBP__COUNT || hits_find(h, &k, false))
				goto out;
			x = hits_find(h, &k, true);
		} else if (x && sscanf(line, "c %llu %llu", &a, &b) == 2) {
			if (a >= b || (x->ncov && a <= x->cov[x->ncov - 1].hi))
				goto out;
			GROW(x->cov, x->cov_alloc, x->ncov + 1);
			x->cov[x->ncov++] = (struct hit_range){ a, b };
		} else if (x && sscanf(line, "h %llu %llu", &a, &d) == 2) {
			size_t i = cov_upper(x, a);
			if (!d || (x->nhits && a <= x->hits[x->nhits - 1].event) || i >= x->ncov ||
			    x->cov[i].lo > a)
				goto out;
			GROW(x->hits, x->hits_alloc, x->nhits + 1);
			x->hits[x->nhits++] = (struct hit_count){ a, d };
		} else {
			goto out;
		}
	}
	err = 0;
out:
	free(line);
	return err;
}

void hits_init(struct hits *h, const char *trace_dir, int32_t focus)
{
	FILE *f;
	memset(h, 0, sizeof(*h));
	h->focus = focus;
	if (!trace_dir)
		return;
	h->path = xasprintf("%s/hits-%d", trace_dir, focus);
	f = fopen(h->path, "re");
	if (!f)
		return;
	if (hits_parse(h, f, focus)) {
		dbg(LM_REP, "ignoring the hit index %s: it does not parse", h->path);
		hits_clear(h);
	}
	fclose(f);
}

void hits_save(struct hits *h)
{
	char *tmp;
	FILE *f;
	bool ok;
	if (!h->dirty || !h->path)
		return;
	h->dirty = false;
	tmp = xasprintf("%s.tmp", h->path);
	f = fopen(tmp, "we");
	if (!f) {
		dbg(LM_REP, "cannot write %s: %s", tmp, strerror(errno));
		free(tmp);
		return;
	}
	fprintf(f, "rewind-hits %d focus %d\n", HITS_VERSION, h->focus);
	for (size_t i = 0; i < h->nidx; i++) {
		const struct hit_index *x = &h->idx[i];
		if (!x->ncov)
			continue;
		fprintf(f, "bp %u %llx %llu %llx\n", (unsigned)x->key.kind,
			(unsigned long long)x->key.addr, (unsigned long long)x->key.len,
			(unsigned long long)x->key.cond);
		for (size_t j = 0; j < x->ncov; j++)
			fprintf(f, "c %llu %llu\n", (unsigned long long)x->cov[j].lo,
				(unsigned long long)x->cov[j].hi);
		for (size_t j = 0; j < x->nhits; j++)
			fprintf(f, "h %llu %llu\n", (unsigned long long)x->hits[j].event,
				(unsigned long long)x->hits[j].n);
	}
	ok = !ferror(f);
	if (fclose(f) || !ok || rename(tmp, h->path)) {
		dbg(LM_REP, "cannot write %s", h->path);
		(void)unlink(tmp);
	}
	free(tmp);
}

void hits_release(struct hits *h)
{
	hits_save(h);
	hits_clear(h);
	free(h->idx);
	free(h->path);
	memset(h, 0, sizeof(*h));
}
