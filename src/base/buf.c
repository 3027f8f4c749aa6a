// SPDX-License-Identifier: MIT
/*
 * struct buf and struct cursor: growable bytes and a bounds-checked reader.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
}

void buf_reserve(struct buf *b, size_t extra)
{
	size_t need;
	if (__builtin_add_overflow(b->len, extra, &need) || need == SIZE_MAX)
		die("buffer size overflow");
	if (need + 1 > b->alloc)
		b->data = xgrow(b->data, &b->alloc, need + 1, 1);
}

void *buf_append_space(struct buf *b, size_t n)
{
	void *p;
	buf_reserve(b, n);
	p = b->data + b->len;
	b->len += n;
	return p;
}

void buf_append(struct buf *b, const void *p, size_t n)
{
	if (n)
		memcpy(buf_append_space(b, n), p, n);
}

const char *buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = 0;
	return (const char *)b->data;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	char probe[1];
	int n;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(probe, sizeof(probe), fmt, ap);
	va_end(ap);
	if (n < 0)
		die("buf_printf: bad format");
	buf_reserve(b, (size_t)n);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
}

void buf_put_str(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	buf_put_u32(b, (uint32_t)n);
	buf_append(b, s, n);
}

bool cursor_get(struct cursor *c, void *dst, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, c->p, n);
	c->p += n;
	return true;
}

uint8_t cursor_u8(struct cursor *c)
{
	uint8_t v;
	cursor_get(c, &v, 1);
	return v;
}

uint32_t cursor_u32(struct cursor *c)
{
	uint32_t v;
	cursor_get(c, &v, 4);
	return v;
}

uint64_t cursor_u64(struct cursor *c)
{
	uint64_t v;
	cursor_get(c, &v, 8);
	return v;
}

const void *cursor_bytes(struct cursor *c, size_t n)
{
	const void *p;
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	p = c->p;
	c->p += n;
	return p;
}

char *cursor_str(struct cursor *c)
{
	uint32_t n = cursor_u32(c);
	const char *p = cursor_bytes(c, n);
	char *s;
	if (!p)
		return NULL;
	s = xmalloc((size_t)n + 1);
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}
