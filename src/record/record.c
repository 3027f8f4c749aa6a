// SPDX-License-Identifier: MIT
/*
 * record: the recorder's top loop. Every syscall is stopped at entry and
 * exit (PTRACE_SYSCALL); at exit its result, its register changes and the
 * memory the kernel wrote (from the syscall table) become one event.
 * Signals are classified: faults caused by an instruction are reproduced by
 * replay itself; a signal that finds the tracee at a syscall boundary is
 * injected there on replay; a signal that lands in user code is delivered
 * where it landed and recorded as a state-identified point (registers and a
 * memory digest), which replay finds again with a breakpoint on its rip; a
 * default-fatal one there is recorded as fatal (replay needs no point).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "record/record_int.h"

static struct recorder *bug_rec;

static void rec_bug_context(void)
{
	struct recorder *r = bug_rec;
	if (!r || !r->cur)
		return;
	fprintf(stderr, "  recorder: event %llu, tid %d, stop %s, rip 0x%llx\n",
		(unsigned long long)r->num, (int)r->cur->t.tid, task_stop_name(r->cur->t.stop),
		(unsigned long long)r->cur->t.regs.rip);
}

static int add_out(struct sc_call *call, uint64_t addr, uint64_t len)
{
	struct recorder *r = call->priv;
	if (!len || !addr)
		return 0;
	if (len > (1ull << 32))
		len = 1ull << 32;
	GROW(r->mem, r->mem_alloc, r->nmem + 1);
	r->mem[r->nmem++] = (struct trace_mem){ .addr = addr, .len = len };
	return 0;
}

static int read_mem(struct sc_call *call, uint64_t addr, void *dst, size_t len)
{
	struct recorder *r = call->priv;
	return task_read(&r->cur->t, addr, dst, len);
}

/* The task's syscall is no longer announced as blocked (it returned, or a new one began). */
static void end_entered(struct rtask *t)
{
	t->entered = false;
	free(t->inflight);
	t->inflight = NULL;
	t->ninflight = 0;
}

/* ---- address spaces and scratch buffers ---- */

/*
 * A read into memory that other threads share is redirected to a scratch
 * buffer of the reading thread, a slot of the pool rec_map_rewind_page()
 * maps into every address space, and copied to the program's buffer at the
 * syscall's exit stop. The kernel would otherwise fill the buffer while the
 * other threads run, which they could see at record time but not at
 * replay, where the data arrives at the read's event. The vector forms get
 * a copy of their iovec array in the slot (recvmsg one of its msghdr,
 * recvmmsg of its mmsghdr array), pointing into the slot, in place of the
 * program's; recvfrom gets its source address and its length there too,
 * recvmmsg its timeout. A call too long for the slot is laid out over
 * several consecutive free slots instead, taken for the call: no syscall
 * into the tracee, nothing the program can see in its address space, and
 * replay, which leaves the pool out, is unchanged (docs/INTERNALS.md).
 */

/* sizeof(struct sockaddr_storage): the kernel writes no longer socket address. */
#define SCRATCH_NAME_MAX 128
/* The end of user memory with 4-level paging (the kernel's access_ok), page below 2^47. */
#define SCRATCH_USER_END ((1ull << 47) - 4096)

/* The slots of the pool: bits of a uint64_t (struct rec_mm's used). */
#define SCRATCH_SLOTS (REWIND_POOL_SIZE / REWIND_POOL_SLOT)
_Static_assert(SCRATCH_SLOTS == 64, "one bit a slot in struct rec_mm");

/*
 * The part of the pool where a redirected call's copies are laid out,
 * [base, base + room), of which the first at bytes are taken.
 */
struct scratch_area {
	uint64_t base, room, at;
	bool full; /* a take did not fit */
};

/* A new address space: empty, or a fork's copy of copy (the pool, every slot free). */
static struct rec_mm *rmm_new(const struct rec_mm *copy)
{
	struct rec_mm *m = xcalloc(1, sizeof(*m));
	m->refs = 1;
	m->pool = copy && copy->pool;
	m->shared_file = copy && copy->shared_file;
	return m;
}

static void rmm_put(struct rec_mm *m)
{
	if (m && --m->refs == 0)
		free(m);
}

/* The task's redirected call is over, or will not reach its exit stop. */
static void scratch_forget(struct rtask *t)
{
	struct rec_redirect *rd = &t->redirect;

	if (t->mm)
		t->mm->used &= ~rd->borrowed;
	for (size_t i = 0; i < rd->nmsg; i++)
		free(rd->msgs[i].data.iov);
	free(rd->msgs);
	free(rd->data.iov);
	*rd = (struct rec_redirect){ 0 };
}

/* The task leaves its address space (exit, exec): its slot is free for another. */
static void scratch_release(struct rtask *t)
{
	if (t->slot >= 0 && t->mm)
		t->mm->used &= ~(1ull << t->slot);
	t->slot = -1;
	scratch_forget(t);
}

/*
 * Whether the kernel takes [base, base + len) for user memory. One that is
 * not fails with EFAULT before anything is read: such a call stays in place.
 */
static bool scratch_user_range(uint64_t base, uint64_t len)
{
	return base <= SCRATCH_USER_END && len <= SCRATCH_USER_END - base;
}

/* The address of the task's slot, taken now if it has none; 0: every slot is taken. */
static uint64_t scratch_slot(struct rtask *c)
{
	if (c->slot < 0) {
		if (c->mm->used == UINT64_MAX)
			return 0; /* more threads than slots: this one reads in place */
		c->slot = __builtin_ctzll(~c->mm->used);
		c->mm->used |= 1ull << c->slot;
	}
	return REWIND_POOL_ADDR + (uint64_t)c->slot * REWIND_POOL_SLOT;
}

/*
 * For a call that does not fit in the task's slot: the longest run of
 * consecutive slots free or the task's own, as the area (empty). false:
 * none is longer than one slot.
 */
static bool scratch_run(const struct rtask *c, struct scratch_area *a)
{
	uint64_t avail = ~c->mm->used | (1ull << c->slot);
	unsigned best = 0, best_at = 0;

	for (unsigned i = 0, n = 0; i < SCRATCH_SLOTS; i++) {
		n = (avail >> i) & 1 ? n + 1 : 0;
		if (n > best) {
			best = n;
			best_at = i + 1 - n;
		}
	}
	if (best < 2)
		return false;
	*a = (struct scratch_area){ .base = REWIND_POOL_ADDR + best_at * REWIND_POOL_SLOT,
				    .room = best * REWIND_POOL_SLOT };
	return true;
}

/*
 * The slots of the run a holds that its layout uses, other than the task's
 * own: taken for the call (given back by scratch_forget).
 */
static void scratch_borrow(struct rtask *c, const struct scratch_area *a)
{
	uint64_t first = (a->base - REWIND_POOL_ADDR) / REWIND_POOL_SLOT;
	uint64_t n = (a->at + REWIND_POOL_SLOT - 1) / REWIND_POOL_SLOT;
	uint64_t mask = (n >= SCRATCH_SLOTS ? UINT64_MAX : (1ull << n) - 1) << first;

	c->redirect.borrowed = mask & ~(1ull << c->slot);
	c->mm->used |= c->redirect.borrowed;
}

/* Take len more bytes of the area, 16-aligned: their address, 0 when they do not fit. */
static uint64_t area_take(struct scratch_area *a, uint64_t len)
{
	uint64_t at = ALIGN_UP(a->at, 16ull);

	if (at > a->room || len > a->room - at) {
		a->full = true;
		return 0;
	}
	a->at = at + len;
	return a->base + at;
}

/*
 * Lay out a read into len bytes at buf in the area: fills *ret (the data's
 * address, buf as one iovec). false (the call reads in place): buf is NULL
 * or not user memory, or the area has no room.
 */
static bool scratch_plan_buf(struct scratch_area *a, uint64_t buf, uint64_t len,
			     struct rec_redirect_data *ret)
{
	uint64_t at;

	if (!buf || !scratch_user_range(buf, len))
		return false;
	at = area_take(a, len);
	if (!at)
		return false;
	*ret = (struct rec_redirect_data){ .at = at, .iov = xmalloc(sizeof(*ret->iov)), .niov = 1 };
	*ret->iov = (struct sc_kiovec){ .base = buf, .len = len };
	return true;
}

/*
 * Lay out a vector read in the area: a copy of the program's cnt iovecs at
 * iov whose entries point into one run of data right after it, the iovecs
 * back to back. Fills *ret (the program's iovecs, the data's address) and
 * returns the copy's address. 0 (the call reads in place): the array
 * cannot be read, cnt is over UIO_MAXIOV, a buffer is not user memory or
 * the whole does not fit in the area.
 */
