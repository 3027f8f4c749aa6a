// SPDX-License-Identifier: MIT
/*
 * trace: the reader. Events are read in order; the data and mmaps streams
 * are consumed in step with them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "trace/trace_int.h"

struct trace_reader {
	char *dir;
	int dirfd;
	ZSTD_DCtx *dctx;
	struct trace_header hdr;
	struct rstream events, data, mmaps;
	uint64_t num;
	unsigned version;
	struct user_regs_struct prev_regs;
	struct buf rec;       /* one event record */
	struct buf evdata;    /* memory contents of the current event */
	struct trace_mem *mem;
	size_t mem_alloc;
	struct trace_map *maps;
	size_t maps_alloc;
	char **strs;          /* file/path strings of the current event's maps */
	size_t nstrs, strs_alloc;
	char err[512];
};

static char open_err[512];

/* Registers are stored as a mask of the fields that changed since the previous record. */
static bool get_regs(struct cursor *c, const struct user_regs_struct *prev,
		     struct user_regs_struct *cur)
{
	uint64_t *v = (uint64_t *)cur;
	uint32_t mask = cursor_u32(c);
	*cur = *prev;
	for (unsigned i = 0; i < sizeof(*cur) / 8; i++)
		if (mask & (1u << i))
			v[i] = cursor_u64(c);
	return !c->bad && !(mask >> (sizeof(*cur) / 8));
}


static int fail(struct trace_reader *r, int err, const char *fmt, ...) PRINTF(3, 4);
static int fail(struct trace_reader *r, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r ? r->err : open_err, sizeof(open_err), fmt, ap);
	va_end(ap);
	return err;
}

const char *trace_reader_error(struct trace_reader *r)
{
	return r ? r->err : open_err;
}

const struct trace_header *trace_reader_header(struct trace_reader *r)
{
	return &r->hdr;
}

const char *trace_reader_dir(struct trace_reader *r)
{
	return r->dir;
}

static int read_header(struct trace_reader *r)
{
	struct rstream hs;
	struct cursor c;
	struct trace_header *h = &r->hdr;
	int err = rstream_open(&hs, r->dirfd, "header", r->dctx);
	if (err)
		return fail(r, -EBADMSG, "trace '%s' has no header file", r->dir);
	/* The header is one block: load it whole. */
	if (!rstream_at_end(&hs) && !hs.corrupt) {
		cursor_init(&c, hs.raw.data, hs.raw.len);
		h->exe = cursor_str(&c);
		h->cwd = cursor_str(&c);
		h->argc = cursor_u32(&c);
		if (h->argc > 1u << 20)
			c.bad = true;
		h->argv = xcalloc(c.bad ? 1 : h->argc + 1, sizeof(char *));
		for (uint32_t i = 0; i < h->argc && !c.bad; i++)
			h->argv[i] = cursor_str(&c);
		h->envc = c.bad ? 0 : cursor_u32(&c);
		if (h->envc > 1u << 20)
			c.bad = true;
		h->envp = xcalloc(c.bad ? 1 : h->envc + 1, sizeof(char *));
		for (uint32_t i = 0; i < h->envc && !c.bad; i++)
			h->envp[i] = cursor_str(&c);
		h->pid = (int32_t)cursor_u32(&c);
		h->start_ns = cursor_u64(&c);
		h->host = cursor_str(&c);
		h->kernel = cursor_str(&c);
		h->stack_cur = cursor_u64(&c);
		h->stack_max = cursor_u64(&c);
		h->cpu = r->version >= 3 ? (int32_t)cursor_u32(&c) : -1;
		err = c.bad ? -EBADMSG : 0;
	} else {
		err = -EBADMSG;
	}
	if (err) {
		if (!h->argv)
			h->argc = 0;
		if (!h->envp)
			h->envc = 0;
	}
	rstream_close(&hs);
	if (err)
		return fail(r, err, "trace '%s' is corrupt: bad header", r->dir);
	return 0;
}

