// SPDX-License-Identifier: MIT
/*
 * record: the address space. After each exec the whole layout is saved
 * (each mapping, with the contents of those that are not plain file pages),
 * and every file mapped later is saved into the trace, so replay rebuilds
 * the same memory even if the files change or vanish after recording.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/record_int.h"

void rec_maps_reset(struct recorder *r)
{
	for (size_t i = 0; i < r->nmap_strs; i++)
		free(r->map_strs[i]);
	r->nmap_strs = 0;
	r->nmaps = 0;
	buf_reset(&r->mapbuf);
}

static char *keep(struct recorder *r, char *s)
{
	GROW(r->map_strs, r->map_strs_alloc, r->nmap_strs + 1);
	r->map_strs[r->nmap_strs++] = s;
	return s;
}

static struct trace_map *add_map(struct recorder *r)
{
	GROW(r->maps, r->maps_alloc, r->nmaps + 1);
	GROW(r->map_off, r->map_off_alloc, r->nmaps + 1);
	struct trace_map *m = &r->maps[r->nmaps];
	memset(m, 0, sizeof(*m));
	r->map_off[r->nmaps++] = r->mapbuf.len;
	return m;
}

/* Save [start, start+len) of tracee memory as the contents of map m. */
static int save_contents(struct recorder *r, struct trace_map *m, uint64_t len)
{
	void *dst = buf_append_space(&r->mapbuf, len);
	int err = task_read(&r->cur->t, m->start, dst, len);
	if (err) {
		r->mapbuf.len -= len;
		return err;
	}
	m->data_len = len;
	return 0;
}

/* Point each map's data into mapbuf, which may have moved while growing. */
void rec_maps_finish(struct recorder *r)
{
	for (size_t i = 0; i < r->nmaps; i++)
		r->maps[i].data = r->maps[i].data_len ? r->mapbuf.data + r->map_off[i] : NULL;
}

/* Files from system directories are hard-linked (packages replace, not rewrite, them). */
static bool link_ok(const char *path, bool writable_shared)
{
	static const char *const dirs[] = { "/usr/", "/lib/", "/lib32/", "/lib64/", "/bin/",
					    "/sbin/", "/opt/", "/etc/" };
	if (writable_shared || !path)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!strncmp(path, dirs[i], strlen(dirs[i])))
			return true;
	return false;
}