static uint64_t scratch_plan_iov(struct task *t, struct scratch_area *a, uint64_t iov,
				 uint64_t cnt, struct rec_redirect_data *ret)
{
	struct sc_kiovec *v, *s;
	uint64_t copy, data, total = 0;

	if (cnt > SC_IOV_MAX)
		return 0;
	copy = area_take(a, cnt * sizeof(*v));
	if (!copy)
		return 0;
	v = xcalloc(cnt ? cnt : 1, sizeof(*v));
	s = xcalloc(cnt ? cnt : 1, sizeof(*s));
	if (cnt && task_read_user(t, iov, v, cnt * sizeof(*v)))
		goto fail;
	for (uint64_t i = 0; i < cnt; i++) {
		if (!scratch_user_range(v[i].base, v[i].len))
			goto fail;
		total += v[i].len; /* at most 1024 lengths below 2^47 */
	}
	data = area_take(a, total);
	if (!data)
		goto fail;
	for (uint64_t i = 0, at = data; i < cnt; at += v[i].len, i++)
		s[i] = (struct sc_kiovec){ .base = at, .len = v[i].len };
	if (task_write(t, copy, s, cnt * sizeof(*s)))
		goto fail;
	*ret = (struct rec_redirect_data){ .at = data, .iov = v, .niov = cnt };
	free(s);
	return copy;
fail:
	free(s);
	free(v);
	return 0;
}

/*
 * Lay out one message of a recvmsg or recvmmsg in the area: the program's
 * msghdr at msg, copied to copy (taken already) with its name buffer
 * (SCRATCH_NAME_MAX bytes, all the kernel writes; the program's length
 * applies at the exit, scratch_addr_back), its control buffer (as long as
 * the program's) and its iovecs and their data (scratch_plan_iov) taken
 * from the area. Fills *ret; false: the call receives in place.
 */
static bool scratch_plan_msg(struct task *t, struct scratch_area *a, uint64_t msg, uint64_t copy,
			     struct rec_redirect_msg *ret)
{
	struct sc_kmsghdr m;

	if (task_read_user(t, msg, &m, sizeof(m)))
		return false;
	ret->orig = m;
	if (m.name) {
		if ((int32_t)m.namelen < 0)
			return false; /* EINVAL */
		m.namelen = SCRATCH_NAME_MAX;
		m.name = area_take(a, SCRATCH_NAME_MAX);
		if (!m.name)
			return false;
	}
	if (m.control) {
		m.control = area_take(a, m.controllen);
		if (!m.control)
			return false;
	}
	m.iov = scratch_plan_iov(t, a, m.iov, m.iovlen, &ret->data);
	return m.iov && !task_write(t, copy, &m, sizeof(m));
}

/*
 * Lay out a recvmsg (vec: the msghdr, vlen 0) or a recvmmsg (vec: the
 * mmsghdr array of vlen entries, UIO_MAXIOV at most as the kernel takes)
 * in the area: the copy of the msghdr or the array first, then each
 * message's buffers (scratch_plan_msg). Returns the copy's address; 0: the
 * call receives in place.
 */
static uint64_t scratch_plan_msgs(struct rtask *c, struct scratch_area *a, uint64_t vec,
				  uint64_t vlen)
{
	struct rec_redirect *rd = &c->redirect;
	uint64_t stride = vlen ? sizeof(struct sc_kmmsghdr) : sizeof(struct sc_kmsghdr);
	size_t n = vlen ? MIN(vlen, SC_IOV_MAX) : 1;
	uint64_t copy = area_take(a, n * stride);

	if (!copy)
		return 0;
	rd->msgs = xcalloc(n, sizeof(*rd->msgs));
	while (rd->nmsg < n) {
		size_t i = rd->nmsg++; /* counted first: scratch_forget() frees what it took */

		if (!scratch_plan_msg(&c->t, a, vec + i * stride, copy + i * stride, &rd->msgs[i]))
			return 0;
	}
	rd->msg = copy;
	return copy;
}

/*
 * Lay out a recvfrom in the area: the address buffer (SCRATCH_NAME_MAX
 * bytes) and its length when there is an address (r8), saying the whole
 * buffer (the program's length is read at the exit, as the kernel reads it
 * once the data is in: scratch_addr_back), then the data buffer when there
 * is one (rdx). Points the registers there; false: the call receives in
 * place.
 */
static bool scratch_plan_from(struct rtask *c, struct scratch_area *a,
			      struct user_regs_struct *regs)
{
	struct rec_redirect *rd = &c->redirect;
	uint32_t room = SCRATCH_NAME_MAX;

	if (regs->r8) {
		rd->namelen = area_take(a, sizeof(room));
		rd->name = area_take(a, SCRATCH_NAME_MAX);
		if (!rd->name || task_write(&c->t, rd->namelen, &room, sizeof(room)))
			return false;
		regs->r8 = rd->name;
		regs->r9 = rd->namelen;
	}
	if (regs->rdx) {
		if (!scratch_plan_buf(a, regs->rsi, regs->rdx, &rd->data))
			return false;
		regs->rsi = rd->data.at;
	}
	return rd->name || rd->data.at;
}

/*
 * recvmmsg's timeout (r8), when there is one: a copy in the area, which the
 * kernel reads at the entry and writes the time left into at the end. false:
 * the program's cannot be read (the call fails with EFAULT in place).
 */
static bool scratch_plan_timeout(struct rtask *c, struct scratch_area *a,
				 struct user_regs_struct *regs)
{
	struct rec_redirect *rd = &c->redirect;
	struct timespec ts;

	if (!regs->r8)
		return true;
	rd->timeout = area_take(a, sizeof(ts));
	if (!rd->timeout || task_read_user(&c->t, regs->r8, &ts, sizeof(ts)) ||
	    task_write(&c->t, rd->timeout, &ts, sizeof(ts)))
		return false;
	regs->r8 = rd->timeout;
	return true;
}

/*
 * Lay out the call nr in the area and point its arguments (regs) there;
 * false for a call that is not redirected, or that reads in place.
 */
static bool scratch_plan(struct rtask *c, struct scratch_area *a, long nr,
			 struct user_regs_struct *regs)
{
	struct rec_redirect *rd = &c->redirect;

	switch (nr) {
	case SYS_read:
	case SYS_pread64:
		if (!regs->rdx || !scratch_plan_buf(a, regs->rsi, regs->rdx, &rd->data))
			return false;
		regs->rsi = rd->data.at;
		break;
	case SYS_recvfrom:
		return scratch_plan_from(c, a, regs);
	case SYS_readv:
	case SYS_preadv:
	case SYS_preadv2:
		if (!regs->rsi || !regs->rdx)
			return false;
		regs->rsi = scratch_plan_iov(&c->t, a, regs->rsi, regs->rdx, &rd->data);
		break;
	case SYS_recvmsg:
		if (!regs->rsi)
			return false;
		regs->rsi = scratch_plan_msgs(c, a, regs->rsi, 0);
		break;
	case SYS_recvmmsg:
		if (!regs->rsi || !regs->rdx || !scratch_plan_timeout(c, a, regs))
			return false;
		regs->rsi = scratch_plan_msgs(c, a, regs->rsi, regs->rdx);
		break;
	default:
		return false;
	}
	return regs->rsi != 0;
}

/*
 * At a syscall entry: read, pread64, recvfrom, readv, preadv, preadv2,
 * recvmsg or recvmmsg into memory another task shares go to the task's
 * slot of the pool (taken now if it has none), or when too long for it to
 * a run of free slots (scratch_run), their buffer arguments made to point
 * there. The event keeps the entry registers, the program's.
 */
static void scratch_redirect(struct recorder *r, const struct sc_desc *d,
			     struct user_regs_struct *regs)
{
	struct rtask *c = r->cur;
	struct user_regs_struct want = *regs;
	struct scratch_area a = { .room = REWIND_POOL_SLOT };

	scratch_forget(c);
	if (!c->mm || !c->mm->pool || c->mm->refs < 2)
		return;
	switch (d->nr) {
	case SYS_read:
	case SYS_pread64:
	case SYS_recvfrom:
	case SYS_readv:
	case SYS_preadv:
	case SYS_preadv2:
	case SYS_recvmsg:
	case SYS_recvmmsg:
		break;
	default:
		return;
	}
	a.base = scratch_slot(c);
	if (!a.base)
		return;
	if (!scratch_plan(c, &a, d->nr, &want)) {
		/* Too long for the slot: several consecutive ones, if free. */
		scratch_forget(c);
		want = *regs;
		if (!a.full || !scratch_run(c, &a) || !scratch_plan(c, &a, d->nr, &want)) {
			scratch_forget(c);
			return;
		}
		scratch_borrow(c, &a);
	}
	c->redirect.on = true;
	*regs = want;
	task_set_regs(&c->t, regs);
}

