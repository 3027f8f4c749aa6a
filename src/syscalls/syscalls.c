/* SPDX-License-Identifier: MIT */
/*
 * syscalls.c: builds sc_table[] from syscall_table.def and interprets its
 * effects. sc_outputs() is generic: each effect of a row turns into ranges
 * reported through call->out; rows marked HOOK hand over to their hook in
 * hooks_*.c. Also the helpers those hooks share (syscalls_int.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <time.h>

#include "syscalls/syscalls_int.h"

/* The effect vocabulary of syscall_table.def (documented there). */
#define NONE { .kind = E_NONE }
#define OUT(a_, size_) { .kind = E_OUT, .a = (a_), .n = (size_) }
#define OUT_RET(a_, len_) { .kind = E_OUT_RET, .a = (a_), .b = (len_) }
#define OUT_ARG(a_, len_) { .kind = E_OUT_ARG, .a = (a_), .b = (len_) }
#define OUT_ARG_RET(a_, len_) { .kind = E_OUT_ARG, .a = (a_), .b = (len_), .c = E_CAP_RET }
#define OUT_ARGN(a_, cnt_, size_) { .kind = E_OUT_ARGN, .a = (a_), .b = (cnt_), .n = (size_) }
#define OUT_ARGN_RET(a_, cnt_, size_)                                                          \
	{ .kind = E_OUT_ARGN, .a = (a_), .b = (cnt_), .n = (size_), .c = E_CAP_RET }
#define OUT_PLEN(a_, lenp_) { .kind = E_OUT_PLEN, .a = (a_), .b = (lenp_) }
#define IOV_RET(a_, cnt_) { .kind = E_IOV_RET, .a = (a_), .b = (cnt_) }
#define IOV_ALL(a_, cnt_) { .kind = E_IOV_ALL, .a = (a_), .b = (cnt_) }
#define HOOK { .kind = E_HOOK }

#define SC_EFFECTS(...) __VA_ARGS__
/*
 * Two rows with one number are an error (-Woverride-init, in -Wextra), and
 * so is a number >= SC_MAX_NR (array index out of bounds).
 */
#define SC(nr_, name_, nargs_, replay_, flags_, effects_, hook_)                               \
	[nr_] = {                                                                              \
		.name = #name_,                                                                \
		.nr = (nr_),                                                                   \
		.nargs = (nargs_),                                                             \
		.replay = SC_##replay_,                                                        \
		.flags = (flags_),                                                             \
		.eff = { SC_EFFECTS effects_ },                                                \
		.hook = (hook_),                                                               \
	},

static const struct sc_desc sc_table[SC_MAX_NR] = {
#include "syscalls/syscall_table.def"
};

#undef SC
#undef SC_EFFECTS
#undef NONE
#undef OUT
#undef OUT_RET
#undef OUT_ARG
#undef OUT_ARG_RET
#undef OUT_ARGN
#undef OUT_ARGN_RET
#undef OUT_PLEN
#undef IOV_RET
#undef IOV_ALL
#undef HOOK

const struct sc_desc *sc_lookup(long nr)
{
	if (nr < 0 || nr >= SC_MAX_NR || !sc_table[nr].name)
		return NULL;
	return &sc_table[nr];
}

const char *sc_name(long nr)
{
	static char buf[32];
	const struct sc_desc *d = sc_lookup(nr);

	if (d)
		return d->name;
	snprintf(buf, sizeof(buf), "syscall_%ld", nr);
	return buf;
}

int sc_report(struct sc_call *call, uint64_t addr, uint64_t len)
{
	if (!addr || !len || addr >= SC_USER_END)
		return 0;
	return call->out(call, addr, MIN(len, SC_USER_END - addr));
}

int sc_read(struct sc_call *call, uint64_t addr, void *dst, size_t len)
{
	int err = call->read(call, addr, dst, len);

	if (err && err != -ESRCH && call->ret < 0)
		return 1;
	return err;
}

int sc_report_iov(struct sc_call *call, uint64_t iov, uint64_t cnt, uint64_t limit)
{
	struct sc_kiovec v[32];
	uint64_t i = 0;
	int err;

	if (!iov)
		return 0;
	cnt = MIN(cnt, SC_IOV_MAX);
	while (i < cnt && limit) {
		size_t n = MIN(cnt - i, ARRAY_SIZE(v));

		err = sc_read(call, iov + i * sizeof(v[0]), v, n * sizeof(v[0]));
		if (err)
			return err < 0 ? err : 0;
		for (size_t j = 0; j < n && limit; j++) {
			uint64_t len = MIN(v[j].len, limit);

			err = sc_report(call, v[j].base, len);
			if (err)
				return err;
			limit -= len;
		}
		i += n;
	}
	return 0;
}

