// SPDX-License-Identifier: MIT
/*
 * gdbserver: an interpreter for gdb's agent expressions, the bytecode gdb
 * sends with Z0/Z1 for breakpoint conditions evaluated by the target
 * ("set breakpoint condition-evaluation target", gdb's default when the
 * target offers it). The common opcodes are supported; an expression that
 * uses another one is refused when it is set, so gdb evaluates it itself.
 */
#include <errno.h>
#include <string.h>

#include "gdbserver/gdb_int.h"


int gdb_ax_operand_bytes(uint8_t op)
{
	switch (op) {
	case AX_EXT:
	case AX_ZERO_EXT:
	case AX_CONST8:
	case AX_PICK:
		return 1;
	case AX_IF_GOTO:
	case AX_GOTO:
	case AX_CONST16:
	case AX_REG:
		return 2;
	case AX_CONST32:
		return 4;
	case AX_CONST64:
		return 8;
	default:
		if ((op >= AX_ADD && op <= AX_RSH_UNSIGNED) || (op >= AX_LOG_NOT && op <= AX_REF64) ||
		    op == AX_END || op == AX_DUP || op == AX_POP || op == AX_SWAP || op == AX_ROT)
			return 0;
		return -1;
	}
}

bool gdb_ax_supported(const uint8_t *code, size_t len)
{
	for (size_t pc = 0; pc < len;) {
		int n = gdb_ax_operand_bytes(code[pc]);
		if (n < 0)
			return false;
		pc += 1 + (size_t)n;
	}
	return len > 0;
}

uint64_t gdb_ax_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

#define AX_STACK 64
#define AX_STEPS 100000

int gdb_ax_eval(const uint8_t *code, size_t len, const struct gdb_ax_ctx *ctx, bool *ret)
{
	int64_t st[AX_STACK];
	int sp = 0;
	size_t pc = 0;

#define NEED(n)                                                                               \
	do {                                                                                  \
		if (sp < (n))                                                                 \
			return -EINVAL;                                                       \
	} while (0)
#define PUSH(v)                                                                               \
	do {                                                                                  \
		if (sp == AX_STACK)                                                           \
			return -E2BIG;                                                        \
		st[sp++] = (int64_t)(v);                                                      \
	} while (0)

	for (int steps = 0; steps < AX_STEPS; steps++) {
		uint8_t op;
		int64_t a, b;
		uint64_t u;
		if (pc >= len)
			return -EINVAL;
		op = code[pc];
		int n = gdb_ax_operand_bytes(op);
		if (n < 0 || pc + 1 + (size_t)n > len)
			return -EINVAL;
		const uint8_t *arg = code + pc + 1;
		pc += 1 + (size_t)n;
		switch (op) {
		case AX_END:
			NEED(1);
			*ret = st[sp - 1] != 0;
			return 0;
		case AX_ADD: case AX_SUB: case AX_MUL: case AX_DIV_SIGNED: case AX_DIV_UNSIGNED:
		case AX_REM_SIGNED: case AX_REM_UNSIGNED: case AX_LSH: case AX_RSH_SIGNED:
		case AX_RSH_UNSIGNED: case AX_BIT_AND: case AX_BIT_OR: case AX_BIT_XOR:
		case AX_EQUAL: case AX_LESS_SIGNED: case AX_LESS_UNSIGNED:
			NEED(2);
			b = st[--sp];
			a = st[--sp];
			switch (op) {
			case AX_ADD: a = (int64_t)((uint64_t)a + (uint64_t)b); break;
			case AX_SUB: a = (int64_t)((uint64_t)a - (uint64_t)b); break;
			case AX_MUL: a = (int64_t)((uint64_t)a * (uint64_t)b); break;
			case AX_DIV_SIGNED:
				if (!b || (a == INT64_MIN && b == -1))
					return -EDOM;
				a /= b;
				break;
			case AX_DIV_UNSIGNED:
				if (!b)
					return -EDOM;
				a = (int64_t)((uint64_t)a / (uint64_t)b);
				break;
			case AX_REM_SIGNED:
				if (!b || (a == INT64_MIN && b == -1))
					return -EDOM;
				a %= b;
				break;
			case AX_REM_UNSIGNED:
				if (!b)
					return -EDOM;
				a = (int64_t)((uint64_t)a % (uint64_t)b);
				break;
			case AX_LSH: a = (int64_t)((uint64_t)a << (b & 63)); break;
			case AX_RSH_SIGNED: a >>= (b & 63); break;
			case AX_RSH_UNSIGNED: a = (int64_t)((uint64_t)a >> (b & 63)); break;
			case AX_BIT_AND: a &= b; break;
			case AX_BIT_OR: a |= b; break;
			case AX_BIT_XOR: a ^= b; break;
			case AX_EQUAL: a = a == b; break;
			case AX_LESS_SIGNED: a = a < b; break;
			case AX_LESS_UNSIGNED: a = (uint64_t)a < (uint64_t)b; break;
			}
			PUSH(a);
			break;
		case AX_LOG_NOT:
			NEED(1);
			st[sp - 1] = !st[sp - 1];
			break;
		case AX_BIT_NOT:
			NEED(1);
			st[sp - 1] = ~st[sp - 1];
			break;
		case AX_EXT:
			NEED(1);
			if (arg[0] && arg[0] < 64) {
				unsigned sh = 64u - arg[0];
				st[sp - 1] = (int64_t)((uint64_t)st[sp - 1] << sh) >> sh;
			}
			break;
		case AX_ZERO_EXT:
			NEED(1);
			if (arg[0] && arg[0] < 64)
				st[sp - 1] = (int64_t)((uint64_t)st[sp - 1] & ((1ull << arg[0]) - 1));
			break;
		case AX_REF8: case AX_REF16: case AX_REF32: case AX_REF64: {
			unsigned size = 1u << (op - AX_REF8);
			NEED(1);
			u = 0;
			if (ctx->read(ctx->arg, (uint64_t)st[sp - 1], &u, size))
				return -EFAULT;
			st[sp - 1] = (int64_t)u;
			break;
		}
		case AX_IF_GOTO:
			NEED(1);
			if (st[--sp])
				pc = (size_t)gdb_ax_be(arg, 2);
			break;
		case AX_GOTO:
			pc = (size_t)gdb_ax_be(arg, 2);
			break;
		case AX_CONST8: case AX_CONST16: case AX_CONST32: case AX_CONST64:
			PUSH(gdb_ax_be(arg, n));
			break;
		case AX_REG:
			if (ctx->reg(ctx->arg, (int)gdb_ax_be(arg, 2), &u))
				return -EINVAL;
			PUSH(u);
			break;
		case AX_DUP:
			NEED(1);
			a = st[sp - 1];
			PUSH(a);
			break;
		case AX_POP:
			NEED(1);
			sp--;
			break;
		case AX_SWAP:
			NEED(2);
			a = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = a;
			break;
		case AX_PICK:
			NEED(arg[0] + 1);
			a = st[sp - 1 - arg[0]];
			PUSH(a);
			break;
		case AX_ROT:
			NEED(3);
			a = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = st[sp - 3];
			st[sp - 3] = a;
			break;
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
#undef NEED
#undef PUSH
}