int trace_reader_open(const char *dir, struct trace_reader **ret)
{
	struct trace_reader *r;
	char version[64] = { 0 };
	unsigned v;
	int fd, err;
	ssize_t n;
	struct stat st;

	if (stat(dir, &st) < 0)
		return fail(NULL, -ENOENT, "no trace at '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(NULL, -ENOTDIR, "'%s' is not a trace directory", dir);
	r = xcalloc(1, sizeof(*r));
	r->dir = xstrdup(dir);
	r->events.fd = r->data.fd = r->mmaps.fd = -1;
	r->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0) {
		err = fail(NULL, -errno, "cannot open trace '%s': %s", dir, strerror(errno));
		goto out;
	}
	fd = openat(r->dirfd, "version", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = fail(NULL, -ENOENT, "'%s' is not a rewind trace (no version file)", dir);
		goto out;
	}
	n = read(fd, version, sizeof(version) - 1);
	close(fd);
	if (n <= 0 || sscanf(version, "rewind-trace %u", &v) != 1) {
		err = fail(NULL, -EBADMSG, "'%s' is not a rewind trace (bad version file)", dir);
		goto out;
	}
	if (v < TRACE_VERSION_MIN || v > TRACE_VERSION) {
		err = fail(NULL, -EPROTO,
			   "trace '%s' has format version %u; this rewind reads versions %d to %d",
			   dir, v, TRACE_VERSION_MIN, TRACE_VERSION);
		goto out;
	}
	r->version = v;
	r->dctx = ZSTD_createDCtx();
	if (!r->dctx) {
		err = fail(NULL, -ENOMEM, "out of memory");
		goto out;
	}
	err = read_header(r);
	if (err) {
		fail(NULL, err, "%s", r->err);
		goto out;
	}
	if (rstream_open(&r->events, r->dirfd, "events", r->dctx) ||
	    rstream_open(&r->data, r->dirfd, "data", r->dctx) ||
	    rstream_open(&r->mmaps, r->dirfd, "mmaps", r->dctx)) {
		err = fail(NULL, -EBADMSG, "trace '%s' is incomplete: missing stream files", dir);
		goto out;
	}
	*ret = r;
	return 0;
out:
	trace_reader_close(r);
	return err;
}

static int stream_fail(struct trace_reader *r, struct rstream *s, int err)
{
	if (err == -EBADMSG)
		return fail(r, err, "trace '%s' is corrupt: %s block %u fails its check", r->dir,
			    s->name, s->nblocks);
	return fail(r, err, "cannot read trace '%s' (%s): %s", r->dir, s->name, strerror(-err));
}

/*
 * Read n bytes from a stream; 0 ok, 1 the stream ended (cut short), <0 error
 * with the message set.
 */
static int sread(struct trace_reader *r, struct rstream *s, void *dst, size_t n)
{
	int err = rstream_read(s, dst, n);
	if (err < 0)
		return stream_fail(r, s, err);
	return err;
}

static void clear_strs(struct trace_reader *r)
{
	for (size_t i = 0; i < r->nstrs; i++)
		free(r->strs[i]);
	r->nstrs = 0;
}

static char *keep_str(struct trace_reader *r, char *s)
{
	GROW(r->strs, r->strs_alloc, r->nstrs + 1);
	r->strs[r->nstrs++] = s;
	return s;
}

/* Read one length-prefixed string from the mmaps stream. */
static int sread_str(struct trace_reader *r, struct rstream *s, char **ret)
{
	uint32_t len;
	char *str;
	int err = sread(r, s, &len, 4);
	if (err)
		return err;
	if (len > 1u << 16)
		return stream_fail(r, s, -EBADMSG);
	str = xmalloc(len + 1);
	err = sread(r, s, str, len);
	if (err) {
		free(str);
		return err;
	}
	str[len] = 0;
	*ret = keep_str(r, str);
	return 0;
}

