// SPDX-License-Identifier: MIT
/*
 * gdbserver: command semantics of the GDB remote protocol over a replay
 * session (see gdbserver.h). Packet framing is rsp.c, registers regs.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "gdbserver/gdb_int.h"
#include "gdbserver/gdbserver.h"
#include "task/task.h"
#include "timeline/timeline.h"
#include "trace/trace.h"

/* Conditions gdb attached to a breakpoint address (any true: stop). */
struct bp_cond {
	uint64_t addr;
	struct buf code[4]; /* up to 4 expressions */
	int n;
	bool hw_as_trap;    /* the Z1 here went in as a software breakpoint with a trap */
};

struct server {
	const struct gdb_opts *o;
	struct bp_cond *conds;
	size_t nconds, conds_alloc;
	struct rsp rsp;
	struct timeline *tl;   /* NULL after 'k' until vRun */
	struct rep_session *s; /* tl's current session */
	struct rep_stop last;
	bool at_begin;         /* the last stop is the start of the recording */
	bool avx;
	struct buf out;
};

/* Linux signal numbers to gdb's (enum gdb_signal). */
static int gdb_signo(int sig)
{
	static const unsigned char map[32] = {
		[1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 5, [6] = 6, [7] = 10, [8] = 8,
		[9] = 9, [10] = 30, [11] = 11, [12] = 31, [13] = 13, [14] = 14, [15] = 15,
		[16] = 143, [17] = 20, [18] = 19, [19] = 17, [20] = 18, [21] = 21, [22] = 22,
		[23] = 16, [24] = 24, [25] = 25, [26] = 26, [27] = 27, [28] = 28, [29] = 23,
		[30] = 32, [31] = 12,
	};
	if (sig > 0 && sig < 32)
		return map[sig];
	if (sig == 32)
		return 77;
	if (sig > 32 && sig < 64)
		return 45 + (sig - 33);
	return 143;
}

static int linux_signo(int gsig)
{
	for (int sig = 1; sig < 64; sig++)
		if (gdb_signo(sig) == gsig)
			return sig;
	return 0;
}

#define MAX_THREADS 256

/* The debugged process's live threads; at least the one that stopped. */
static size_t thread_ids(struct server *sv, int32_t tids[MAX_THREADS])
{
	size_t n = rep_threads(sv->s, tids, MAX_THREADS);
	if (!n)
		tids[n++] = rep_recorded_tid(sv->s);
	return n;
}

static int reply(struct server *sv, const char *s)
{
	return rsp_send_str(&sv->rsp, s);
}

static int reply_buf(struct server *sv)
{
	return rsp_send(&sv->rsp, sv->out.data, sv->out.len);
}

static int get_regs(struct server *sv, struct gdb_regs *g)
{
	memset(g, 0, sizeof(*g));
	if (rep_regs(sv->s, &g->gpr))
		return -ESRCH;
	if (rep_fpregs(sv->s, &g->fp, g->ymmh, &g->have_avx))
		return -ESRCH;
	g->have_avx = sv->avx;
	return 0;
}

static void stop_reply(struct server *sv, struct buf *b)
{
	const struct rep_stop *st = &sv->last;
	struct gdb_regs g;
	int sig = 5;

	buf_reset(b);
	if (!sv->s) {
		buf_printf(b, "W00");
		return;
	}
	if (st->kind == RSTOP_EXITED) {
		if (WIFSIGNALED(st->status))
			buf_printf(b, "X%02x", gdb_signo(WTERMSIG(st->status)));
		else
			buf_printf(b, "W%02x", WEXITSTATUS(st->status));
		return;
	}
	if (st->kind == RSTOP_EXEC) {
		/* gdb loads the program (its symbols) and sets its breakpoints again. */
		char *exe = rep_exe_path(sv->s);
		buf_printf(b, "T05exec:");
		rsp_hex(b, exe, strlen(exe));
		buf_printf(b, ";thread:%x;", (unsigned)rep_recorded_tid(sv->s));
		free(exe);
		return;
	}
	if (st->kind == RSTOP_SIGNAL)
		sig = gdb_signo(st->sig);
	else if (st->kind == RSTOP_INTERRUPT)
		sig = 2;
	buf_printf(b, "T%02xthread:%x;", sig, (unsigned)rep_recorded_tid(sv->s));
	if (get_regs(sv, &g) == 0)
		gdb_expedite(&g, b);
	switch (st->kind) {
	case RSTOP_BREAKPOINT:
		buf_printf(b, "swbreak:;");
		break;
	case RSTOP_HWBREAK:
		buf_printf(b, "hwbreak:;");
		break;
	case RSTOP_WATCH:
		buf_printf(b, "%s:%" PRIx64 ";",
			   st->watch_kind == RBP_WRITE ? "watch" :
			   st->watch_kind == RBP_READ ? "rwatch" : "awatch", st->addr);
		break;
	case RSTOP_END:
		buf_printf(b, "replaylog:end;");
		break;
	default:
		if (sv->at_begin)
			buf_printf(b, "replaylog:begin;");
		break;
	}
}

static int send_stop(struct server *sv)
{
	stop_reply(sv, &sv->out);
	return reply_buf(sv);
}

static bool poll_interrupt(void *arg)
{
	struct server *sv = arg;
	if (rsp_poll_interrupt(&sv->rsp) || sv->rsp.interrupted) {
		sv->rsp.interrupted = false;
		return true;
	}
	return false;
}

static bool cond_true(void *arg, struct rep_session *s, uint64_t addr);
static void drop_conds(struct server *sv);

/* After an exec stop: the breakpoints went with the old program (gdb sets them again). */
static void after_stop(struct server *sv)
{
	if (sv->last.kind == RSTOP_EXEC)
		drop_conds(sv);
}

static void close_session(struct server *sv)
{
	tl_close(sv->tl);
	sv->tl = NULL;
	sv->s = NULL;
}

static int open_session(struct server *sv)
{
	struct rep_stop st;
	if (tl_open(&sv->o->replay, &sv->tl))
		return -1;
	tl_set_condition(sv->tl, cond_true, sv);
	sv->s = tl_session(sv->tl);
	memset(&sv->last, 0, sizeof(sv->last));
	sv->at_begin = false;
	if (sv->o->start_event > 1) {
		if (tl_resume(sv->tl, false, sv->o->start_event, NULL, NULL, &st))
			return -1;
		sv->last = st;
	}
	return 0;
}

static int do_resume(struct server *sv, bool step)
{
	struct rep_stop st;
	if (!sv->s)
		return reply(sv, "W00");
	tl_set_exec_stops(sv->tl, true);
	if (tl_resume(sv->tl, step, 0, poll_interrupt, sv, &st))
		return -1;
	sv->last = st;
	sv->at_begin = false;
	after_stop(sv);
	return send_stop(sv);
}

static int do_reverse(struct server *sv, bool step)
{
	struct rep_stop st;
	bool begin = false;
	int err;
	if (!sv->s)
		return reply(sv, "W00");
	tl_set_exec_stops(sv->tl, true);
	err = step ? tl_reverse_step(sv->tl, &st, &begin) : tl_reverse_continue(sv->tl, &st, &begin);
	sv->s = tl_session(sv->tl);
	if (err)
		return -1;
	sv->last = st;
	sv->at_begin = begin;
	after_stop(sv);
	return send_stop(sv);
}

/* qXfer:OBJECT:read:ANNEX:OFF,LEN */
static int do_xfer(struct server *sv, const char *p)
{
	char object[32], annex[256] = "";
	unsigned long long off, len;
	const char *rest;
	if (sscanf(p, "qXfer:%31[^:]:read:", object) != 1)
		return reply(sv, "");
	rest = strstr(p, ":read:") + 6;
	const char *colon = strchr(rest, ':');
	if (!colon)
		return reply(sv, "E00");
	snprintf(annex, sizeof(annex), "%.*s", (int)(colon - rest), rest);
	if (sscanf(colon + 1, "%llx,%llx", &off, &len) != 2)
		return reply(sv, "E00");
	if (!strcmp(object, "features")) {
		const char *xml = gdb_target_xml(sv->avx);
		if (strcmp(annex, "target.xml"))
			return reply(sv, "E00");
		return rsp_send_xfer(&sv->rsp, xml, strlen(xml), off, len);
	}
	if (!sv->s)
		return reply(sv, "E01");
	if (!strcmp(object, "auxv")) {
		size_t n;
		const void *a = rep_auxv(sv->s, &n);
		return rsp_send_xfer(&sv->rsp, a, n, off, len);
	}
	if (!strcmp(object, "exec-file")) {
		char *exe = rep_exe_path(sv->s);
		int err = rsp_send_xfer(&sv->rsp, exe, strlen(exe), off, len);
		free(exe);
		return err;
	}
	if (!strcmp(object, "threads")) {
		struct buf b = BUF_INIT;
		const struct trace_header *h = rep_header(sv->s);
		const char *name = h->argc ? strrchr(h->argv[0], '/') : NULL;
		name = name ? name + 1 : h->argc ? h->argv[0] : "?";
		int32_t tids[MAX_THREADS];
		size_t nt = thread_ids(sv, tids);
		buf_printf(&b, "<?xml version=\"1.0\"?>\n<threads>\n");
		for (size_t i = 0; i < nt; i++)
			buf_printf(&b, "<thread id=\"%x\" core=\"0\" name=\"%.15s\"/>\n",
				   (unsigned)tids[i], name);
		buf_printf(&b, "</threads>\n");
		int err = rsp_send_xfer(&sv->rsp, b.data, b.len, off, len);
		buf_release(&b);
		return err;
	}
	return reply(sv, "");
}

static int send_console(struct server *sv, const char *text)
{
	buf_reset(&sv->out);
	buf_put_u8(&sv->out, 'O');
	rsp_hex(&sv->out, text, strlen(text));
	return reply_buf(sv);
}

static int do_monitor(struct server *sv, const char *hex)
{
	size_t n = strlen(hex) / 2;
	char *cmd = xcalloc(1, n + 1), text[256];
	int err;
	if (!rsp_unhex(hex, n, cmd)) {
		free(cmd);
		return reply(sv, "E00");
	}
	if (!strcmp(cmd, "checkpoint") && sv->tl) {
		int id, e = tl_user_checkpoint(sv->tl, &id);
		if (e)
			snprintf(text, sizeof(text), "cannot take a checkpoint here: %s\n",
				 e == -EAGAIN  ? "a signal is being delivered" :
				 e == -ENOTSUP ? "several threads or processes live" :
						 strerror(-e));
		else
			snprintf(text, sizeof(text), "Checkpoint %d at event %llu (go back with "
				 "'run c%d').\n", id, (unsigned long long)rep_current_event(sv->s), id);
		err = send_console(sv, text);
	} else if (!strcmp(cmd, "checkpoints") && sv->tl) {
		struct buf b = BUF_INIT;
		tl_user_checkpoints(sv->tl, &b);
		err = send_console(sv, buf_cstr(&b));
		buf_release(&b);
	} else if (!strncmp(cmd, "delete ", 7) && sv->tl) {
		int id = (int)strtol(cmd + 7, NULL, 10);
		snprintf(text, sizeof(text), tl_user_delete(sv->tl, id) ? "No checkpoint %d.\n" :
					     "Deleted checkpoint %d.\n", id);
		err = send_console(sv, text);
	} else if (!strcmp(cmd, "stats") && sv->tl) {
		size_t na, nu;
		uint64_t kb;
		tl_stats(sv->tl, &na, &nu, &kb);
		snprintf(text, sizeof(text), "Checkpoints: %zu automatic, %zu yours; memory %.1f MiB "
			 "(PSS).\n", na, nu, (double)kb / 1024.0);
		err = send_console(sv, text);
	} else if (!strcmp(cmd, "when")) {
		snprintf(text, sizeof(text), "Current event: %llu\n",
			 sv->s ? (unsigned long long)rep_current_event(sv->s) : 0ull);
		err = send_console(sv, text);
	} else if (!strcmp(cmd, "help") || !*cmd) {
		err = send_console(sv, "rewind monitor commands:\n"
				       "  when          print the current event number\n"
				       "  checkpoint    save the current position as checkpoint N\n"
				       "  checkpoints   list the checkpoints\n"
				       "  delete N      delete checkpoint N\n"
				       "  stats         checkpoint count and memory\n"
				       "gdb's 'run cN' goes back to checkpoint N, 'run N' to event N,\n"
				       "'run' to the start.\n");
	} else {
		snprintf(text, sizeof(text), "unknown monitor command '%.64s' (try 'monitor help')\n",
			 cmd);
		err = send_console(sv, text);
	}
	free(cmd);
	return err ? err : reply(sv, "OK");
}

static struct bp_cond *find_cond(struct server *sv, uint64_t addr)
{
	for (size_t i = 0; i < sv->nconds; i++)
		if (sv->conds[i].addr == addr)
			return &sv->conds[i];
	return NULL;
}

static void drop_cond(struct server *sv, uint64_t addr)
{
	struct bp_cond *c = find_cond(sv, addr);
	if (!c)
		return;
	for (int i = 0; i < 4; i++)
		buf_release(&c->code[i]);
	*c = sv->conds[--sv->nconds];
}

static void drop_conds(struct server *sv)
{
	while (sv->nconds)
		drop_cond(sv, sv->conds[0].addr);
}

/* ";X<len>,<hex>" conditions after Z0/Z1: 0, or -EINVAL for one we cannot run. */
static int parse_conds(struct server *sv, uint64_t addr, const char *p)
{
	struct bp_cond c = { .addr = addr };
	for (p = strstr(p, ";X"); p; p = strstr(p + 1, ";X")) {
		unsigned long len;
		char *end;
		len = strtoul(p + 2, &end, 16);
		if (*end != ',' || len == 0 || len > 4096 || c.n == 4 || strlen(end + 1) < 2 * len)
			goto bad;
		void *dst = buf_append_space(&c.code[c.n], len);
		if (!rsp_unhex(end + 1, len, dst) || !gdb_ax_supported(dst, len))
			goto bad;
		c.n++;
	}
	drop_cond(sv, addr);
	if (c.n) {
		GROW(sv->conds, sv->conds_alloc, sv->nconds + 1);
		sv->conds[sv->nconds++] = c;
	}
	return 0;
bad:
	for (int i = 0; i < 4; i++)
		buf_release(&c.code[i]);
	return -EINVAL;
}

static int ax_reg(void *arg, int regno, uint64_t *ret)
{
	struct user_regs_struct r;
	static const unsigned char gpr[17] = {
		/* rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip, as user_regs_struct indexes */
		10, 5, 11, 12, 13, 14, 4, 19, 9, 8, 7, 6, 3, 2, 1, 0, 16,
	};
	if (rep_regs(arg, &r))
		return -ESRCH;
	if (regno >= 0 && regno < 17)
		*ret = *task_reg_ptr(&r, gpr[regno]);
	else if (regno == 17)
		*ret = r.eflags;
	else if (regno == 57)
		*ret = r.orig_rax;
	else if (regno == 58)
		*ret = r.fs_base;
	else if (regno == 59)
		*ret = r.gs_base;
	else
		return -EINVAL;
	return 0;
}

static int ax_read(void *arg, uint64_t addr, uint64_t *ret, unsigned size)
{
	*ret = 0;
	return rep_read_mem(arg, addr, ret, size);
}

/* The timeline's condition callback: any of the address's expressions true (or failing). */
static bool cond_true(void *arg, struct rep_session *s, uint64_t addr)
{
	struct server *sv = arg;
	struct bp_cond *c = find_cond(sv, addr);
	struct gdb_ax_ctx ctx = { .arg = s, .reg = ax_reg, .read = ax_read };
	if (!c)
		return true;
	for (int i = 0; i < c->n; i++) {
		bool v;
		if (gdb_ax_eval(c->code[i].data, c->code[i].len, &ctx, &v) || v)
			return true; /* an expression that fails to run stops, as gdbserver does */
	}
	return false;
}

/* The address's conditions as one trap condition: 0, or -ENOTSUP (none, or not compilable). */
static int compile_conds(struct server *sv, uint64_t addr, struct trap_cond *ret)
{
	struct bp_cond *c = find_cond(sv, addr);
	const uint8_t *code[4];
	size_t len[4];

	if (!c)
		return -ENOTSUP;
	for (int i = 0; i < c->n; i++) {
		code[i] = c->code[i].data;
		len[i] = c->code[i].len;
	}
	return gdb_ax_compile(code, len, c->n, addr, ret);
}

/*
 * Run the breakpoint's condition inside the tracee when it compiles to a
 * trap (src/trap), so calls where it is false never stop; cond_true()
 * still checks each stop. Otherwise, or with none, the plain int3 stays.
 */
static void cond_as_trap(struct server *sv, uint64_t addr)
{
	struct trap_cond tc;
	if (compile_conds(sv, addr, &tc) == 0)
		(void)tl_insert_cond(sv->tl, addr, &tc);
	else
		(void)tl_insert_cond(sv->tl, addr, NULL);
}

/* A digest of the address's conditions for the hit index (0: none). */
static uint64_t cond_key(struct server *sv, uint64_t addr)
{
	struct bp_cond *c = find_cond(sv, addr);
	XXH64_hash_t h = 0;
	for (int i = 0; c && i < c->n; i++)
		h = XXH3_64bits_withSeed(c->code[i].data, c->code[i].len, h + 1);
	return h;
}

static int do_break(struct server *sv, const char *p, bool insert)
{
	static const enum rep_bp_kind kinds[5] = { RBP_SW, RBP_HW, RBP_WRITE, RBP_READ, RBP_ACCESS };
	enum rep_bp_kind kind;
	struct bp_cond *c;
	bool was_trap;
	unsigned type;
	unsigned long long addr, len;
	int err;
	if (sscanf(p + 1, "%u,%llx,%llx", &type, &addr, &len) != 3 || type > 4)
		return reply(sv, "E00");
	if (!sv->s)
		return reply(sv, "E01");
	c = type == 1 ? find_cond(sv, addr) : NULL;
	was_trap = c && c->hw_as_trap;
	if (type <= 1 && insert && parse_conds(sv, addr, p))
		return reply(sv, "E.rewind cannot evaluate this condition; use a simpler one");
	kind = kinds[type];
	c = type == 1 ? find_cond(sv, addr) : NULL;
	if (c && insert) {
		/* A hardware breakpoint whose condition compiles becomes a trap: a debug
		 * register would stop at every execution. */
		struct trap_cond tc;
		c->hw_as_trap = compile_conds(sv, addr, &tc) == 0;
	}
	if (c && c->hw_as_trap)
		kind = RBP_SW;
	if (insert && type == 1 && (kind == RBP_SW || was_trap)) /* gdb changed the condition */
		(void)tl_remove(sv->tl, kind == RBP_SW ? RBP_HW : RBP_SW, addr, len);
	if (type <= 1 && !insert)
		drop_cond(sv, addr);
	err = insert ? tl_insert(sv->tl, kind, addr, len) : tl_remove(sv->tl, kind, addr, len);
	if (!err && insert && type <= 1)
		(void)tl_set_cond_key(sv->tl, kind, addr, cond_key(sv, addr));
	if (!err && insert && kind == RBP_SW)
		cond_as_trap(sv, addr);
	if (err == -ENOSPC)
		return reply(sv, "E28");
	return reply(sv, err ? "E01" : "OK");
}

static int do_read_mem(struct server *sv, const char *p)
{
	unsigned long long addr, len;
	unsigned char tmp[4096];
	if (sscanf(p + 1, "%llx,%llx", &addr, &len) != 2)
		return reply(sv, "E00");
	if (!sv->s)
		return reply(sv, "E01");
	len = MIN(len, sizeof(tmp));
	if (rep_read_mem(sv->s, addr, tmp, len)) {
		/* Return the readable prefix, as gdbserver does. */
		unsigned long long got = 0;
		while (got < len && rep_read_mem(sv->s, addr + got, tmp + got, 1) == 0)
			got++;
		if (!got)
			return reply(sv, "E14");
		len = got;
	}
	buf_reset(&sv->out);
	rsp_hex(&sv->out, tmp, len);
	return reply_buf(sv);
}

static int do_pass_signals(struct server *sv, const char *p)
{
	if (!sv->s)
		return reply(sv, "OK");
	for (int sig = 1; sig < 65; sig++)
		tl_set_pass_signal(sv->tl, sig, false);
	for (p = strchr(p, ':'); p && *p; p = strchr(p, ';')) {
		unsigned g;
		p++;
		if (sscanf(p, "%x", &g) == 1 && linux_signo((int)g))
			tl_set_pass_signal(sv->tl, linux_signo((int)g), true);
	}
	return reply(sv, "OK");
}

/* vRun;FILE;ARG...: 'run' restarts; 'run N' goes to event N; 'run cN' to checkpoint N. */
static int do_run(struct server *sv, const char *p)
{
	const char *a = strchr(p, ';');
	char arg[64] = "";
	struct rep_stop st;
	uint64_t event = 0;
	int ckpt = 0;

	a = a ? strchr(a + 1, ';') : NULL;
	if (a && a[1]) {
		size_t n = strcspn(a + 1, ";") / 2;
		if (n >= sizeof(arg) || !rsp_unhex(a + 1, n, arg))
			return reply(sv, "E.bad run argument");
		arg[n] = 0;
		if (arg[0] == 'c' && parse_u64(arg + 1, &event) && event < 1u << 30) {
			ckpt = (int)event;
			event = 0;
		} else if (!parse_u64(arg, &event)) {
			return reply(sv, "E.run takes an event number N or a checkpoint cN");
		}
	}
	if (ckpt && sv->tl) {
		if (tl_user_restart(sv->tl, ckpt))
			return reply(sv, "E.no such checkpoint");
		sv->s = tl_session(sv->tl);
		memset(&sv->last, 0, sizeof(sv->last));
		return send_stop(sv);
	}
	if (sv->tl) {
		if (tl_restart(sv->tl))
			return -1;
		sv->s = tl_session(sv->tl);
	} else if (open_session(sv)) {
		return -1;
	}
	memset(&sv->last, 0, sizeof(sv->last));
	if (event > 1) {
		if (tl_resume(sv->tl, false, event, NULL, NULL, &st))
			return -1;
		sv->last = st.kind == RSTOP_EVENT ? (struct rep_stop){ 0 } : st;
	}
	return send_stop(sv);
}

static const char refused[] = "E.rewind replays what the program did: writes to registers and "
			      "memory are refused";

/* One packet. Returns 0, 1 to end the session (detach), or -errno / -1. */
static int handle(struct server *sv, const char *p)
{
	struct gdb_regs g;

	switch (p[0]) {
	case '?':
		return send_stop(sv);
	case 'g':
		if (!sv->s || get_regs(sv, &g))
			return reply(sv, "E01");
		buf_reset(&sv->out);
		gdb_regs_hex(&g, &sv->out);
		return reply_buf(sv);
	case 'p': {
		unsigned n;
		if (sscanf(p + 1, "%x", &n) != 1 || !sv->s || get_regs(sv, &g))
			return reply(sv, "E01");
		buf_reset(&sv->out);
		if (!gdb_reg_hex(&g, (int)n, &sv->out))
			return reply(sv, "E00");
		return reply_buf(sv);
	}
	case 'P':
		/* gdb's 'run' and 'call' reset orig_rax: harmless, accepted and ignored (as rr). */
		if (!strncmp(p, "P39=", 4))
			return reply(sv, "OK");
		return reply(sv, refused);
	case 'G':
	case 'M':
	case 'X':
		return reply(sv, refused);
	case 'm':
		return do_read_mem(sv, p);
	case 'Z':
	case 'z':
		return do_break(sv, p, p[0] == 'Z');
	case 'c':
	case 'C':
		return do_resume(sv, false);
	case 's':
	case 'S':
		return do_resume(sv, true);
	case 'H':
		/* Hg selects whose registers g/p read; Hc (resume) has nothing to select. */
		if (p[1] == 'g' && sv->s)
			return reply(sv, rep_select_thread(sv->s, (int32_t)strtol(p + 2, NULL, 16)) ?
						 "E01" : "OK");
		return reply(sv, "OK");
	case 'T': {
		int32_t tids[MAX_THREADS];
		size_t nt = sv->s ? thread_ids(sv, tids) : 0;
		int32_t want = (int32_t)strtol(p + 1, NULL, 16);
		for (size_t i = 0; i < nt; i++)
			if (tids[i] == want)
				return reply(sv, "OK");
		return reply(sv, nt ? "E01" : "OK");
	}
	case 'D':
		(void)reply(sv, "OK");
		return 1;
	case 'k':
		/* gdb thinks the process is gone; the timeline (and its checkpoints) stays for vRun. */
		sv->s = NULL;
		return 0;
	case 'b':
		if (p[1] == 'c' || p[1] == 's')
			return do_reverse(sv, p[1] == 's');
		return reply(sv, "");
	case 'v':
		if (!strcmp(p, "vCont?"))
			return reply(sv, "vCont;c;C;s;S");
		if (!strncmp(p, "vCont;", 6))
			return do_resume(sv, p[6] == 's' || p[6] == 'S');
		if (!strncmp(p, "vRun", 4))
			return do_run(sv, p);
		if (!strncmp(p, "vKill", 5)) {
			sv->s = NULL;
			return reply(sv, "OK");
		}
		return reply(sv, "");
	case 'q':
		if (!strncmp(p, "qSupported", 10))
			return reply(sv, "PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;"
					 "qXfer:auxv:read+;qXfer:exec-file:read+;exec-events+;"
					 "qXfer:threads:read+;QPassSignals+;swbreak+;hwbreak+;"
					 "ReverseContinue+;ReverseStep+;ConditionalBreakpoints+;"
					 "vContSupported+");
		if (!strncmp(p, "qXfer:", 6))
			return do_xfer(sv, p);
		if (!strcmp(p, "qC"))
			return sv->s ? rsp_sendf(&sv->rsp, "QC%x", (unsigned)rep_recorded_tid(sv->s))
				     : reply(sv, "");
		if (!strcmp(p, "qfThreadInfo")) {
			struct buf b = BUF_INIT;
			int32_t tids[MAX_THREADS];
			size_t nt;
			if (!sv->s)
				return reply(sv, "l");
			nt = thread_ids(sv, tids);
			buf_printf(&b, "m");
			for (size_t i = 0; i < nt; i++)
				buf_printf(&b, "%s%x", i ? "," : "", (unsigned)tids[i]);
			int err = reply(sv, buf_cstr(&b));
			buf_release(&b);
			return err;
		}
		if (!strcmp(p, "qsThreadInfo"))
			return reply(sv, "l");
		if (!strncmp(p, "qAttached", 9))
			return reply(sv, "1");
		if (!strncmp(p, "qSymbol", 7))
			return reply(sv, "OK");
		if (!strncmp(p, "qRcmd,", 6))
			return do_monitor(sv, p + 6);
		return reply(sv, "");
	case 'Q':
		if (!strcmp(p, "QStartNoAckMode")) {
			int err = reply(sv, "OK");
			sv->rsp.no_ack = true;
			return err;
		}
		if (!strncmp(p, "QPassSignals:", 13))
			return do_pass_signals(sv, p);
		return reply(sv, "");
	default:
		return reply(sv, "");
	}
}

int gdb_listen(int port, int *ret_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	*ret_port = ntohs(a.sin_port);
	return fd;
}

int gdb_serve(int lfd, const struct gdb_opts *o)
{
	struct server sv = { .o = o, .avx = true };
	int fd, one = 1, ret = 0;

	if (open_session(&sv))
		return -1;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		close_session(&sv);
		return error("cannot accept gdb's connection: %s", strerror(errno));
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rsp_init(&sv.rsp, fd);
	for (;;) {
		bool intr = false;
		int err = rsp_recv(&sv.rsp, &intr);
		if (err == -EPIPE)
			break; /* gdb went away */
		if (err == -EBADMSG) {
			(void)reply(&sv, "E00");
			continue;
		}
		if (err) {
			ret = error("gdb connection failed: %s", strerror(-err));
			break;
		}
		if (intr) {
			sv.rsp.interrupted = false;
			continue; /* Ctrl-C while stopped: nothing runs */
		}
		err = handle(&sv, (const char *)sv.rsp.pkt.data);
		if (err == 1)
			break;
		if (err == -EPIPE)
			break;
		if (err) {
			ret = -1;
			break;
		}
	}
	rsp_release(&sv.rsp);
	close(fd);
	close_session(&sv);
	while (sv.nconds)
		drop_cond(&sv, sv.conds[0].addr);
	free(sv.conds);
	buf_release(&sv.out);
	return ret;
}
