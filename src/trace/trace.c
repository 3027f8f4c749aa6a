// SPDX-License-Identifier: MIT
/*
 * trace: the writer and reader of a trace directory, and the encoding of
 * events and mappings (see trace.h and docs/trace-format.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "trace/trace_int.h"

#define EVENTS_FLUSH (64u << 10) /* events and mmaps */
#define DATA_FLUSH (1u << 20)
#define FLUSH_INTERVAL_NS (200ull * 1000 * 1000)

static const char *const ev_names[EV__COUNT] = {
	[EV_EXEC] = "exec", [EV_SYSCALL] = "syscall", [EV_SIGNAL] = "signal",
	[EV_RDTSC] = "rdtsc", [EV_EXIT] = "exit", [EV_CLONE] = "clone", [EV_ENTER] = "enter",
	[EV_SCHED] = "sched",
};
static const char *const mapk_names[MAPK__COUNT] = {
	[MAPK_ANON] = "anon", [MAPK_FILE] = "file", [MAPK_STACK] = "stack", [MAPK_VDSO] = "vdso",
};

const char *trace_ev_kind_name(uint32_t kind)
{
	return kind < EV__COUNT && ev_names[kind] ? ev_names[kind] : "?";
}

const char *trace_map_kind_name(uint32_t kind)
{
	return kind < MAPK__COUNT ? mapk_names[kind] : "?";
}

void trace_header_release(struct trace_header *h)
{
	free(h->exe);
	free(h->cwd);
	for (uint32_t i = 0; i < h->argc; i++)
		free(h->argv[i]);
	for (uint32_t i = 0; i < h->envc; i++)
		free(h->envp[i]);
	free(h->argv);
	free(h->envp);
	free(h->host);
	free(h->kernel);
	memset(h, 0, sizeof(*h));
}

/* Registers are stored as a mask of the fields that changed since the previous record. */
static void put_regs(struct buf *b, const struct user_regs_struct *prev,
		     const struct user_regs_struct *cur)
{
	const uint64_t *p = (const uint64_t *)prev, *c = (const uint64_t *)cur;
	uint32_t mask = 0;
	for (unsigned i = 0; i < sizeof(*cur) / 8; i++)
		if (p[i] != c[i])
			mask |= 1u << i;
	buf_put_u32(b, mask);
	for (unsigned i = 0; i < sizeof(*cur) / 8; i++)
		if (mask & (1u << i))
			buf_put_u64(b, c[i]);
}

/* ---- writer ---- */

struct stored_file {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *name;
};

struct trace_writer {
	char *dir;
	int dirfd, filesfd;
	ZSTD_CCtx *cctx;
	struct wstream events, data, mmaps;
	struct buf rec;
	struct user_regs_struct prev_regs;
	uint64_t last_flush_ns;
	struct stored_file *files;
	size_t nfiles, files_alloc;
	int err;
};

static void put_header(struct buf *b, const struct trace_header *h)
{
	buf_put_str(b, h->exe);
	buf_put_str(b, h->cwd);
	buf_put_u32(b, h->argc);
	for (uint32_t i = 0; i < h->argc; i++)
		buf_put_str(b, h->argv[i]);
	buf_put_u32(b, h->envc);
	for (uint32_t i = 0; i < h->envc; i++)
		buf_put_str(b, h->envp[i]);
	buf_put_u32(b, (uint32_t)h->pid);
	buf_put_u64(b, h->start_ns);
	buf_put_str(b, h->host ? h->host : "");
	buf_put_str(b, h->kernel ? h->kernel : "");
	buf_put_u64(b, h->stack_cur);
	buf_put_u64(b, h->stack_max);
	buf_put_u32(b, (uint32_t)h->cpu);
}