/* The copies of one exit stop to the program. */
struct scratch_back {
	struct task *t;
	int pool_err; /* the first error reading the pool (reported; not the program's fault) */
};

/* Read len bytes of the pool at src: false (b->pool_err set) if it cannot be read. */
static bool scratch_pool_read(struct scratch_back *b, uint64_t src, void *dst, size_t len)
{
	int err = task_read(b->t, src, dst, len);

	if (err && !b->pool_err)
		b->pool_err = err;
	return !err;
}

/*
 * Copy len bytes of the pool at src over the program's niov iovecs, in
 * order: 0, or -EFAULT where they did not all go (the program cannot write
 * an iovec, they hold fewer bytes, or the pool could not be read).
 */
static int scratch_scatter(struct scratch_back *b, uint64_t src, const struct sc_kiovec *iov,
			   size_t niov, uint64_t len)
{
	unsigned char *tmp;
	uint64_t done = 0;

	if (!len)
		return 0;
	tmp = xmalloc(len);
	if (!scratch_pool_read(b, src, tmp, len)) {
		free(tmp);
		return -EFAULT;
	}
	for (size_t i = 0; i < niov && done < len; i++) {
		uint64_t n = MIN(iov[i].len, len - done);
		if (task_write_user(b->t, iov[i].base, tmp + done, n))
			break;
		done += n;
	}
	free(tmp);
	return done < len ? -EFAULT : 0;
}

/* Copy len bytes of the pool at src to the program's dst: 0 or -EFAULT. */
static int scratch_move(struct scratch_back *b, uint64_t src, uint64_t dst, uint64_t len)
{
	struct sc_kiovec v = { .base = dst, .len = len };
	return scratch_scatter(b, src, &v, 1, len);
}

/* The first n bytes of the data d (as many as its iovecs hold) to the program's: 0 or -EFAULT. */
static int scratch_data_back(struct scratch_back *b, const struct rec_redirect_data *d, uint64_t n)
{
	uint64_t want = 0;

	for (size_t i = 0; i < d->niov; i++)
		want += d->iov[i].len; /* at most the area: no overflow */
	return scratch_scatter(b, d->at, d->iov, d->niov, MIN(want, n));
}

/*
 * Give the program a socket address the kernel wrote into the pool (klen
 * bytes at name) as the kernel's move_addr_to_user() does: read the
 * program's length at lenp, write klen there unless that is negative, then
 * copy as many bytes as both say to addr. (Kernels before 2025 copied the
 * address before writing the length.) 0, -EFAULT or -EINVAL.
 */
