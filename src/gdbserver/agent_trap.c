// SPDX-License-Identifier: MIT
/*
 * gdbserver: compile a breakpoint condition in gdb's agent bytecode into an
 * in-tracee trap condition (src/trap), so that executions where it is false
 * never stop the program. The bytecode is run symbolically: values are
 * constants, registers (plus a constant), one memory load from register +
 * constant or from a constant address (with gdb's ext / zero_ext), or a
 * comparison of such a value with a constant. if_goto forks the run; the
 * condition is the OR over the runs that end true of the comparisons they
 * took. That covers what gdb emits for `i == 99999`, `p->x > 3 && n != 0`,
 * `a < 0 || b == 'c'`. Anything else is -ENOTSUP: the server interprets it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gdbserver/gdb_int.h"

#define STACK 16
#define MAX_PATHS 16
#define MAX_LITS 12

enum sv_kind { SV_CONST, SV_VAL, SV_TERM };

/* A symbolic stack value. SV_VAL without mem and size 8 may carry an addend (disp). */
struct sv {
	enum sv_kind kind;
	uint64_t c;          /* SV_CONST */
	struct trap_node t;  /* SV_VAL: the value part; SV_TERM: a comparison */
};

struct run {
	struct sv st[STACK];
	int sp;
	size_t pc;
	struct trap_node lit[MAX_LITS]; /* comparisons taken on the way, all true */
	int nlit;
};

struct compiler {
	const uint8_t *code;
	size_t len;
	uint64_t pc_value;   /* rip at the breakpoint: reg 16 */
	struct trap_node out[MAX_PATHS][MAX_LITS];
	int nout[MAX_PATHS];
	int npaths;
	bool always;         /* a run ends true with no comparison */
};

static const enum trap_op negated[TRAP_OP__COUNT] = {
	[TRAP_EQ] = TRAP_NE, [TRAP_NE] = TRAP_EQ, [TRAP_LT] = TRAP_GE, [TRAP_GE] = TRAP_LT,
	[TRAP_LE] = TRAP_GT, [TRAP_GT] = TRAP_LE, [TRAP_LTU] = TRAP_GEU, [TRAP_GEU] = TRAP_LTU,
	[TRAP_LEU] = TRAP_GTU, [TRAP_GTU] = TRAP_LEU,
};

static const enum trap_op swapped[TRAP_OP__COUNT] = {
	[TRAP_EQ] = TRAP_EQ, [TRAP_NE] = TRAP_NE, [TRAP_LT] = TRAP_GT, [TRAP_GT] = TRAP_LT,
	[TRAP_LE] = TRAP_GE, [TRAP_GE] = TRAP_LE, [TRAP_LTU] = TRAP_GTU, [TRAP_GTU] = TRAP_LTU,
	[TRAP_LEU] = TRAP_GEU, [TRAP_GEU] = TRAP_LEU,
};

/* value v (an SV_VAL) compared with constant c: a term, or -ENOTSUP. */
static int make_term(const struct sv *v, enum trap_op op, uint64_t c, struct sv *ret)
{
	struct trap_node t = v->t;
	if (!t.mem && t.disp) {
		/* reg + k == c  <=>  reg == c - k; not for orderings (wrap-around). */
		if (op != TRAP_EQ && op != TRAP_NE)
			return -ENOTSUP;
		c -= (uint64_t)t.disp;
		t.disp = 0;
	}
	t.kind = TRAP_TERM;
	t.op = op;
	t.value = c;
	*ret = (struct sv){ .kind = SV_TERM, .t = t };
	return 0;
}

/* A value tested for truth (if_goto, end, log_not): value != 0. */
static int truth(const struct sv *v, struct sv *ret)
{
	if (v->kind == SV_TERM) {
		*ret = *v;
		return 0;
	}
	return make_term(v, TRAP_NE, 0, ret);
}

static int ext(struct sv *v, unsigned bits, bool sign)
{
	unsigned size = bits / 8;
	if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
		return -ENOTSUP;
	if (v->kind == SV_CONST) {
		if (bits < 64) {
			unsigned sh = 64 - bits;
			v->c = sign ? (uint64_t)((int64_t)(v->c << sh) >> sh) : (v->c << sh) >> sh;
		}
		return 0;
	}
	if (v->kind != SV_VAL || (!v->t.mem && v->t.disp))
		return -ENOTSUP;
	if (size < v->t.size) {
		v->t.size = (uint8_t)size;
		v->t.sext = sign;
	} else if (size == v->t.size) {
		if (sign || !v->t.sext)
			v->t.sext = sign || v->t.sext;
		else
			return -ENOTSUP; /* zero-extending a sign-extended value */
	} else if (!sign && v->t.sext) {
		return -ENOTSUP;
	}
	return 0;
}