int trace_writer_open(const char *dir, const struct trace_header *h, struct trace_writer **ret)
{
	struct trace_writer *w = xcalloc(1, sizeof(*w));
	struct wstream hs;
	struct buf b = BUF_INIT;
	char version[32];
	int err, fd, n;

	w->dirfd = w->filesfd = -1;
	w->dir = xstrdup(dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err = -errno;
		goto fail;
	}
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd < 0) {
		err = -errno;
		goto fail;
	}
	if (mkdirat(w->dirfd, "files", 0700) < 0) {
		err = errno == EEXIST ? -EEXIST : -errno;
		goto fail;
	}
	w->filesfd = openat(w->dirfd, "files", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->filesfd < 0) {
		err = -errno;
		goto fail;
	}
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx) {
		err = -ENOMEM;
		goto fail;
	}
	n = snprintf(version, sizeof(version), "rewind-trace %d\n", TRACE_VERSION);
	fd = openat(w->dirfd, "version", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, version, (size_t)n) != n) {
		err = fd < 0 ? -errno : -EIO;
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	err = wstream_open(&hs, w->dirfd, "header", 0, w->cctx);
	if (err)
		goto fail;
	put_header(&b, h);
	err = wstream_append(&hs, b.data, b.len);
	buf_release(&b);
	err = err ? err : wstream_close(&hs);
	if (err)
		goto fail;
	/* Events flush only through trace_writer_flush(), after their data. */
	err = wstream_open(&w->events, w->dirfd, "events", 0, w->cctx);
	if (!err)
		err = wstream_open(&w->data, w->dirfd, "data", DATA_FLUSH, w->cctx);
	if (!err)
		err = wstream_open(&w->mmaps, w->dirfd, "mmaps", EVENTS_FLUSH, w->cctx);
	if (err)
		goto fail;
	w->last_flush_ns = now_ns();
	*ret = w;
	return 0;
fail:
	(void)trace_writer_close(w);
	return err;
}

const char *trace_writer_dir(struct trace_writer *w)
{
	return w->dir;
}

uint64_t trace_writer_bytes(struct trace_writer *w)
{
	return w->events.bytes + w->data.bytes + w->mmaps.bytes;
}

static int put_map(struct trace_writer *w, uint64_t num, const struct trace_map *m)
{
	struct buf *b = &w->rec;
	int err;
	buf_reset(b);
	buf_put_u64(b, num);
	buf_put_u64(b, m->start);
	buf_put_u64(b, m->end);
	buf_put_u64(b, m->offset);
	buf_put_u32(b, m->prot);
	buf_put_u32(b, m->flags);
	buf_put_u32(b, m->kind);
	buf_put_str(b, m->file ? m->file : "");
	buf_put_str(b, m->path ? m->path : "");
	buf_put_u64(b, m->data_len);
	err = wstream_append(&w->mmaps, b->data, b->len);
	if (!err && m->data_len)
		err = wstream_append(&w->data, m->data, m->data_len);
	return err;
}

bool trace_writer_pending(struct trace_writer *w)
{
	return w->events.raw.len != 0;
}

/* Events go out only after the data and mappings they refer to. */
int trace_writer_flush(struct trace_writer *w)
{
	int err = wstream_flush(&w->data);
	if (!err)
		err = wstream_flush(&w->mmaps);
	if (!err)
		err = wstream_flush(&w->events);
	w->last_flush_ns = now_ns();
	if (err && !w->err)
		w->err = err;
	return err;
}

static void put_mems(struct buf *b, const struct trace_event *ev)
{
	buf_put_u32(b, ev->nmem);
	for (uint32_t i = 0; i < ev->nmem; i++) {
		buf_put_u64(b, ev->mem[i].addr);
		buf_put_u64(b, ev->mem[i].len);
	}
}

int trace_write_event(struct trace_writer *w, const struct trace_event *ev)
{
	struct buf *b = &w->rec;
	int err = 0;

	if (w->err)
		return w->err;
	for (uint32_t i = 0; i < ev->nmaps && !err; i++)
		err = put_map(w, ev->num, &ev->maps[i]);
	for (uint32_t i = 0; i < ev->nmem && !err; i++)
		err = wstream_append(&w->data, ev->mem[i].data, ev->mem[i].len);
	if (err)
		goto out;
	buf_reset(b);
	buf_put_u8(b, (uint8_t)ev->kind);
	buf_put_u32(b, ev->flags);
	buf_put_u32(b, (uint32_t)ev->tid);
	put_regs(b, &w->prev_regs, &ev->regs);
	w->prev_regs = ev->regs;
	switch (ev->kind) {
	case EV_SYSCALL:
		buf_put_u64(b, (uint64_t)ev->nr);
		buf_put_u64(b, (uint64_t)ev->ret);
		if (ev->flags & EVF_EXIT_REGS)
			put_regs(b, &ev->regs, &ev->exit_regs);
		put_mems(b, ev);
		buf_put_u32(b, ev->nmaps);
		break;
	case EV_EXEC:
		buf_put_u32(b, ev->nmaps);
		put_mems(b, ev);
		break;
	case EV_CLONE:
		buf_put_u64(b, (uint64_t)ev->nr);
		buf_put_u64(b, (uint64_t)ev->ret);
		break;
	case EV_ENTER:
		buf_put_u64(b, (uint64_t)ev->nr);
		put_mems(b, ev);
		break;
	case EV_SCHED:
		buf_put_u64(b, ev->digest);
		break;
	case EV_SIGNAL:
		buf_put_u32(b, (uint32_t)ev->sig);
		buf_put_u32(b, ev->sigkind);
		buf_append(b, &ev->si, sizeof(ev->si));
		buf_put_u64(b, ev->digest);
		if (ev->flags & EVF_FRAME) {
			put_regs(b, &ev->regs, &ev->exit_regs);
			put_mems(b, ev);
		}
		break;
	case EV_RDTSC:
		for (int i = 0; i < 3; i++)
			buf_put_u64(b, ev->tsc[i]);
		buf_put_u32(b, ev->insn_len);
		break;
	case EV_EXIT:
		buf_put_u32(b, (uint32_t)ev->wait_status);
		break;
	default:
		BUG();
	}
	err = wstream_append(&w->events, b->data, b->len);
	if (err)
		goto out;
	if (w->events.raw.len >= EVENTS_FLUSH || ev->kind == EV_EXIT ||
	    now_ns() - w->last_flush_ns > FLUSH_INTERVAL_NS)
		err = trace_writer_flush(w);
out:
	if (err && !w->err)
		w->err = err;
	return err;
}