static int scratch_addr_back(struct scratch_back *b, uint64_t name, uint32_t klen, uint64_t addr,
			     uint64_t lenp)
{
	int32_t len;

	klen = MIN(klen, SCRATCH_NAME_MAX);
	if (task_read_user(b->t, lenp, &len, sizeof(len)))
		return -EFAULT;
	if (len > (int32_t)klen)
		len = (int32_t)klen;
	if (len >= 0 && task_write_user(b->t, lenp, &klen, sizeof(klen)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	return scratch_move(b, name, addr, (uint64_t)len);
}

/*
 * One message of a recvmsg or recvmmsg (m: the pool's msghdr as the kernel
 * left it, len: the bytes it received): its data, name and control data
 * to the program's buffers, and the fields the kernel writes back
 * (msg_namelen where there is a name, msg_flags, msg_controllen) to the
 * program's msghdr at prog. 0 or -errno.
 */
static int scratch_msg_back(struct scratch_back *b, const struct rec_redirect_msg *rm,
			    const struct sc_kmsghdr *m, uint64_t len, uint64_t prog)
{
	const struct sc_kmsghdr *o = &rm->orig;
	int err = scratch_data_back(b, &rm->data, len);

	if (!err && o->name)
		err = scratch_addr_back(b, m->name, m->namelen, o->name,
					prog + offsetof(struct sc_kmsghdr, namelen));
	if (!err && o->control)
		err = scratch_move(b, m->control, o->control, MIN(m->controllen, o->controllen));
	if (!err && (task_write_user(b->t, prog + offsetof(struct sc_kmsghdr, flags), &m->flags,
				     sizeof(m->flags)) ||
		     task_write_user(b->t, prog + offsetof(struct sc_kmsghdr, controllen),
				     &m->controllen, sizeof(m->controllen))))
		err = -EFAULT;
	return err;
}

/*
 * recvmsg (ret: the bytes received) or recvmmsg (ret: the messages, each
 * with its msg_len too): every message to the program's (scratch_msg_back).
 * Returns the call's result: ret, or at a message the program cannot take
 * its error if it is the first, else the count before it, where the kernel
 * stops too (the error the kernel keeps for the socket's next call is not
 * kept).
 */
static int64_t scratch_msgs_back(struct scratch_back *b, const struct rtask *c, int64_t ret)
{
	const struct rec_redirect *rd = &c->redirect;
	bool mmsg = c->entry_regs.orig_rax == SYS_recvmmsg;
	uint64_t stride = mmsg ? sizeof(struct sc_kmmsghdr) : sizeof(struct sc_kmsghdr);
	size_t n = mmsg ? MIN((uint64_t)ret, rd->nmsg) : 1;

	for (size_t i = 0; i < n; i++) {
		uint64_t prog = c->entry_regs.rsi + i * stride;
		struct sc_kmmsghdr m;
		int err = -EFAULT;

		if (scratch_pool_read(b, rd->msg + i * stride, &m, stride))
			err = scratch_msg_back(b, &rd->msgs[i], &m.hdr, mmsg ? m.len : (uint64_t)ret,
					       prog);
		if (!err && mmsg &&
		    task_write_user(b->t, prog + offsetof(struct sc_kmmsghdr, len), &m.len,
				    sizeof(m.len)))
			err = -EFAULT;
		if (err)
			return i ? (int64_t)i : err;
	}
	return ret;
}

/*
 * At the exit stop of a redirected call: copy what it read to the program's
 * buffers (scattered over its iovecs; for recvmsg and recvmmsg also the
 * names, control data and msghdr fields, for recvfrom the address and its
 * length, for recvmmsg the time left) and put its arguments back. A buffer
 * the program cannot write gets the result the kernel would have given,
 * EFAULT. 0 or -1 (reported).
 */
static int scratch_copy_back(struct recorder *r, struct user_regs_struct *regs)
{
	struct rtask *c = r->cur;
	struct rec_redirect *rd = &c->redirect;
	struct scratch_back b = { .t = &c->t };
	int64_t ret = (int64_t)regs->rax;
	uint32_t klen;
	int err = 0;

	if (!rd->on)
		return 0;
	if (ret >= 0 && rd->data.at)
		err = scratch_data_back(&b, &rd->data, (uint64_t)ret);
	if (!err && ret >= 0 && rd->msg)
		ret = scratch_msgs_back(&b, c, ret);
	if (!err && ret >= 0 && rd->name)
		err = scratch_pool_read(&b, rd->namelen, &klen, sizeof(klen))
			      ? scratch_addr_back(&b, rd->name, klen, c->entry_regs.r8,
						  c->entry_regs.r9)
			      : -EFAULT;
	if (err)
		ret = err;
	if (ret > 0 && rd->timeout &&
	    scratch_move(&b, rd->timeout, c->entry_regs.r8, sizeof(struct timespec)))
		ret = -EFAULT;
	if (b.pool_err) {
		scratch_forget(c);
		return error("cannot read the scratch buffer at event %llu: %s",
			     (unsigned long long)r->num + 1, strerror(-b.pool_err));
	}
	regs->rax = (uint64_t)ret;
	regs->rsi = c->entry_regs.rsi;
	regs->r8 = c->entry_regs.r8;
	regs->r9 = c->entry_regs.r9;
	scratch_forget(c);
	task_set_regs(&c->t, regs);
	return 0;
}

/*
 * The memory digest of a state point of the current task, leaving out what
 * blocked syscalls of the threads sharing its memory may be writing
 * (rec_inflight_ranges): replay writes those at their exit events.
 */
static int point_digest(struct recorder *r, uint64_t rsp, uint64_t *ret)
{
	struct task_range *skip = NULL;
	size_t n = 0, alloc = 0;
	int err;
	GROW(skip, alloc, 1);
	skip[n++] = (struct task_range){ REWIND_POOL_ADDR, REWIND_POOL_ADDR + REWIND_POOL_SIZE };
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct rtask *o = r->tasks[i];
		if (o == r->cur || o->state == RT_DEAD || o->mm != r->cur->mm || !o->ninflight)
			continue;
		GROW(skip, alloc, n + o->ninflight);
		memcpy(skip + n, o->inflight, o->ninflight * sizeof(*skip));
		n += o->ninflight;
	}
	err = task_state_digest_skip(&r->cur->t, rsp, skip, n, ret);
	free(skip);
	return err;
}

/*
 * Read the contents of the reported ranges. A range that is not wholly
 * readable keeps its readable prefix (page by page); a range nothing of
 * which is readable is dropped: the kernel cannot have written there.
 */
static void fetch_outputs(struct recorder *r)
{
	size_t keep = 0;
	buf_reset(&r->membuf);
	GROW(r->mem_off, r->mem_off_alloc, r->nmem);
	for (size_t i = 0; i < r->nmem; i++) {
		struct trace_mem m = r->mem[i];
		size_t start = r->membuf.len;
		unsigned char *dst = buf_append_space(&r->membuf, m.len);
		if (task_read(&r->cur->t, m.addr, dst, m.len)) {
			uint64_t got = 0;
			while (got < m.len) {
				uint64_t chunk = MIN(4096 - ((m.addr + got) & 4095), m.len - got);
				if (task_read(&r->cur->t, m.addr + got, dst + got, chunk))
					break;
				got += chunk;
			}
			m.len = got;
			r->membuf.len = start + got;
		}
		if (!m.len)
			continue;
		r->mem_off[keep] = start;
		r->mem[keep++] = m;
	}
	r->nmem = keep;
	for (size_t i = 0; i < r->nmem; i++)
		r->mem[i].data = r->membuf.data + r->mem_off[i];
}

static int write_event(struct recorder *r, struct trace_event *ev)
{
	ev->num = ++r->num;
	ev->tid = r->cur->t.tid;
	log_event = r->num;
	r->last_write_ns = now_ns();
	int err = trace_write_event(r->w, ev);
	if (err)
		return error("cannot write the trace in '%s': %s", trace_writer_dir(r->w),
			     strerror(-err));
	return 0;
}

static void new_event(struct recorder *r, uint32_t kind)
{
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.kind = kind;
	r->nmem = 0;
	rec_maps_reset(r);
}

/* A new fd table with one reference: a copy of copy's, or (NULL) the initial one. */
static struct rec_files *files_new(const struct rec_files *copy)
{
	struct rec_files *f = xmalloc(sizeof(*f));
	if (copy)
		*f = *copy;
	else
		sc_stdio_init(&f->stdio);
	f->refs = 1;
	return f;
}

static void files_put(struct rec_files *f)
{
	if (f && --f->refs == 0)
		free(f);
}

/* The new program's argv, from its initial stack, as one NUL-separated mem entry at 0. */
static void exec_argv(struct recorder *r, uint64_t sp)
{
	uint64_t argc, p;
	buf_reset(&r->membuf);
	if (task_read(&r->cur->t, sp, &argc, 8) || argc > 4096)
		return;
	for (uint64_t i = 0; i < argc && r->membuf.len < 65536; i++) {
		char *str;
		if (task_read(&r->cur->t, sp + 8 + 8 * i, &p, 8) ||
		    task_read_str(&r->cur->t, p, 4096, &str))
			break;
		buf_append(&r->membuf, str, strlen(str) + 1);
		free(str);
	}
	GROW(r->mem, r->mem_alloc, 1);
	r->mem[0] = (struct trace_mem){ .addr = 0, .len = r->membuf.len, .data = r->membuf.data };
	r->nmem = 1;
	r->ev.mem = r->mem;
	r->ev.nmem = 1;
}

static int record_exec(struct recorder *r)
{
	struct user_regs_struct *regs;
	struct task_map *tm;
	size_t n;
	int err;

	scratch_release(r->cur);
	rmm_put(r->cur->mm);
	r->cur->mm = rmm_new(NULL);
	/* Exec unshares a CLONE_FILES fd table. */
	if (r->cur->files && r->cur->files->refs > 1) {
		struct rec_files *f = files_new(r->cur->files);
		files_put(r->cur->files);
		r->cur->files = f;
	}

	err = rec_map_rewind_page(&r->cur->t, &r->cur->mm->pool);
	if (err)
		return error("cannot set up the new address space: %s", strerror(-err));
	err = task_read_maps(&r->cur->t, &tm, &n);
	if (err)
		return error("cannot read the new address space: %s", strerror(-err));
	for (size_t i = 0; !err && i < n; i++)
		if (!strcmp(tm[i].path, "[vdso]"))
			err = rec_patch_vdso(&r->cur->t, tm[i].start, tm[i].end);
	task_maps_free(tm, n);
	if (err)
		return error("cannot patch the vDSO: %s", strerror(-err));
	new_event(r, EV_EXEC);
	err = rec_snapshot_exec(r);
	if (err)
		return error("cannot save the address space after exec: %s", strerror(-err));
	err = task_regs(&r->cur->t, &regs);
	if (err)
		return error("tracee vanished after exec");
	r->ev.regs = *regs;
	r->ev.maps = r->maps;
	r->ev.nmaps = (uint32_t)r->nmaps;
	exec_argv(r, regs->rsp);
	err = write_event(r, &r->ev);
	r->cur->boundary_regs = *regs;
	r->cur->boundary_valid = true;
	return err;
}

static int on_syscall_entry(struct recorder *r)
{
	struct user_regs_struct *regs;
	const struct sc_desc *d;
	int err = task_regs(&r->cur->t, &regs);
	if (err)
		return 0; /* vanished: the wait reports it */
	d = sc_lookup((long)regs->orig_rax);
	if (!d || d->replay == SC_UNSUPPORTED)
		return error("unsupported syscall %s (%lld) at event %llu",
			     sc_name((long)regs->orig_rax), (long long)regs->orig_rax,
			     (unsigned long long)r->num + 1);
	r->cur->sc = d;
	end_entered(r->cur);
	r->cur->entry_regs = *regs;
	r->cur->forced = false;
	if (d->flags & SC_NO_RECORD_EXEC) {
		/* Not run: the kernel reports -ENOSYS at exit, as on a kernel without it. */
		regs->orig_rax = (uint64_t)-1;
		task_set_regs(&r->cur->t, regs);
		r->cur->forced = true;
		r->cur->forced_ret = -ENOSYS;
	}
	scratch_redirect(r, d, regs);
	if (d->replay == SC_EXIT) {
		/* No exit stop follows: the event is written now. */
		new_event(r, EV_SYSCALL);
		r->ev.regs = r->cur->entry_regs;
		r->ev.exit_regs = r->cur->entry_regs;
		r->ev.nr = d->nr;
		r->cur->sc = NULL;
		return write_event(r, &r->ev);
	}
	return 0;
}

const int *rec_new_fd_pair(const struct trace_event *ev, int fds[2])
{
	uint64_t at = ev->nr == SYS_socketpair ? ev->regs.r10 : ev->regs.rdi;
	if (ev->nr != SYS_pipe && ev->nr != SYS_pipe2 && ev->nr != SYS_socketpair)
		return NULL;
	for (uint32_t i = 0; i < ev->nmem; i++)
		if (ev->mem[i].addr == at && ev->mem[i].len >= 2 * sizeof(int)) {
			memcpy(fds, ev->mem[i].data, 2 * sizeof(int));
			return fds;
		}
	return NULL;
}

/*
 * sendfile and copy_file_range move file bytes to stdout without passing
 * through tracee memory: read them back from the source file so replay can
 * print them. Returns false if they could not be read.
 */
static bool capture_echo(struct recorder *r, int in_fd, uint64_t offp, int64_t n)
{
	char path[64];
	uint64_t end = 0;
	unsigned char *dst;
	int fd;
	ssize_t got;

	if (offp) {
		if (task_read(&r->cur->t, offp, &end, sizeof(end)))
			return false;
	} else {
		FILE *f;
		char line[128];
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)r->cur->t.tid, in_fd);
		f = fopen(path, "re");
		if (!f)
			return false;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "pos: %" SCNu64, &end) == 1)
				break;
		fclose(f);
	}
	if (end < (uint64_t)n)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)r->cur->t.tid, in_fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	GROW(r->mem, r->mem_alloc, r->nmem + 1);
	GROW(r->mem_off, r->mem_off_alloc, r->nmem + 1);
	size_t off = r->membuf.len;
	dst = buf_append_space(&r->membuf, (size_t)n);
	got = pread(fd, dst, (size_t)n, (off_t)(end - (uint64_t)n));
	close(fd);
	if (got != n) {
		r->membuf.len = off;
		return false;
	}
	r->mem_off[r->nmem] = off;
	r->mem[r->nmem++] = (struct trace_mem){ .addr = 0, .len = (uint64_t)n };
	for (size_t i = 0; i < r->nmem; i++)
		r->mem[i].data = r->membuf.data + r->mem_off[i];
	return true;
}

