// SPDX-License-Identifier: MIT
/*
 * Block streams: the unit of compression, checksumming and crash safety.
 * A block on disk is a 32-byte header (magic, raw length, compressed length,
 * block index, xxh3 of the compressed bytes seeded with index and raw
 * length, xxh3 of the first 24 header bytes) followed by the zstd frame. A
 * reader treats a short header or body at the end of the file as the end of
 * the stream (the writer was killed); a bad magic, header check, checksum or
 * frame is corruption, so a damaged length field is not mistaken for a cut.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include "trace/trace_int.h"

#define BLOCK_MAGIC 0x4b425752u /* "RWBK" */
#define BLOCK_MAX_RAW (8u << 20)

struct block_hdr {
	uint32_t magic, raw_len, comp_len, index;
	uint64_t hash;     /* of the compressed bytes */
	uint64_t hdr_hash; /* of the 24 bytes above */
};

static uint64_t hdr_hash(const struct block_hdr *h)
{
	return XXH3_64bits(h, offsetof(struct block_hdr, hdr_hash));
}

static uint64_t block_hash(const void *p, size_t n, uint32_t index, uint32_t raw_len)
{
	return XXH3_64bits_withSeed(p, n, ((uint64_t)raw_len << 32) | index);
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int wstream_open(struct wstream *s, int dirfd, const char *name, size_t flush_at, void *cctx)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->flush_at = flush_at ? MIN(flush_at, BLOCK_MAX_RAW) : BLOCK_MAX_RAW;
	s->cctx = cctx;
	s->fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	return s->fd < 0 ? -errno : 0;
}

int wstream_flush(struct wstream *s)
{
	struct block_hdr h;
	size_t bound, clen;
	int err;
	if (!s->raw.len || s->err)
		return s->err;
	bound = ZSTD_compressBound(s->raw.len);
	buf_reset(&s->comp);
	buf_reserve(&s->comp, sizeof(h) + bound);
	clen = ZSTD_compressCCtx(s->cctx, s->comp.data + sizeof(h), bound, s->raw.data, s->raw.len,
				 1);
	if (ZSTD_isError(clen))
		return s->err = -EIO;
	h = (struct block_hdr){
		.magic = BLOCK_MAGIC,
		.raw_len = (uint32_t)s->raw.len,
		.comp_len = (uint32_t)clen,
		.index = s->nblocks,
	};
	h.hash = block_hash(s->comp.data + sizeof(h), clen, h.index, h.raw_len);
	h.hdr_hash = hdr_hash(&h);
	memcpy(s->comp.data, &h, sizeof(h));
	err = write_all(s->fd, s->comp.data, sizeof(h) + clen);
	if (err)
		return s->err = err;
	s->bytes += sizeof(h) + clen;
	s->nblocks++;
	buf_reset(&s->raw);
	return 0;
}

int wstream_append(struct wstream *s, const void *p, size_t n)
{
	const unsigned char *c = p;
	while (n) {
		size_t room = BLOCK_MAX_RAW - s->raw.len;
		size_t k = MIN(n, room);
		buf_append(&s->raw, c, k);
		c += k;
		n -= k;
		if (s->raw.len >= s->flush_at) {
			int err = wstream_flush(s);
			if (err)
				return err;
		}
	}
	return 0;
}

int wstream_close(struct wstream *s)
{
	int err = wstream_flush(s);
	if (s->fd >= 0 && close(s->fd) < 0 && !err)
		err = -errno;
	s->fd = -1;
	buf_release(&s->raw);
	buf_release(&s->comp);
	return err ? err : s->err;
}

int rstream_open(struct rstream *s, int dirfd, const char *name, void *dctx)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->dctx = dctx;
	s->fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	return s->fd < 0 ? -errno : 0;
}

static int read_full(int fd, void *p, size_t n, size_t *got)
{
	char *c = p;
	*got = 0;
	while (*got < n) {
		ssize_t r = read(fd, c + *got, n - *got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

/* 1: a block loaded; 0: end of stream (clean or cut short); -errno. */
static int rstream_next_block(struct rstream *s)
{
	struct block_hdr h;
	size_t got;
	int err;
	unsigned long long dlen;

	if (s->eof)
		return 0;
	err = read_full(s->fd, &h, sizeof(h), &got);
	if (err)
		return err;
	if (got < sizeof(h)) {
		s->eof = true;
		s->cut_short = got > 0;
		return 0;
	}
	if (h.magic != BLOCK_MAGIC || h.hdr_hash != hdr_hash(&h) || h.index != s->nblocks ||
	    h.raw_len > BLOCK_MAX_RAW ||
	    h.comp_len > ZSTD_compressBound(BLOCK_MAX_RAW)) {
		s->corrupt = true;
		return -EBADMSG;
	}
	buf_reset(&s->comp);
	buf_reserve(&s->comp, h.comp_len);
	err = read_full(s->fd, s->comp.data, h.comp_len, &got);
	if (err)
		return err;
	if (got < h.comp_len) {
		s->eof = true;
		s->cut_short = true;
		return 0;
	}
	s->block_off = s->off;
	s->off += (off_t)(sizeof(h) + h.comp_len);
	if (block_hash(s->comp.data, h.comp_len, h.index, h.raw_len) != h.hash) {
		s->corrupt = true;
		return -EBADMSG;
	}
	dlen = ZSTD_getFrameContentSize(s->comp.data, h.comp_len);
	if (dlen != h.raw_len) {
		s->corrupt = true;
		return -EBADMSG;
	}
	buf_reset(&s->raw);
	buf_reserve(&s->raw, h.raw_len);
	dlen = ZSTD_decompressDCtx(s->dctx, s->raw.data, h.raw_len, s->comp.data, h.comp_len);
	if (ZSTD_isError(dlen) || dlen != h.raw_len) {
		s->corrupt = true;
		return -EBADMSG;
	}
	s->raw.len = h.raw_len;
	s->pos = 0;
	s->nblocks++;
	return 1;
}

int rstream_read(struct rstream *s, void *dst, size_t n)
{
	unsigned char *d = dst;
	while (n) {
		if (s->pos == s->raw.len) {
			int r = rstream_next_block(s);
			if (r <= 0)
				return r ? r : 1;
		}
		size_t k = MIN(n, s->raw.len - s->pos);
		memcpy(d, s->raw.data + s->pos, k);
		d += k;
		s->pos += k;
		n -= k;
	}
	return 0;
}

bool rstream_at_end(struct rstream *s)
{
	if (s->pos < s->raw.len)
		return false;
	return rstream_next_block(s) == 0;
}

void rstream_mark(struct rstream *s, struct rstream_mark *m)
{
	if (s->pos < s->raw.len) {
		m->off = s->block_off;
		m->nblocks = s->nblocks - 1;
		m->pos = s->pos;
	} else {
		m->off = s->off;
		m->nblocks = s->nblocks;
		m->pos = 0;
	}
}

int rstream_seek(struct rstream *s, const struct rstream_mark *m)
{
	if (lseek(s->fd, m->off, SEEK_SET) < 0)
		return -errno;
	s->off = m->off;
	s->nblocks = m->nblocks;
	s->eof = s->cut_short = s->corrupt = false;
	buf_reset(&s->raw);
	s->pos = 0;
	if (!m->pos)
		return 0;
	if (rstream_next_block(s) != 1 || m->pos > s->raw.len)
		return -EBADMSG;
	s->pos = m->pos;
	return 0;
}

void rstream_close(struct rstream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	buf_release(&s->raw);
	buf_release(&s->comp);
}