static int read_maps(struct trace_reader *r, struct trace_event *ev, size_t *data_total)
{
	for (uint32_t i = 0; i < ev->nmaps; i++) {
		struct trace_map *m = &r->maps[i];
		uint64_t num, v[3];
		uint32_t u[3];
		char *file, *path;
		int err = sread(r, &r->mmaps, &num, 8);
		if (!err)
			err = sread(r, &r->mmaps, v, sizeof(v));
		if (!err)
			err = sread(r, &r->mmaps, u, sizeof(u));
		if (!err)
			err = sread_str(r, &r->mmaps, &file);
		if (!err)
			err = sread_str(r, &r->mmaps, &path);
		if (!err)
			err = sread(r, &r->mmaps, &m->data_len, 8);
		if (err)
			return err;
		if (num != ev->num || v[1] < v[0] || u[2] >= MAPK__COUNT ||
		    m->data_len > v[1] - v[0])
			return stream_fail(r, &r->mmaps, -EBADMSG);
		m->start = v[0];
		m->end = v[1];
		m->offset = v[2];
		m->prot = u[0];
		m->flags = u[1];
		m->kind = u[2];
		m->file = *file ? file : NULL;
		m->path = *path ? path : NULL;
		*data_total += m->data_len;
	}
	return 0;
}

/* Pull a mem list (count, then address and length each) into the record; at most max entries. */
static int pull_mems(struct trace_reader *r, uint32_t max)
{
	uint32_t nmem;
	int err = sread(r, &r->events, &nmem, 4);
	if (err)
		return err;
	if (nmem > max)
		return stream_fail(r, &r->events, -EBADMSG);
	buf_append(&r->rec, &nmem, 4);
	return sread(r, &r->events, buf_append_space(&r->rec, 16u * nmem), 16u * nmem);
}

/* Parse a pulled mem list; a length above max_len marks the record bad. */
static void get_mems(struct trace_reader *r, struct cursor *c, struct trace_event *ev,
		     uint64_t max_len, size_t *data_total)
{
	ev->nmem = cursor_u32(c);
	GROW(r->mem, r->mem_alloc, ev->nmem);
	for (uint32_t i = 0; i < ev->nmem; i++) {
		r->mem[i].addr = cursor_u64(c);
		r->mem[i].len = cursor_u64(c);
		if (r->mem[i].len > max_len)
			c->bad = true;
		else
			*data_total += r->mem[i].len;
	}
	ev->mem = r->mem;
}