static void track_stdio(struct recorder *r, const struct sc_desc *d, const uint64_t *args)
{
	struct trace_event *ev = &r->ev;
	int fds[2];
	const int *pair = rec_new_fd_pair(ev, fds);
	int64_t ret = ev->ret;
	if (ret > 0 && ((d->nr == SYS_sendfile && sc_stdio_of(&r->cur->files->stdio, args[0])) ||
			(d->nr == SYS_copy_file_range && sc_stdio_of(&r->cur->files->stdio, args[2])) ||
			(d->nr == SYS_splice && sc_stdio_of(&r->cur->files->stdio, args[2])))) {
		bool ok = d->nr == SYS_sendfile ? capture_echo(r, (int)args[1], args[2], ret)
						: capture_echo(r, (int)args[0], args[1], ret);
		if (ok) {
			ev->flags |= EVF_ECHO;
			ev->mem = r->mem;
			ev->nmem = (uint32_t)r->nmem;
		}
	}
	sc_stdio_update(&r->cur->files->stdio, d, args, ret, pair);
}

static int on_syscall_exit(struct recorder *r)
{
	const struct sc_desc *d = r->cur->sc;
	struct user_regs_struct *regs, cmp;
	struct sc_call call;
	const char *what = NULL;
	int err;

	r->cur->sc = NULL;
	if (!d)
		return 0; /* the exit of a remote syscall or of the initial execve */
	err = task_regs(&r->cur->t, &regs);
	if (err)
		return 0;
	if (scratch_copy_back(r, regs))
		return -1;
	new_event(r, EV_SYSCALL);
	r->ev.nr = d->nr;
	r->ev.ret = (int64_t)regs->rax;
	r->ev.regs = r->cur->entry_regs;
	if (r->cur->entered)
		r->ev.flags |= EVF_ENTERED;
	end_entered(r->cur);
	if (d->nr == SYS_sched_yield)
		r->want_switch = true;
	if (r->cur->forced) {
		r->ev.flags |= EVF_FORCED;
		r->ev.ret = r->cur->forced_ret;
		regs->rax = (uint64_t)r->cur->forced_ret;
		regs->orig_rax = r->cur->entry_regs.orig_rax;
		task_set_regs(&r->cur->t, regs);
	}
	cmp = r->cur->entry_regs;
	cmp.rax = regs->rax;
	if (memcmp(&cmp, regs, sizeof(cmp))) {
		r->ev.flags |= EVF_EXIT_REGS;
		r->ev.exit_regs = *regs;
	} else {
		r->ev.exit_regs = cmp;
	}
	if (d->replay == SC_SIGRETURN || (d->replay == SC_EXECVE && r->ev.ret == 0)) {
		/* The registers come from elsewhere; no memory written by the call itself. */
	} else {
		call = (struct sc_call){ .nr = d->nr, .ret = r->ev.ret, .priv = r,
					 .read = read_mem, .out = add_out };
		memcpy(call.args, &(uint64_t[6]){ r->cur->entry_regs.rdi, r->cur->entry_regs.rsi,
						  r->cur->entry_regs.rdx, r->cur->entry_regs.r10,
						  r->cur->entry_regs.r8, r->cur->entry_regs.r9 },
		       sizeof(call.args));
		err = sc_outputs(d, &call, &what);
		if (err == -ENOTSUP)
			return error("unsupported syscall %s (%s) at event %llu", d->name,
				     what ? what : "?", (unsigned long long)r->num + 1);
		fetch_outputs(r);
		r->ev.mem = r->mem;
		r->ev.nmem = (uint32_t)r->nmem;
		track_stdio(r, d, call.args);
	}
	if (d->nr == SYS_mmap && r->ev.ret >= 0 && !(r->cur->entry_regs.r10 & MAP_ANONYMOUS)) {
		err = rec_mmap_file(r, (uint64_t)r->ev.ret, r->cur->entry_regs.rsi, r->cur->entry_regs.rdx,
				    r->cur->entry_regs.r10, (int)r->cur->entry_regs.r8, r->cur->entry_regs.r9,
				    &what);
		if (err == -ENOTSUP)
			return error("unsupported syscall mmap (%s) at event %llu", what,
				     (unsigned long long)r->num + 1);
		if (err)
			return error("cannot save the file mapped at event %llu: %s",
				     (unsigned long long)r->num + 1, strerror(-err));
		r->ev.maps = r->maps;
		r->ev.nmaps = (uint32_t)r->nmaps;
	}
	if ((d->nr == SYS_mprotect || d->nr == SYS_pkey_mprotect) && r->ev.ret == 0 &&
	    (r->cur->entry_regs.rdx & PROT_WRITE) && r->cur->mm->shared_file) {
		err = rec_check_mprotect(r, r->cur->entry_regs.rdi, r->cur->entry_regs.rsi, &what);
		if (err == -ENOTSUP)
			return error("unsupported syscall %s (%s) at event %llu", d->name, what,
				     (unsigned long long)r->num + 1);
	}
	err = write_event(r, &r->ev);
	if (err)
		return err;
	if (d->replay == SC_EXECVE && r->ev.ret == 0) {
		err = record_exec(r);
		if (err)
			return err;
	}
	err = task_regs(&r->cur->t, &regs);
	if (err)
		return 0;
	r->cur->boundary_regs = *regs;
	r->cur->boundary_valid = true;
	return 0;
}

/* The process is dying. If inside a syscall (killed by SIGKILL, say), record that call. */
static int on_exit_event(struct recorder *r)
{
	if (!r->cur->sc)
		return 0;
	new_event(r, EV_SYSCALL);
	r->ev.nr = r->cur->sc->nr;
	r->ev.regs = r->cur->entry_regs;
	r->ev.exit_regs = r->cur->entry_regs;
	r->ev.flags = EVF_NO_RETURN | (r->cur->entered ? EVF_ENTERED : 0);
	r->cur->sc = NULL;
	scratch_forget(r->cur);
	end_entered(r->cur);
	return write_event(r, &r->ev);
}

/* rdtsc/rdtscp trap with SIGSEGV under PR_SET_TSC: run them here and record the result. */
static int try_rdtsc(struct recorder *r, const siginfo_t *si, bool *ret_handled)
{
	struct user_regs_struct *regs;
	unsigned char insn[3];
	uint32_t len = 0, aux = 0;
	uint64_t v;

	*ret_handled = false;
	if (si->si_signo != SIGSEGV || si->si_code != SI_KERNEL)
		return 0;
	if (task_regs(&r->cur->t, &regs) || task_read(&r->cur->t, regs->rip, insn, sizeof(insn)))
		return 0;
	if (insn[0] == 0x0f && insn[1] == 0x31)
		len = 2;
	else if (insn[0] == 0x0f && insn[1] == 0x01 && insn[2] == 0xf9)
		len = 3;
	else
		return 0;
	new_event(r, EV_RDTSC);
	r->ev.regs = *regs;
	v = len == 2 ? __rdtsc() : __rdtscp(&aux);
	regs->rax = v & 0xffffffffu;
	regs->rdx = v >> 32;
	if (len == 3)
		regs->rcx = aux;
	regs->rip += len;
	task_set_regs(&r->cur->t, regs);
	r->ev.tsc[0] = regs->rax;
	r->ev.tsc[1] = regs->rdx;
	r->ev.tsc[2] = regs->rcx;
	r->ev.insn_len = len;
	r->cur->boundary_valid = false;
	*ret_handled = true;
	return write_event(r, &r->ev);
}

bool rec_is_fault(const siginfo_t *si)
{
	switch (si->si_signo) {
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		return si->si_code > 0;
	default:
		return false;
	}
}

/* Signals whose default action ends the process. */
static bool default_is_fatal(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return false;
	default:
		return sig > 0 && sig < SIGRTMIN;
	}
}

/* The tracee's caught, ignored and blocked signal sets (bit sig-1). */
static void dispositions(struct recorder *r, uint64_t *caught, uint64_t *ignored,
			 uint64_t *blocked)
{
	char path[64], line[256];
	FILE *f;
	*caught = *ignored = *blocked = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)r->cur->t.tid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		(void)(sscanf(line, "SigCgt: %" SCNx64, caught) ||
		       sscanf(line, "SigIgn: %" SCNx64, ignored) ||
		       sscanf(line, "SigBlk: %" SCNx64, blocked));
	}
	fclose(f);
}

/* Will delivering sig now kill the tracee? (no handler, not ignored, not blocked) */
static bool kills_now(struct recorder *r, int sig)
{
	uint64_t caught, ignored, blocked;
	if (!default_is_fatal(sig))
		return false;
	dispositions(r, &caught, &ignored, &blocked);
	return !((caught | ignored | blocked) & (1ull << (sig - 1)));
}