static int store(struct recorder *r, struct trace_map *m, const char *src, const char *orig,
		 bool writable_shared, const char **ret_what)
{
	struct stat st;
	const char *name;
	int err;
	if (stat(src, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		*ret_what = "mmap of a file that is not a regular file";
		return -ENOTSUP;
	}
	err = trace_store_file(r->w, src, &st, orig, link_ok(orig, writable_shared), &name);
	if (err)
		return err;
	m->file = name;
	m->path = orig;
	return 0;
}

int rec_snapshot_exec(struct recorder *r)
{
	struct task_map *tm;
	size_t n;
	const char *what = NULL;
	int err = task_read_maps(&r->cur->t, &tm, &n);
	if (err)
		return err;
	rec_maps_reset(r);
	for (size_t i = 0; i < n && !err; i++) {
		struct task_map *x = &tm[i];
		const char *p = x->path;
		struct trace_map *m;
		if (!strcmp(p, "[vsyscall]") || !strncmp(p, "[vvar", 5))
			continue; /* fixed by the kernel, or unused once the vDSO is patched */
		if (x->start == REWIND_POOL_ADDR)
			continue; /* rewind's own, mapped again by replay */
		m = add_map(r);
		m->start = x->start;
		m->end = x->end;
		m->offset = x->offset;
		m->prot = x->prot;
		m->flags = x->shared ? MAP_SHARED : MAP_PRIVATE;
		if (!strcmp(p, "[stack]")) {
			m->kind = MAPK_STACK;
			m->flags |= MAP_GROWSDOWN;
		} else if (!strcmp(p, "[vdso]")) {
			m->kind = MAPK_VDSO;
		} else if (p[0] == '/' && x->inode) {
			char *src = xasprintf("/proc/%d/map_files/%llx-%llx", (int)r->cur->t.tid,
					      (unsigned long long)x->start,
					      (unsigned long long)x->end);
			char *orig = keep(r, xstrdup(p));
			char *del = strstr(orig, " (deleted)");
			m->kind = MAPK_FILE;
			if (del)
				*del = 0;
			err = store(r, m, src, orig, x->shared && (x->prot & PROT_WRITE), &what);
			if (err && !del && err != -ENOTSUP)
				err = store(r, m, orig, orig, x->shared && (x->prot & PROT_WRITE),
					    &what);
			free(src);
			if (err)
				break;
		} else {
			m->kind = MAPK_ANON;
		}
		/* File pages come from the saved file; everything else is saved here. */
		if ((m->kind != MAPK_FILE || (x->prot & PROT_WRITE)) && (x->prot & PROT_READ))
			err = save_contents(r, m, x->end - x->start);
	}
	task_maps_free(tm, n);
	rec_maps_finish(r);
	return err;
}

/* What the refusal of a shared writable file mapping says (static storage). */
static const char *shared_what(const char *path)
{
	static char what[200];
	snprintf(what, sizeof(what), "a shared writable mapping of '%.100s' is shared memory "
		 "rewind cannot replay", *path ? path : "a file");
	return what;
}

int rec_check_mprotect(struct recorder *r, uint64_t addr, uint64_t len, const char **ret_what)
{
	struct task_map *tm;
	size_t n;
	int err = task_read_maps(&r->cur->t, &tm, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n && !err; i++)
		if (tm[i].shared && (tm[i].prot & PROT_WRITE) && tm[i].inode &&
		    tm[i].start < addr + len && addr < tm[i].end &&
		    strcmp(tm[i].path, "/dev/zero") != 0) {
			*ret_what = shared_what(tm[i].path);
			err = -ENOTSUP;
		}
	task_maps_free(tm, n);
	return err;
}

int rec_mmap_file(struct recorder *r, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		  int fd, uint64_t offset, const char **ret_what)
{
	char *src = xasprintf("/proc/%d/fd/%d", (int)r->cur->t.tid, fd);
	char orig[4096];
	ssize_t n = readlink(src, orig, sizeof(orig) - 1);
	struct trace_map *m;
	int err;

	if (n <= 0 || n >= (ssize_t)sizeof(orig) - 1)
		n = 0; /* unknown or too long: the name is for humans only */
	orig[n] = 0;
	if (n > 10 && !strcmp(orig + n - 10, " (deleted)"))
		orig[n - 10] = 0;
	if (((flags & 0x0f) == MAP_SHARED || (flags & 0x0f) == MAP_SHARED_VALIDATE) &&
	    (prot & PROT_WRITE) &&
	    strcmp(orig, "/dev/zero")) {
		/*
		 * Writes through it reach the file and every other mapping of it,
		 * maybe in processes outside the recording: replay could not
		 * reproduce what they see. Refused rather than replayed wrong.
		 */
		free(src);
		*ret_what = shared_what(orig);
		return -ENOTSUP;
	}
	if ((flags & 0x0f) == MAP_SHARED || (flags & 0x0f) == MAP_SHARED_VALIDATE)
		r->cur->mm->shared_file = true; /* an mprotect may make it writable */
	m = add_map(r);
	m->start = addr;
	m->end = addr + ALIGN_UP(len, 4096ull);
	m->offset = offset;
	m->prot = (uint32_t)prot;
	m->flags = (uint32_t)flags;
	m->kind = MAPK_FILE;
	err = store(r, m, src, keep(r, xstrdup(orig)),
		    (flags & MAP_SHARED) && (prot & PROT_WRITE), ret_what);
	if (err == -ENOTSUP && !strcmp(orig, "/dev/zero")) {
		m->kind = MAPK_ANON; /* the same as an anonymous mapping */
		m->file = NULL;
		err = 0;
	}
	free(src);
	rec_maps_finish(r);
	return err;
}