int sc_unsupported(const char **ret_what, const char *fmt, ...)
{
	static char buf[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (ret_what)
		*ret_what = buf;
	return -ENOTSUP;
}

/* A byte or element count from an argument, capped at the result if the effect says so. */
static uint64_t effect_count(const struct sc_effect *e, const struct sc_call *call)
{
	uint64_t cnt = call->args[e->b];

	if (e->c & E_CAP_RET)
		cnt = call->ret < 0 ? 0 : MIN(cnt, (uint64_t)call->ret);
	return cnt;
}

/* *(int *)lenp bytes at ptr (the length after the call), and the length itself. */
static int report_plen(struct sc_call *call, uint64_t ptr, uint64_t lenp)
{
	int32_t len;
	int err;

	/* The kernel touches *lenp only when there is a buffer to fill. */
	if (!ptr || !lenp)
		return 0;
	err = sc_read(call, lenp, &len, sizeof(len));
	if (err)
		return err < 0 ? err : 0;
	err = sc_report(call, lenp, sizeof(len));
	if (err || len <= 0)
		return err;
	return sc_report(call, ptr, (uint64_t)len);
}

static int report_effect(const struct sc_desc *d, const struct sc_effect *e,
			 struct sc_call *call, const char **ret_what)
{
	uint64_t ptr = call->args[e->a];
	uint64_t n;

	switch (e->kind) {
	case E_NONE:
		return 0;
	case E_OUT:
		return sc_report(call, ptr, e->n);
	case E_OUT_RET:
		n = MIN((uint64_t)call->ret, call->args[e->b]);
		return call->ret > 0 ? sc_report(call, ptr, n) : 0;
	case E_OUT_ARG:
		n = effect_count(e, call);
		return sc_report(call, ptr, (e->c & E_CAP_RET) ? n : MIN(n, SC_ARG_LEN_MAX));
	case E_OUT_ARGN:
		if (__builtin_mul_overflow(effect_count(e, call), (uint64_t)e->n, &n))
			n = UINT64_MAX;
		return sc_report(call, ptr, (e->c & E_CAP_RET) ? n : MIN(n, SC_ARG_LEN_MAX));
	case E_OUT_PLEN:
		return report_plen(call, ptr, call->args[e->b]);
	case E_IOV_RET:
		if (call->ret <= 0)
			return 0;
		return sc_report_iov(call, ptr, call->args[e->b], (uint64_t)call->ret);
	case E_IOV_ALL:
		return sc_report_iov(call, ptr, call->args[e->b], UINT64_MAX);
	case E_HOOK:
		BUG_ON(!d->hook);
		return d->hook(call, ret_what);
	}
	BUG();
}

int sc_outputs(const struct sc_desc *d, struct sc_call *call, const char **ret_what)
{
	BUG_ON(!d || !call);
	if (d->replay == SC_UNSUPPORTED)
		return sc_unsupported(ret_what, "%s", d->name);
	for (size_t i = 0; i < SC_MAX_EFFECTS; i++) {
		int err = report_effect(d, &d->eff[i], call, ret_what);

		if (err) {
			dbg(LM_SC, "%s: outputs: %d", d->name, err);
			return err;
		}
	}
	return 0;
}

int sc_inflight_outputs(const struct sc_desc *d, struct sc_call *call)
{
	BUG_ON(!d || !call);
	if (d->replay != SC_EMU)
		return 0;
	/* A result as large as a call may report: every "up to the result" becomes the whole. */
	call->ret = (int64_t)SC_ARG_LEN_MAX;
	return sc_outputs(d, call, NULL);
}

void sc_stdio_init(struct sc_stdio *s)
{
	memset(s, 0, sizeof(*s));
	s->of[1] = 1;
	s->of[2] = 2;
}

void sc_stdio_update(struct sc_stdio *s, const struct sc_desc *d, const uint64_t args[6],
		     int64_t ret, const int *newfds)
{
	bool dup;
	if (ret < 0)
		return;
	if (d->flags & SC_CLOSES_FD) {
		if (args[0] < SC_STDIO_FDS)
			s->of[args[0]] = 0;
		return;
	}
	if (d->nr == SYS_close_range) {
		for (uint64_t fd = args[0]; fd <= args[1] && fd < SC_STDIO_FDS; fd++)
			s->of[fd] = 0;
		return;
	}
	dup = (d->flags & SC_DUPS_FD) ||
	      (d->nr == SYS_fcntl && (args[1] == F_DUPFD || args[1] == F_DUPFD_CLOEXEC));
	if ((dup || (d->flags & SC_RET_FD)) && ret < SC_STDIO_FDS)
		s->of[ret] = dup && args[0] < SC_STDIO_FDS ? s->of[args[0]] : 0;
	for (int k = 0; newfds && k < 2; k++)
		if (newfds[k] >= 0 && newfds[k] < SC_STDIO_FDS)
			s->of[newfds[k]] = 0;
}