static bool has_handler(struct recorder *r, int sig)
{
	uint64_t caught, ignored, blocked;
	dispositions(r, &caught, &ignored, &blocked);
	return sig > 0 && sig <= 64 && (caught & (1ull << (sig - 1)));
}

/*
 * After a single step that delivered a caught signal: at the handler's first
 * instruction, record the frame the kernel wrote (its trapno, err and cr2
 * fields come from the thread's last exception and differ on replay) and
 * the registers there, then write the signal event. 0: done, the stop was
 * ours; 1: no frame (the event is written, the stop is the program's).
 */
static int record_frame(struct recorder *r)
{
	struct user_regs_struct *regs;
	uint64_t old = r->ev.regs.rsp, len;
	int err;

	if (r->cur->t.stop == TS_SIGNAL && r->cur->t.sig == SIGTRAP && task_regs(&r->cur->t, &regs) == 0 &&
	    regs->rsp + 256 < old) {
		len = old - regs->rsp < 65536 ? old - 128 - regs->rsp : 8192;
		r->nmem = 0;
		GROW(r->mem, r->mem_alloc, 1);
		r->mem[r->nmem++] = (struct trace_mem){ .addr = regs->rsp, .len = len };
		fetch_outputs(r);
		r->ev.flags |= EVF_FRAME;
		r->ev.exit_regs = *regs;
		r->ev.mem = r->mem;
		r->ev.nmem = (uint32_t)r->nmem;
		err = write_event(r, &r->ev);
		return err ? err : 0;
	}
	err = write_event(r, &r->ev);
	return err ? err : 1;
}

static int on_signal(struct recorder *r)
{
	struct user_regs_struct *regs;
	siginfo_t si;
	bool handled;
	int err, sig = r->cur->t.sig;

	if (task_getsiginfo(&r->cur->t, &si) || task_regs(&r->cur->t, &regs))
		return 0;
	err = try_rdtsc(r, &si, &handled);
	if (err || handled)
		return err;
	new_event(r, EV_SIGNAL);
	r->ev.regs = *regs;
	r->ev.sig = sig;
	r->ev.si = si;
	if (rec_is_fault(&si)) {
		r->ev.sigkind = SIGK_SYNC;
	} else if (r->cur->boundary_valid && !memcmp(regs, &r->cur->boundary_regs, sizeof(*regs))) {
		r->ev.sigkind = SIGK_BOUNDARY;
	} else if (kills_now(r, sig)) {
		/* Ctrl-C on a busy loop: holding it back could wait forever. */
		r->ev.sigkind = SIGK_FATAL;
	} else {
		/* In user code: delivered here, and found again by its state on replay. */
		r->ev.sigkind = SIGK_STATE;
		err = rec_settle_point(r, &regs);
		if (!err)
			err = point_digest(r, regs->rsp, &r->ev.digest);
		if (err)
			return error("cannot read the program's memory at event %llu: %s",
				     (unsigned long long)r->num + 1, strerror(-err));
	}
	r->cur->boundary_valid = false;
	r->cur->deliver_sig = sig;
	if (has_handler(r, sig)) {
		r->cur->frame_next = true; /* the event is written with its frame */
		return 0;
	}
	return write_event(r, &r->ev);
}

static void fill_header(struct trace_header *h, const struct rec_opts *o, pid_t pid, int cpu)
{
	struct utsname u;
	struct timespec ts;
	char *cwd = getcwd(NULL, 0);
	memset(h, 0, sizeof(*h));
	h->exe = (char *)o->exe;
	h->cwd = cwd ? cwd : xstrdup("?");
	for (h->argc = 0; o->argv[h->argc]; h->argc++)
		;
	for (h->envc = 0; o->envp[h->envc]; h->envc++)
		;
	h->argv = o->argv;
	h->envp = o->envp;
	h->pid = pid;
	h->cpu = cpu;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->start_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) == 0) {
		h->stack_cur = rl.rlim_cur;
		h->stack_max = rl.rlim_max;
	}
	if (uname(&u) == 0) {
		h->host = xstrdup(u.nodename);
		h->kernel = xstrdup(u.release);
	}
}

/* ---- tasks and the scheduler ---- */

static struct rtask *find_task(struct recorder *r, pid_t tid)
{
	for (size_t i = 0; i < r->ntasks; i++)
		if (r->tasks[i]->t.tid == tid && r->tasks[i]->state != RT_DEAD)
			return r->tasks[i];
	return NULL;
}

static struct rtask *add_task(struct recorder *r, pid_t tid, pid_t tgid)
{
	struct rtask *t = xcalloc(1, sizeof(*t));
	task_init(&t->t, tid);
	t->tgid = tgid;
	t->slot = -1;
	GROW(r->tasks, r->tasks_alloc, r->ntasks + 1);
	r->tasks[r->ntasks++] = t;
	r->nlive++;
	return t;
}

static void task_gone(struct recorder *r, struct rtask *t)
{
	t->state = RT_DEAD;
	t->t.stop = TS_EXITED;
	end_entered(t);
	scratch_release(t);
	rmm_put(t->mm);
	t->mm = NULL;
	r->nlive--;
	if (r->cur == t)
		r->cur = NULL;
}

/*
 * Collect the stops that are ready (or wait for one if block): each becomes
 * its task's new stop. A stop for a tid we do not know yet is a new child
 * whose parent's clone event has not been seen: it is kept for when it is.
 */
static int collect(struct recorder *r, bool block)
{
	for (;;) {
		pid_t tid;
		int st, err = task_wait_any(block, &tid, &st);
		struct rtask *t;
		if (err == -EAGAIN || err == -ECHILD)
			return 0;
		if (err)
			return err;
		block = false;
		t = find_task(r, tid);
		if (!t) {
			/* A child that stops before its parent's clone event: note it now. */
			t = add_task(r, tid, 0);
			t->new_child = true;
		}
		(void)task_note_status(&t->t, st);
		t->state = RT_NEW_STOP;
	}
}

/* Is a task other than cur ready to be handled or resumed? */
static bool other_ready(struct recorder *r)
{
	for (size_t i = 0; i < r->ntasks; i++) {
		struct rtask *t = r->tasks[i];
		if (t != r->cur && (t->state == RT_STOPPED || t->state == RT_NEW_STOP))
			return true;
	}
	return false;
}

