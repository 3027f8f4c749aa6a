/* SPDX-License-Identifier: MIT */
/*
 * struct buf: growable bytes. Invariants: data is NULL iff alloc == 0;
 * len <= alloc; data[len] is not guaranteed to be 0 unless buf_cstr() was
 * called. Owned by whoever holds the struct; buf_release() frees.
 */
#ifndef REWIND_BASE_BUF_H
#define REWIND_BASE_BUF_H

#include "base/base.h"

struct buf {
	unsigned char *data;
	size_t len;
	size_t alloc;
};

#define BUF_INIT { 0 }

void buf_release(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keep memory */
void buf_reserve(struct buf *b, size_t extra);
void *buf_append_space(struct buf *b, size_t n); /* returns pointer to n new bytes */
void buf_append(struct buf *b, const void *p, size_t n);
const char *buf_cstr(struct buf *b);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);

static inline void buf_put_u8(struct buf *b, uint8_t v) { buf_append(b, &v, 1); }
static inline void buf_put_u32(struct buf *b, uint32_t v) { buf_append(b, &v, 4); }
static inline void buf_put_u64(struct buf *b, uint64_t v) { buf_append(b, &v, 8); }
void buf_put_str(struct buf *b, const char *s); /* u32 length + bytes */

/* A cursor for reading what buf_put_* wrote. Reads past the end set ->bad. */
struct cursor {
	const unsigned char *p, *end;
	bool bad;
};
static inline void cursor_init(struct cursor *c, const void *p, size_t n)
{
	c->p = p;
	c->end = (const unsigned char *)p + n;
	c->bad = false;
}
bool cursor_get(struct cursor *c, void *dst, size_t n);
uint8_t cursor_u8(struct cursor *c);
uint32_t cursor_u32(struct cursor *c);
uint64_t cursor_u64(struct cursor *c);
const void *cursor_bytes(struct cursor *c, size_t n); /* borrowed; NULL if short */
char *cursor_str(struct cursor *c);                   /* caller frees; NULL if bad */

#endif /* REWIND_BASE_BUF_H */
