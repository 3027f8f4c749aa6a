/* SPDX-License-Identifier: MIT */
/* trace: private to the module. */
#ifndef REWIND_TRACE_TRACE_INT_H
#define REWIND_TRACE_TRACE_INT_H

#include "base/buf.h"
#include "trace/trace.h"

/* user_regs_struct has 27 u64 fields; the register mask has one bit each. */
#define TASK_NREGS_ENC 27

struct wstream {
	const char *name;
	int fd;
	int err;
	size_t flush_at; /* a block is flushed once this many raw bytes are pending */
	uint32_t nblocks;
	uint64_t bytes;
	struct buf raw, comp;
	void *cctx; /* ZSTD_CCtx, shared */
};

struct rstream {
	const char *name;
	int fd;
	off_t off;       /* file offset of the next block */
	off_t block_off; /* file offset of the loaded block */
	uint32_t nblocks;
	bool eof, cut_short, corrupt;
	struct buf raw, comp;
	size_t pos;
	void *dctx; /* ZSTD_DCtx, shared */
};

int wstream_open(struct wstream *s, int dirfd, const char *name, size_t flush_at, void *cctx);
int wstream_append(struct wstream *s, const void *p, size_t n);
int wstream_flush(struct wstream *s);
int wstream_close(struct wstream *s);

int rstream_open(struct rstream *s, int dirfd, const char *name, void *dctx);
/* 0: read n bytes; 1: the stream ended first; -EBADMSG: corrupt; -errno. */
int rstream_read(struct rstream *s, void *dst, size_t n);
bool rstream_at_end(struct rstream *s);
/* Where the reader stands, and going back there. */
struct rstream_mark {
	off_t off;        /* block to load (the loaded one if pos is inside it) */
	uint32_t nblocks; /* its index */
	size_t pos;       /* position inside it */
};
void rstream_mark(struct rstream *s, struct rstream_mark *m);
int rstream_seek(struct rstream *s, const struct rstream_mark *m);
void rstream_close(struct rstream *s);

#endif /* REWIND_TRACE_TRACE_INT_H */