int trace_read_event(struct trace_reader *r, struct trace_event *ev)
{
	struct cursor c;
	uint8_t kind;
	size_t data_total = 0, off = 0;
	int err;
	/* The fixed prefix: kind, flags, tid, regs mask. */
	unsigned char pre[13];
	uint32_t mask;

	clear_strs(r);
	memset(ev, 0, sizeof(*ev));
	err = sread(r, &r->events, pre, sizeof(pre));
	if (err)
		return err > 0 ? 0 : err;
	/* Records are variable length: pull the rest according to the kind. */
	buf_reset(&r->rec);
	buf_append(&r->rec, pre, sizeof(pre));
	memcpy(&mask, pre + 9, 4);
	if (mask >> TASK_NREGS_ENC)
		return stream_fail(r, &r->events, -EBADMSG);
	err = sread(r, &r->events, buf_append_space(&r->rec, 8u * (unsigned)__builtin_popcount(mask)),
		    8u * (unsigned)__builtin_popcount(mask));
	if (err)
		return err > 0 ? 0 : err;
	kind = pre[0];
	switch (kind) {
	case EV_SYSCALL: {
		uint64_t nrret[2];
		uint32_t flags, xmask = 0, nmaps;
		memcpy(&flags, pre + 1, 4);
		err = sread(r, &r->events, nrret, 16);
		if (!err && (flags & EVF_EXIT_REGS)) {
			err = sread(r, &r->events, &xmask, 4);
			if (!err && xmask >> TASK_NREGS_ENC)
				return stream_fail(r, &r->events, -EBADMSG);
			buf_append(&r->rec, nrret, 16);
			buf_append(&r->rec, &xmask, 4);
			if (!err) {
				unsigned n = 8u * (unsigned)__builtin_popcount(xmask);
				err = sread(r, &r->events, buf_append_space(&r->rec, n), n);
			}
		} else {
			buf_append(&r->rec, nrret, 16);
		}
		if (!err)
			err = pull_mems(r, 1u << 20);
		if (!err)
			err = sread(r, &r->events, &nmaps, 4);
		if (err)
			return err > 0 ? 0 : err;
		buf_append(&r->rec, &nmaps, 4);
		break;
	}
	case EV_EXEC:
		err = sread(r, &r->events, buf_append_space(&r->rec, 4), 4);
		if (!err && r->version >= 2)
			err = pull_mems(r, 1);
		break;
	case EV_CLONE:
		err = sread(r, &r->events, buf_append_space(&r->rec, 16), 16);
		break;
	case EV_ENTER:
		err = sread(r, &r->events, buf_append_space(&r->rec, 8), 8);
		if (!err)
			err = pull_mems(r, 16);
		break;
	case EV_SCHED:
		err = sread(r, &r->events, buf_append_space(&r->rec, 8), 8);
		break;
	case EV_SIGNAL: {
		uint32_t flags, xmask;
		memcpy(&flags, pre + 1, 4);
		err = sread(r, &r->events, buf_append_space(&r->rec, 16 + sizeof(siginfo_t)),
			    16 + sizeof(siginfo_t));
		if (err || !(flags & EVF_FRAME))
			break;
		err = sread(r, &r->events, &xmask, 4);
		if (!err && xmask >> TASK_NREGS_ENC)
			return stream_fail(r, &r->events, -EBADMSG);
		if (!err) {
			unsigned n = 8u * (unsigned)__builtin_popcount(xmask);
			buf_append(&r->rec, &xmask, 4);
			err = sread(r, &r->events, buf_append_space(&r->rec, n), n);
		}
		if (!err)
			err = pull_mems(r, 16);
		break;
	}
	case EV_RDTSC:
		err = sread(r, &r->events, buf_append_space(&r->rec, 28), 28);
		break;
	case EV_EXIT:
		err = sread(r, &r->events, buf_append_space(&r->rec, 4), 4);
		break;
	default:
		return stream_fail(r, &r->events, -EBADMSG);
	}
	if (err)
		return err > 0 ? 0 : err;

	cursor_init(&c, r->rec.data, r->rec.len);
	ev->kind = cursor_u8(&c);
	ev->flags = cursor_u32(&c);
	ev->tid = (int32_t)cursor_u32(&c);
	get_regs(&c, &r->prev_regs, &ev->regs);
	r->prev_regs = ev->regs;
	ev->num = ++r->num;
	switch (ev->kind) {
	case EV_SYSCALL:
		ev->nr = (int64_t)cursor_u64(&c);
		ev->ret = (int64_t)cursor_u64(&c);
		if (ev->flags & EVF_EXIT_REGS)
			get_regs(&c, &ev->regs, &ev->exit_regs);
		else
			ev->exit_regs = ev->regs, ev->exit_regs.rax = (uint64_t)ev->ret;
		get_mems(r, &c, ev, 1ull << 36, &data_total);
		ev->nmaps = cursor_u32(&c);
		break;
	case EV_EXEC:
		ev->nmaps = cursor_u32(&c);
		if (r->version >= 2)
			get_mems(r, &c, ev, 1u << 20, &data_total);
		break;
	case EV_CLONE:
		ev->nr = (int64_t)cursor_u64(&c);
		ev->ret = (int64_t)cursor_u64(&c);
		break;
	case EV_ENTER:
		ev->nr = (int64_t)cursor_u64(&c);
		get_mems(r, &c, ev, 1u << 20, &data_total);
		break;
	case EV_SCHED:
		ev->digest = cursor_u64(&c);
		break;
	case EV_SIGNAL:
		ev->sig = (int32_t)cursor_u32(&c);
		ev->sigkind = cursor_u32(&c);
		cursor_get(&c, &ev->si, sizeof(ev->si));
		ev->digest = cursor_u64(&c);
		if (ev->sigkind >= SIGK__COUNT)
			c.bad = true;
		if (ev->flags & EVF_FRAME) {
			get_regs(&c, &ev->regs, &ev->exit_regs);
			get_mems(r, &c, ev, 1u << 20, &data_total);
		}
		break;
	case EV_RDTSC:
		for (int i = 0; i < 3; i++)
			ev->tsc[i] = cursor_u64(&c);
		ev->insn_len = cursor_u32(&c);
		break;
	case EV_EXIT:
		ev->wait_status = (int32_t)cursor_u32(&c);
		break;
	}
	if (c.bad || ev->nmaps > 1u << 16)
		return stream_fail(r, &r->events, -EBADMSG);
	GROW(r->maps, r->maps_alloc, ev->nmaps);
	ev->maps = r->maps;
	err = read_maps(r, ev, &data_total);
	if (err)
		return err > 0 ? 0 : err;
	/* Memory contents: each map's saved contents, then the event's writes. */
	buf_reset(&r->evdata);
	buf_reserve(&r->evdata, data_total);
	err = sread(r, &r->data, r->evdata.data, data_total);
	if (err)
		return err > 0 ? 0 : err;
	r->evdata.len = data_total;
	for (uint32_t i = 0; i < ev->nmaps; i++) {
		/* The writer puts map contents before the event's own writes. */
		r->maps[i].data = r->evdata.data + off;
		off += r->maps[i].data_len;
	}
	for (uint32_t i = 0; i < ev->nmem; i++) {
		r->mem[i].data = r->evdata.data + off;
		off += r->mem[i].len;
	}
	return 1;
}