static void add_path(struct compiler *k, const struct run *r, const struct sv *top)
{
	struct sv t;
	int n = r->nlit;
	if (top->kind == SV_CONST) {
		if (!top->c)
			return;
	} else if (truth(top, &t) == 0 && n < MAX_LITS) {
		memcpy(k->out[k->npaths], r->lit, sizeof(r->lit[0]) * (size_t)n);
		k->out[k->npaths][n++] = t.t;
		k->nout[k->npaths++] = n;
		return;
	} else {
		k->npaths = MAX_PATHS + 1; /* not expressible */
		return;
	}
	if (!n)
		k->always = true;
	memcpy(k->out[k->npaths], r->lit, sizeof(r->lit[0]) * (size_t)n);
	k->nout[k->npaths++] = n;
}

/* Run from r (a copy of the state); forks at if_goto. */
static int run(struct compiler *k, struct run r, int depth)
{
	for (int steps = 0; steps < 1000; steps++) {
		uint8_t op;
		int n;
		struct sv a, b;
		if (r.pc >= k->len || depth > MAX_PATHS)
			return -ENOTSUP;
		op = k->code[r.pc];
		n = gdb_ax_operand_bytes(op);
		if (n < 0 || r.pc + 1 + (size_t)n > k->len)
			return -ENOTSUP;
		const uint8_t *arg = k->code + r.pc + 1;
		r.pc += 1 + (size_t)n;
#define POP(x)                                                                                \
	do {                                                                                  \
		if (r.sp == 0)                                                                \
			return -ENOTSUP;                                                      \
		(x) = r.st[--r.sp];                                                           \
	} while (0)
#define PUSH(x)                                                                               \
	do {                                                                                  \
		if (r.sp == STACK)                                                            \
			return -ENOTSUP;                                                      \
		r.st[r.sp++] = (x);                                                           \
	} while (0)
		switch (op) {
		case AX_END:
			POP(a);
			if (k->npaths >= MAX_PATHS)
				return -ENOTSUP;
			add_path(k, &r, &a);
			return k->npaths > MAX_PATHS ? -ENOTSUP : 0;
		case AX_CONST8:
		case AX_CONST16:
		case AX_CONST32:
		case AX_CONST64:
			PUSH(((struct sv){ .kind = SV_CONST, .c = gdb_ax_be(arg, n) }));
			break;
		case AX_REG: {
			int regno = (int)gdb_ax_be(arg, 2), idx = gdb_reg_index(regno);
			if (regno == 16) {
				PUSH(((struct sv){ .kind = SV_CONST, .c = k->pc_value }));
				break;
			}
			if (idx < 0)
				return -ENOTSUP;
			PUSH(((struct sv){ .kind = SV_VAL,
					   .t = { .reg = (uint8_t)idx, .size = 8 } }));
			break;
		}
		case AX_ADD:
		case AX_SUB:
			POP(b);
			POP(a);
			if (a.kind == SV_CONST && b.kind == SV_CONST) {
				a.c = op == AX_ADD ? a.c + b.c : a.c - b.c;
			} else if (op == AX_ADD && a.kind == SV_CONST && b.kind == SV_VAL) {
				struct sv x = a;
				a = b;
				b = x;
			}
			if (a.kind == SV_VAL && b.kind == SV_CONST) {
				if (a.t.mem || a.t.size != 8)
					return -ENOTSUP;
				a.t.disp += op == AX_ADD ? (int64_t)b.c : -(int64_t)b.c;
			} else if (a.kind != SV_CONST) {
				return -ENOTSUP;
			}
			PUSH(a);
			break;
		case AX_REF8:
		case AX_REF16:
		case AX_REF32:
		case AX_REF64:
			POP(a);
			if (a.kind == SV_CONST) {
				a = (struct sv){ .kind = SV_VAL,
						 .t = { .reg = TRAP_REG_NONE, .disp = (int64_t)a.c } };
			} else if (a.kind != SV_VAL || a.t.mem || a.t.size != 8 ||
				   a.t.disp != (int32_t)a.t.disp) {
				return -ENOTSUP; /* a second dereference */
			}
			a.t.mem = true;
			a.t.size = (uint8_t)(1u << (op - AX_REF8));
			a.t.sext = false;
			PUSH(a);
			break;
		case AX_EXT:
		case AX_ZERO_EXT:
			POP(a);
			if (ext(&a, arg[0], op == AX_EXT))
				return -ENOTSUP;
			PUSH(a);
			break;
		case AX_EQUAL:
		case AX_LESS_SIGNED:
		case AX_LESS_UNSIGNED: {
			enum trap_op top = op == AX_EQUAL ? TRAP_EQ :
					   op == AX_LESS_SIGNED ? TRAP_LT : TRAP_LTU;
			POP(b);
			POP(a);
			if (a.kind == SV_CONST && b.kind == SV_CONST) {
				bool v = op == AX_EQUAL ? a.c == b.c :
					 op == AX_LESS_SIGNED ? (int64_t)a.c < (int64_t)b.c : a.c < b.c;
				a = (struct sv){ .kind = SV_CONST, .c = v };
			} else if (a.kind == SV_VAL && b.kind == SV_CONST) {
				if (make_term(&a, top, b.c, &a))
					return -ENOTSUP;
			} else if (a.kind == SV_CONST && b.kind == SV_VAL) {
				if (make_term(&b, swapped[top], a.c, &a))
					return -ENOTSUP;
			} else {
				return -ENOTSUP;
			}
			PUSH(a);
			break;
		}
		case AX_LOG_NOT:
			POP(a);
			if (a.kind == SV_CONST) {
				a.c = !a.c;
			} else {
				if (truth(&a, &a))
					return -ENOTSUP;
				a.t.op = negated[a.t.op];
			}
			PUSH(a);
			break;
		case AX_IF_GOTO: {
			size_t to = (size_t)gdb_ax_be(arg, 2);
			POP(a);
			if (a.kind == SV_CONST) {
				if (a.c)
					r.pc = to;
				break;
			}
			if (truth(&a, &a) || r.nlit == MAX_LITS)
				return -ENOTSUP;
			struct run taken = r;
			taken.lit[taken.nlit++] = a.t;
			taken.pc = to;
			int err = run(k, taken, depth + 1);
			if (err)
				return err;
			a.t.op = negated[a.t.op];
			r.lit[r.nlit++] = a.t;
			break;
		}
		case AX_GOTO:
			r.pc = (size_t)gdb_ax_be(arg, 2);
			break;
		case AX_DUP:
			POP(a);
			PUSH(a);
			PUSH(a);
			break;
		case AX_POP:
			POP(a);
			break;
		case AX_SWAP:
			POP(b);
			POP(a);
			PUSH(b);
			PUSH(a);
			break;
		default:
			return -ENOTSUP;
		}
#undef POP
#undef PUSH
	}
	return -ENOTSUP;
}

int gdb_ax_compile(const uint8_t *const *code, const size_t *len, int n, uint64_t pc,
		   struct trap_cond *ret)
{
	struct compiler *k = xcalloc(1, sizeof(*k));
	struct trap_cond c = { 0 };
	int err = 0;

	k->pc_value = pc;
	for (int i = 0; i < n && !err; i++) {
		k->code = code[i];
		k->len = len[i];
		err = run(k, (struct run){ 0 }, 0);
	}
	if (!err && k->always) {
		*ret = c; /* always true: an unconditional trap */
		goto out;
	}
	if (!err && !k->npaths)
		err = -ENOTSUP; /* never true: leave it to the interpreter */
	for (int p = 0; !err && p < k->npaths; p++) {
		for (int l = 0; l < k->nout[p]; l++) {
			if (!trap_cond_push(&c, &k->out[p][l]) ||
			    (l && !trap_cond_push(&c, &(struct trap_node){ .kind = TRAP_AND })))
				err = -ENOTSUP;
		}
		if (p && !trap_cond_push(&c, &(struct trap_node){ .kind = TRAP_OR }))
			err = -ENOTSUP;
	}
	if (!err)
		*ret = c;
out:
	free(k);
	return err;
}