static uint64_t rng_next(struct recorder *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

static uint64_t slice_ns(struct recorder *r)
{
	uint64_t us = r->o->slice_us ? r->o->slice_us : 50000;
	if (r->o->chaos)
		us = 1 + rng_next(r) % (2 * us);
	return us * 1000;
}

/*
 * The next task to run: round robin from after the current one among those
 * stopped (in chaos mode, a random one).
 */
static struct rtask *pick(struct recorder *r)
{
	size_t start = 0, n = r->ntasks;
	for (size_t i = 0; i < n; i++)
		if (r->tasks[i] == r->cur)
			start = i + 1;
	if (r->o->chaos && n)
		start = rng_next(r) % n;
	for (size_t k = 0; k < n; k++) {
		struct rtask *t = r->tasks[(start + k) % n];
		/* (A child whose clone event has not been seen yet waits for it.) */
		if ((t->state == RT_STOPPED || t->state == RT_NEW_STOP) && t->files)
			return t;
	}
	return NULL;
}

/*
 * Switch to another task. If the current one is blocked inside a syscall,
 * announce it (EV_ENTER): replay must bring it to that syscall before the
 * next task runs.
 */
static int switch_to(struct recorder *r, struct rtask *next)
{
	struct rtask *c = r->cur;
	if (c && c != next && c->state == RT_KERNEL && c->sc && !c->entered) {
		new_event(r, EV_ENTER);
		r->ev.regs = c->entry_regs;
		r->ev.nr = c->sc->nr;
		c->entered = true;
		rec_inflight_ranges(&c->t, c->sc, &c->entry_regs, &c->inflight, &c->ninflight);
		if (c->sc->nr == SYS_futex) {
			/* A PI futex that blocks has set the waiters bit in its word already. */
			struct sc_call call = { .nr = SYS_futex, .priv = r, .read = read_mem,
						.out = add_out };
			memcpy(call.args, &(uint64_t[6]){ c->entry_regs.rdi, c->entry_regs.rsi,
							  c->entry_regs.rdx, c->entry_regs.r10,
							  c->entry_regs.r8, c->entry_regs.r9 },
			       sizeof(call.args));
			if (sc_outputs(c->sc, &call, NULL) == 0) {
				fetch_outputs(r);
				r->ev.mem = r->mem;
				r->ev.nmem = (uint32_t)r->nmem;
			}
		}
		int err = write_event(r, &r->ev);
		if (err)
			return err;
	}
	r->cur = next;
	r->want_switch = false;
	r->slice_end_ns = now_ns() + slice_ns(r);
	log_tid = next->t.tid;
	return 0;
}

static int resume_cur(struct recorder *r)
{
	struct rtask *c = r->cur;
	int sig = c->deliver_sig, err;
	bool kernel = c->t.in_syscall || c->t.stop == TS_EXIT_EVENT;
	c->deliver_sig = 0;
	err = task_resume(&c->t, c->frame_next ? TR_SINGLESTEP : TR_SYSCALL, sig);
	if (err == -ESRCH) {
		/* Killed while stopped (another thread's exit_group): its exit stops follow. */
		c->state = RT_KERNEL;
		return 0;
	}
	if (err)
		return error("ptrace failed at event %llu: %s", (unsigned long long)r->num,
			     strerror(-err));
	c->state = kernel ? RT_KERNEL : RT_USER;
	return 0;
}

/* Preempt the current task, computing in user code, with a SIGSTOP of ours. */
static void preempt(struct recorder *r)
{
	struct rtask *c = r->cur;
	if (c->sigstop_sent)
		return;
	c->sigstop_sent = true;
	syscall(SYS_tkill, c->t.tid, SIGSTOP);
}

/* The preemption stop: a state-identified point; another task runs next. */
static int on_preempted(struct recorder *r)
{
	struct user_regs_struct *regs;
	int err;
	r->cur->sigstop_sent = false;
	if (task_regs(&r->cur->t, &regs))
		return 0;
	new_event(r, EV_SCHED);
	r->ev.regs = *regs;
	err = rec_settle_point(r, &regs);
	if (!err)
		err = point_digest(r, regs->rsp, &r->ev.digest);
	if (err)
		return error("cannot read the program's memory at event %llu: %s",
			     (unsigned long long)r->num + 1, strerror(-err));
	r->want_switch = true;
	return write_event(r, &r->ev);
}

/*
 * Our preemption SIGSTOP raced with a syscall entry: left pending, it would
 * interrupt the syscall. Skip the syscall (orig_rax -1), take the SIGSTOP on
 * the way out, and put the registers back so the syscall instruction runs
 * again: nothing the program can see.
 */
static int cancel_sigstop(struct recorder *r)
{
	struct rtask *c = r->cur;
	struct user_regs_struct *regs, saved;
	int err = task_regs(&c->t, &regs);
	if (err)
		return err;
	saved = *regs;
	regs->orig_rax = (uint64_t)-1;
	task_set_regs(&c->t, regs);
	err = task_step(&c->t, TR_SYSCALL, 0);
	while (!err && !(c->t.stop == TS_SIGNAL && c->t.sig == SIGSTOP)) {
		if (c->t.stop == TS_EXITED || c->t.stop == TS_EXIT_EVENT)
			return -ESRCH;
		if (c->t.stop == TS_SIGNAL) {
			/*
			 * Another signal came first: it is delivered here, before the
			 * syscall instruction, which runs again after it (our SIGSTOP
			 * stays pending for later).
			 */
			saved.rip -= 2;
			saved.rax = saved.orig_rax;
			task_set_regs(&c->t, &saved);
			return -EPROTO;
		}
		err = task_step(&c->t, TR_SYSCALL, 0);
	}
	if (err)
		return err;
	c->sigstop_sent = false;
	saved.rip -= 2;
	saved.rax = saved.orig_rax;
	task_set_regs(&c->t, &saved);
	/* From the signal stop, resuming re-enters the syscall: its entry stop comes next. */
	err = task_step(&c->t, TR_SYSCALL, 0);
	if (!err && c->t.stop != TS_SYSCALL_ENTRY)
		return -EPROTO;
	return err;
}

/* A clone/fork/vfork made a task: announce it (EV_CLONE) and start tracking it. */
static int on_clone_event(struct recorder *r)
{
	struct rtask *c = r->cur, *child;
	pid_t tid = (pid_t)c->t.event_msg;
	uint64_t flags = 0;
	if (!c->sc)
		return 0;
	if (c->sc->nr == SYS_clone)
		flags = c->entry_regs.rdi;
	else if (c->sc->nr == SYS_vfork)
		flags = CLONE_VM | CLONE_VFORK;
	new_event(r, EV_CLONE);
	r->ev.regs = c->entry_regs;
	r->ev.nr = c->sc->nr;
	r->ev.ret = tid;
	c->entered = true;
	child = find_task(r, tid);
	if (!child) {
		child = add_task(r, tid, 0);
		child->new_child = true;
		child->state = RT_KERNEL; /* its first stop is on its way */
	}
	child->tgid = (flags & CLONE_THREAD) ? c->tgid : tid;
	rmm_put(child->mm);
	if (flags & CLONE_VM) {
		child->mm = c->mm;
		child->mm->refs++;
	} else {
		child->mm = rmm_new(c->mm);
	}
	if (flags & CLONE_FILES) {
		child->files = c->files;
		child->files->refs++;
	} else {
		child->files = files_new(c->files);
	}
	child->t.syscall_insn = c->t.syscall_insn;
	return write_event(r, &r->ev);
}

/* The task is gone: its EV_EXIT, and the end of the recording if it was the last that counts. */
static int on_exited(struct recorder *r)
{
	struct rtask *c = r->cur;
	bool first = c->t.tid == r->first_tgid;
	new_event(r, EV_EXIT);
	r->ev.wait_status = c->t.exit_status;
	if (first) {
		r->end_status = c->t.exit_status;
		r->ended = true;
	}
	task_gone(r, c);
	r->cur = c; /* write_event names it */
	if (r->nlive == 0 || (first && !r->o->wait_all))
		r->ev.flags |= EVF_END;
	int err = write_event(r, &r->ev);
	r->cur = NULL;
	return err;
}

static int handle_stop(struct recorder *r);

/*
 * At the exec stop of c (cur): the other threads of its process, but
 * leader (c itself when the leader exec'd), are gone; their EV_EXITs go
 * first (replay must reap them before its exec can finish).
 */
static int finish_exec_siblings(struct recorder *r, struct rtask *c, struct rtask *leader)
{
	int err;
	for (size_t i = 0; i < r->ntasks; i++) {
		struct rtask *t = r->tasks[i];
		if (t == c || t == leader || t->tgid != c->tgid)
			continue;
		while (t->state != RT_DEAD) {
			r->cur = t;
			if (t->state == RT_NEW_STOP) {
				err = handle_stop(r);
			} else if (t->state == RT_STOPPED) {
				err = resume_cur(r);
			} else {
				err = task_wait(&t->t);
				if (err)
					return error("thread %d did not exit with the exec of thread "
						     "%d: %s", (int)t->t.tid, (int)c->t.tid,
						     strerror(-err));
				t->state = RT_NEW_STOP;
			}
			if (err)
				return err;
		}
	}
	r->cur = c;
	log_tid = c->t.tid;
	return 0;
}

/*
 * The exec stop of a thread other than the leader, reported under the
 * leader's tid (cur, which stood in its exit stop). After the other
 * threads' EV_EXITs comes the leader's, with EVF_REPLACED, and the thread
 * that called execve goes on under the leader's tid.
 */
static int on_exec_takeover(struct recorder *r)
{
	struct rtask *leader = r->cur, *c = find_task(r, (pid_t)leader->t.event_msg);
	int err;

	if (!c || c == leader || c->tgid != leader->tgid || !c->sc || c->sc->replay != SC_EXECVE)
		return error("exec stop of thread %d under pid %d, which the recording cannot "
			     "explain (event %llu)", (int)leader->t.event_msg, (int)leader->t.tid,
			     (unsigned long long)r->num + 1);
	err = finish_exec_siblings(r, c, leader);
	if (err)
		return err;
	r->cur = leader;
	log_tid = leader->t.tid;
	new_event(r, EV_EXIT);
	r->ev.flags = EVF_REPLACED;
	err = write_event(r, &r->ev);
	task_gone(r, leader);
	if (err)
		return err;
	task_retid(&c->t, leader->t.tid);
	c->t.stop = TS_EXEC;
	c->t.in_syscall = true;
	c->t.event_msg = 0;
	c->state = RT_STOPPED; /* resumed, it reaches the execve's exit stop */
	r->cur = c;
	return 0;
}

/* Handle the current task's new stop. */
static int handle_stop(struct recorder *r)
{
	struct rtask *c = r->cur;
	int err = 0;

	c->state = RT_STOPPED;
	if (c->frame_next) {
		c->frame_next = false;
		err = record_frame(r);
		if (err <= 0)
			return err;
		err = 0;
	}
	if (c->new_child && c->t.stop == TS_SIGNAL && c->t.sig == SIGSTOP) {
		struct user_regs_struct *regs;
		c->new_child = false;
		if (task_regs(&c->t, &regs) == 0) {
			c->boundary_regs = *regs;
			c->boundary_valid = true;
		}
		return 0;
	}
	switch (c->t.stop) {
	case TS_SYSCALL_ENTRY:
		if (c->sigstop_sent) {
			err = cancel_sigstop(r);
			if (err == -ESRCH)
				return 0;
			if (err == -EPROTO) {
				c->state = RT_NEW_STOP;
				return 0;
			}
			if (err)
				return error("ptrace failed at event %llu: %s",
					     (unsigned long long)r->num, strerror(-err));
		}
		err = on_syscall_entry(r);
		break;
	case TS_SYSCALL_EXIT:
		err = on_syscall_exit(r);
		break;
	case TS_CLONE_EVENT:
		err = on_clone_event(r);
		break;
	case TS_SIGNAL:
		if (c->sigstop_sent && c->t.sig == SIGSTOP)
			err = on_preempted(r);
		else
			err = on_signal(r);
		break;
	case TS_EXIT_EVENT:
		err = on_exit_event(r);
		break;
	case TS_EXITED:
		err = on_exited(r);
		break;
	case TS_EXEC:
		/* Then on to the execve's exit stop: EV_SYSCALL, EV_EXEC. */
		if (c->t.event_msg && (pid_t)c->t.event_msg != c->t.tid)
			err = on_exec_takeover(r);
		else if (c->entered)
			err = finish_exec_siblings(r, c, c); /* the leader's exec killed them */
		break;
	default:
		break;
	}
	return err;
}

/*
 * Wait for a stop of any task for at most us microseconds (forever if 0).
 * Events the program made stay in memory only while it runs: if it blocks
 * for 100 ms, they are flushed.
 */
static int wait_some(struct recorder *r, uint64_t us)
{
	uint64_t waited = 0;
	int err = collect(r, false);
	if (err)
		return err;
	if (r->cur ? r->cur->state == RT_NEW_STOP : pick(r) != NULL)
		return 0;
	for (;;) {
		uint64_t step = us ? us - waited : 100000;
		bool pending = trace_writer_pending(r->w);
		if (!us && !pending)
			return collect(r, true);
		if (task_wait_ready_us(step) == 0)
			return collect(r, false);
		err = collect(r, false);
		if (err)
			return err;
		waited += step;
		if (pending && now_ns() - r->last_write_ns >= 100000000ull)
			(void)trace_writer_flush(r->w);
		if (us && waited >= us)
			return 0;
		if (other_ready(r) || (r->cur && r->cur->state == RT_NEW_STOP))
			return 0;
	}
}

/*
 * Can the task's syscall be left blocked while others run? Not one that
 * replay runs for real (execve, the mmap family...): those never wait for
 * another task, and replay must run them where the recording saw them
 * start (a vfork parent may unmap the exec's arguments right after).
 */
static bool may_block(const struct rtask *c)
{
	if (!c->sc || c->entered)
		return true;
	switch (c->sc->replay) {
	case SC_EMU:
	case SC_CLONE:
		return true;
	default:
		return false;
	}
}

/*
 * A successful execve kills the other threads of its process first and
 * waits until they are gone (their exit stops must be resumed); from a
 * thread other than the leader, it then takes over the leader's tid. Is
 * c's execve waiting so: does a thread of its process stand in its exit
 * stop, or (the leader, gone before) in the exec stop?
 */
static bool exec_kills_siblings(struct recorder *r, const struct rtask *c)
{
	if (!c->sc || c->sc->replay != SC_EXECVE)
		return false;
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct rtask *t = r->tasks[i];
		if (t != c && t->tgid == c->tgid && t->state == RT_NEW_STOP &&
		    (t->t.stop == TS_EXIT_EVENT || t->t.stop == TS_EXEC))
			return true;
	}
	return false;
}