static int copy_file(const char *src, int dirfd, const char *name)
{
	int in, out, err = 0;
	ssize_t n;
	char tmp[64 << 10];
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	for (;;) {
		n = sendfile(out, in, NULL, 1 << 30);
		if (n > 0)
			continue;
		if (n == 0)
			break;
		/* sendfile may not support this file: fall back to read/write. */
		while ((n = read(in, tmp, sizeof(tmp))) > 0)
			if (write(out, tmp, (size_t)n) != n) {
				err = -EIO;
				break;
			}
		if (n < 0)
			err = -errno;
		break;
	}
	close(in);
	if (close(out) < 0 && !err)
		err = -errno;
	return err;
}

int trace_store_file(struct trace_writer *w, const char *src, const struct stat *st,
		     const char *orig_path, bool link_ok, const char **ret_name)
{
	struct stored_file *f;
	const char *base;
	char *name;
	int err;

	for (size_t i = 0; i < w->nfiles; i++) {
		f = &w->files[i];
		if (f->dev == st->st_dev && f->ino == st->st_ino && f->size == st->st_size &&
		    f->mtime.tv_sec == st->st_mtim.tv_sec &&
		    f->mtime.tv_nsec == st->st_mtim.tv_nsec) {
			*ret_name = f->name;
			return 0;
		}
	}
	base = orig_path ? strrchr(orig_path, '/') : NULL;
	base = base ? base + 1 : (orig_path ? orig_path : "file");
	name = xasprintf("%zu-%.64s", w->nfiles, *base ? base : "file");
	err = -EXDEV;
	if (link_ok && linkat(AT_FDCWD, src, w->filesfd, name, AT_SYMLINK_FOLLOW) == 0)
		err = 0;
	if (err)
		err = copy_file(src, w->filesfd, name);
	if (err) {
		free(name);
		return err;
	}
	GROW(w->files, w->files_alloc, w->nfiles + 1);
	w->files[w->nfiles++] = (struct stored_file){
		.dev = st->st_dev, .ino = st->st_ino, .size = st->st_size,
		.mtime = st->st_mtim, .name = name,
	};
	*ret_name = name;
	return 0;
}

int trace_writer_close(struct trace_writer *w)
{
	int err, e;
	if (!w)
		return 0;
	err = w->err;
	if (w->events.fd > 0 || w->data.fd > 0) {
		e = trace_writer_flush(w);
		err = err ? err : e;
	}
	if (w->data.fd > 0) {
		e = wstream_close(&w->data);
		err = err ? err : e;
	}
	if (w->mmaps.fd > 0) {
		e = wstream_close(&w->mmaps);
		err = err ? err : e;
	}
	if (w->events.fd > 0) {
		e = wstream_close(&w->events);
		err = err ? err : e;
	}
	if (w->filesfd >= 0)
		close(w->filesfd);
	if (w->dirfd >= 0)
		close(w->dirfd);
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i].name);
	free(w->files);
	ZSTD_freeCCtx(w->cctx);
	buf_release(&w->rec);
	free(w->dir);
	free(w);
	return err;
}