unsigned trace_reader_version(const struct trace_reader *r)
{
	return r->version;
}

void trace_reader_mark(struct trace_reader *r, struct trace_mark *m)
{
	struct rstream *st[3] = { &r->events, &r->data, &r->mmaps };
	m->num = r->num;
	m->prev_regs = r->prev_regs;
	for (int i = 0; i < 3; i++) {
		struct rstream_mark sm;
		rstream_mark(st[i], &sm);
		m->s[i].off = sm.off;
		m->s[i].nblocks = sm.nblocks;
		m->s[i].pos = sm.pos;
	}
}

int trace_reader_seek(struct trace_reader *r, const struct trace_mark *m)
{
	struct rstream *st[3] = { &r->events, &r->data, &r->mmaps };
	for (int i = 0; i < 3; i++) {
		struct rstream_mark sm = { .off = m->s[i].off, .nblocks = m->s[i].nblocks,
					   .pos = m->s[i].pos };
		int err = rstream_seek(st[i], &sm);
		if (err)
			return fail(r, err, "cannot seek in trace '%s' (%s)", r->dir, st[i]->name);
	}
	r->num = m->num;
	r->prev_regs = m->prev_regs;
	return 0;
}

const char *trace_exec_program(const struct trace_header *h, const struct trace_event *ev)
{
	const struct trace_map *low = NULL;
	for (uint32_t i = 0; i < ev->nmaps; i++) {
		const struct trace_map *m = &ev->maps[i];
		if (m->kind != MAPK_FILE || !m->file)
			continue;
		if (m->path && !strcmp(m->path, h->exe))
			return m->file;
		if (m->offset == 0 && (!low || m->start < low->start))
			low = m;
	}
	return low ? low->file : NULL;
}

char *trace_file_path(struct trace_reader *r, const char *name)
{
	return xasprintf("%s/files/%s", r->dir, name);
}

void trace_reader_close(struct trace_reader *r)
{
	if (!r)
		return;
	rstream_close(&r->events);
	rstream_close(&r->data);
	rstream_close(&r->mmaps);
	if (r->dirfd >= 0)
		close(r->dirfd);
	ZSTD_freeDCtx(r->dctx);
	trace_header_release(&r->hdr);
	clear_strs(r);
	free(r->strs);
	free(r->mem);
	free(r->maps);
	buf_release(&r->rec);
	buf_release(&r->evdata);
	free(r->dir);
	free(r);
}