static int record_loop(struct recorder *r)
{
	for (;;) {
		struct rtask *c = r->cur;
		int err;

		if (r->ended && !r->o->wait_all)
			return 0;
		if (r->nlive == 0)
			return 0;
		if (c && c->state == RT_NEW_STOP) {
			err = handle_stop(r);
			if (err)
				return err;
			continue;
		}
		if (c && c->state == RT_STOPPED && !(r->want_switch && other_ready(r))) {
			r->want_switch = false;
			err = resume_cur(r);
			if (err)
				return err;
			continue;
		}
		if (c && c->state == RT_KERNEL) {
			/* A short syscall is back before 200 us; a blocked one sleeps. */
			err = wait_some(r, other_ready(r) ? 200 : 0);
			if (err)
				return err;
			/* Its EV_ENTER goes first: replay starts the exec, which kills them. */
			if (c->state == RT_KERNEL && exec_kills_siblings(r, c))
				goto next;
			if (c->state == RT_KERNEL && other_ready(r) && may_block(c) &&
			    task_sleeping(&c->t))
				goto next;
			continue;
		}
		if (c && c->state == RT_USER) {
			uint64_t now = now_ns();
			if (now >= r->slice_end_ns) {
				if (other_ready(r)) {
					preempt(r);
					err = wait_some(r, 0);
				} else {
					r->slice_end_ns = now + slice_ns(r);
					err = 0;
				}
			} else {
				err = wait_some(r, (r->slice_end_ns - now) / 1000 + 1);
			}
			if (err)
				return err;
			continue;
		}
next:
		c = pick(r);
		if (!c) {
			err = wait_some(r, 0);
			if (err)
				return err;
			continue;
		}
		err = switch_to(r, c);
		if (err)
			return err;
	}
}

static void recorder_release(struct recorder *r)
{
	rec_maps_reset(r);
	free(r->map_strs);
	free(r->maps);
	free(r->map_off);
	buf_release(&r->mapbuf);
	free(r->mem);
	free(r->mem_off);
	buf_release(&r->membuf);
	struct task **ts = xcalloc(r->ntasks + 1, sizeof(*ts));
	size_t nts = 0;
	for (size_t i = 0; i < r->ntasks; i++)
		if (r->tasks[i]->state != RT_DEAD)
			ts[nts++] = &r->tasks[i]->t;
	task_kill_all(ts, nts);
	free(ts);
	for (size_t i = r->ntasks; i-- > 0;) {
		struct rtask *t = r->tasks[i];
		task_release(&t->t);
		files_put(t->files);
		end_entered(t);
		rmm_put(t->mm);
		free(t);
	}
	free(r->tasks);
}

int rec_run(const struct rec_opts *o, struct rec_result *res)
{
	struct recorder r = { .o = o };
	struct trace_header h;
	struct task_spawn_opts so = { .path = o->exe, .argv = o->argv, .envp = o->envp,
				      .trap_tsc = true };
	struct rtask *first;
	int err, ret = -1, cpu = -1;

	memset(res, 0, sizeof(*res));
	r.rng = now_ns() | 1;
	/* SIGCHLD is waited for with a deadline (task_wait_ready). */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	err = task_pin_cpu(-1, &cpu);
	if (err)
		warning("cannot pin to one CPU: %s", strerror(-err));
	first = add_task(&r, 0, 0);
	first->files = files_new(NULL);
	err = task_spawn(&first->t, &so);
	if (err) {
		r.nlive = 0;
		first->state = RT_DEAD;
		recorder_release(&r);
		return error("cannot run '%s': %s", o->exe, strerror(-err));
	}
	first->tgid = r.first_tgid = first->t.tid;
	first->mm = rmm_new(NULL);
	r.cur = first;
	log_tid = first->t.tid;
	bug_rec = &r;
	bug_context = rec_bug_context;
	fill_header(&h, o, first->t.tid, cpu);
	err = trace_writer_open(o->trace_dir, &h, &r.w);
	free(h.cwd);
	free(h.host);
	free(h.kernel);
	if (err) {
		error("cannot create the trace '%s': %s", o->trace_dir, strerror(-err));
		goto out;
	}
	/* Finish the initial execve, then save the new address space. */
	err = task_step(&first->t, TR_SYSCALL, 0);
	if (err || first->t.stop != TS_SYSCALL_EXIT) {
		error("'%s' did not start under ptrace", o->exe);
		goto out;
	}
	if (record_exec(&r))
		goto out;
	first->state = RT_STOPPED;
	r.slice_end_ns = now_ns() + slice_ns(&r);
	if (record_loop(&r))
		goto out;
	if (!r.ended) {
		error("the recorded program vanished at event %llu", (unsigned long long)r.num);
		goto out;
	}
	res->wait_status = r.end_status;
	res->ended = true;
	ret = 0;
out:
	res->events = r.num;
	if (r.w) {
		res->trace_bytes = trace_writer_bytes(r.w);
		err = trace_writer_close(r.w);
		if (err && !ret)
			ret = error("cannot write the trace in '%s': %s", o->trace_dir,
				    strerror(-err));
	}
	bug_context = NULL;
	bug_rec = NULL;
	recorder_release(&r);
	return ret;
}
