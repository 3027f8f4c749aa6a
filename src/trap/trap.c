// SPDX-License-Identifier: MIT
/*
 * trap: in-tracee conditional traps; see trap.h for the contract.
 *
 * Pages come in pairs: a code page (r-x) of TRAP_SLOTS slots of SLOT_SIZE
 * bytes, one trampoline each, and the data page after it (rw-) where the
 * trampolines keep rax and the flags. A trampoline is
 *
 *   fast:   (when every match needs one register equal to a constant)
 *           mov %rcx,rcx(%rip); mov -const(%rip),%rcx; lea (%reg,%rcx),%rcx
 *           jrcxz maybe; mov rcx(%rip),%rcx; jmp cont
 *   maybe:  mov rcx(%rip),%rcx
 *   entry:  mov %rax,save(%rip); lahf; seto %al; mov %rax,flags(%rip)
 *           <condition: jumps to hit when true, falls to miss when false>
 *   miss:   mov flags(%rip),%rax; add $0x7f,%al; sahf; mov save(%rip),%rax
 *   cont:   <the relocated instruction>; jmp back (addr + len)
 *   hit:    <restore as in miss>; int3; jmp cont
 *   consts: the 64-bit constants the condition compares with
 *
 * `add $0x7f,%al` sets OF exactly when the saved seto byte was 1; sahf then
 * puts back SF ZF AF PF CF. Other flags are never touched. The fast part
 * touches no flag at all: a pass that misses there (a loop counter that
 * differs, say) costs a few moves and two jumps, not the flags' save.
 *
 * A state point's trampoline (trap_insert_point) may differ in three ways:
 *
 *   pre:    <copy of the straight-line code from the loop's branch target
 *           up to the point>                 (falls into head)
 *   head:   cmp $const,%reg; jne cont        (instead of fast, flags dead)
 *   cont:   <the relocated instruction> <copies of the instructions after
 *           it, up to a jcc or jmp>; jmp back
 *
 * The jcc of the copy goes to pre or head when it is the loop's back edge,
 * so a pass of the loop stays in the slot and costs one cmp. The patched
 * jmp enters at head. The map of a slot names, for each copied
 * instruction, the program address it stands for (trap_locate).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <Zydis/Zydis.h>

#include "trap/trap.h"

#define PAGE 4096ull
#define SLOT_SIZE 512u
#define TRAP_SLOTS 8 /* PAGE / SLOT_SIZE */
#define MAX_PAGES 16
#define MAX_TRAPS (MAX_PAGES * TRAP_SLOTS)
#define DATA_SAVE 0
#define DATA_FLAGS 8
#define DATA_RCX 16
#define DATA_MAGIC 64
#define TRAP_MAGIC 0x5041525444574552ull /* "REWDTRAP" */
#define REACH 0x7fff0000ll               /* a rel32 from anywhere in a page pair */
#define MAX_COPY 8                       /* instructions copied after a point's (one branch last) */
#define MAX_PRE 4                        /* and before it, from the loop's branch target on */
#define ARITH_FLAGS 0x8d5u               /* CF PF AF ZF SF OF */

/* user_regs_struct index -> x86 register number; -1: not a general register. */
static const int8_t x86_reg[TASK_NREGS] = {
	[0] = 15, [1] = 14, [2] = 13, [3] = 12, [4] = 5, [5] = 3, [6] = 11, [7] = 10, [8] = 9,
	[9] = 8, [10] = 0, [11] = 1, [12] = 2, [13] = 6, [14] = 7, [15] = -1, [16] = -1,
	[17] = -1, [18] = -1, [19] = 4, [20] = -1, [21] = -1, [22] = -1, [23] = -1, [24] = -1,
	[25] = -1, [26] = -1,
};
#define UREG_EFLAGS 18
#define UREG_RAX 10

/* Condition codes after `cmp const, value` (value - const), per enum trap_op. */
static const uint8_t op_cc[TRAP_OP__COUNT] = {
	[TRAP_EQ] = 0x4, [TRAP_NE] = 0x5, [TRAP_LT] = 0xc, [TRAP_LE] = 0xe, [TRAP_GT] = 0xf,
	[TRAP_GE] = 0xd, [TRAP_LTU] = 0x2, [TRAP_LEU] = 0x6, [TRAP_GTU] = 0x7, [TRAP_GEU] = 0x3,
};

struct trap_page {
	bool used;
	uint64_t code;         /* the code page; data page at code + PAGE */
	bool slot_used[TRAP_SLOTS];
};

/* A program instruction run from a slot (from cont on), and its address in the program. */
struct trap_map_ent {
	uint32_t off;
	uint64_t addr;
};

struct trap {
	bool used, inserted;
	uint64_t addr;
	uint8_t len;
	uint8_t orig[16];
	struct trap_cond cond;
	int page, slot;
	uint64_t tramp;          /* slot address */
	uint32_t head;           /* offset of the test, where the patched jmp goes (after a
	                          * copy of the code a loop runs before the point) */
	uint32_t entry;          /* offsets in the slot: where rax and flags are saved (0 or
	                          * after the fast part) */
	uint32_t fast_out;       /* the fast part's jmp cont (rcx restored), 0: none */
	uint32_t cond_end;       /* rax and flags are live before */
	uint32_t cont, cont_end; /* the relocated instruction (and what follows it) */
	uint32_t int3;
	bool point;              /* trap_insert_point(): may copy on and clobber dead flags */
	bool no_dead_flags;
	unsigned navoid;
	uint64_t avoid[TRAP_MAX_AVOID]; /* addresses the copy stops before */
	bool dead_flags;         /* the fast test clobbers the arithmetic flags (dead at addr) */
	uint64_t want_flags;     /* their value at a match: the condition's eflags term */
	uint32_t flags_real;     /* dead_flags: the program's flags again from this offset */
	unsigned nmap;
	struct trap_map_ent map[MAX_PRE + MAX_COPY + 3];
};

struct trap_set {
	struct trap_page pages[MAX_PAGES];
	struct trap traps[MAX_TRAPS];
	struct task_range ranges[MAX_PAGES];
	size_t nranges;
};

bool trap_enabled(void)
{
	const char *e = getenv("REWIND_TRAPS");
	return !e || strcmp(e, "0") != 0;
}

/* REWIND_TRAP_FAST=0 leaves the flag-free part out of trampolines (to measure it). */
static bool trap_fast_enabled(void)
{
	const char *e = getenv("REWIND_TRAP_FAST");
	return !e || strcmp(e, "0") != 0;
}

/* ---- conditions ---- */

bool trap_cond_push(struct trap_cond *c, const struct trap_node *n)
{
	if (c->n >= TRAP_MAX_NODES)
		return false;
	c->node[c->n++] = *n;
	return true;
}

bool trap_cond_reg(struct trap_cond *c, unsigned reg, enum trap_op op, uint64_t value)
{
	struct trap_node n = { .kind = TRAP_TERM, .op = op, .reg = (uint8_t)reg, .size = 8,
			       .value = value };
	return trap_cond_push(c, &n);
}

void trap_cond_regs(struct trap_cond *c, const struct user_regs_struct *want,
		    const struct user_regs_struct *now)
{
	/*
	 * The registers loops change most often first: a mismatch is found
	 * sooner. Those that differ between now and the point come before all
	 * (a loop's counter): most passes then cost one comparison.
	 */
	static const uint8_t order[] = { 10, 11, 12, 13, 14, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 19 };
	uint8_t seq[ARRAY_SIZE(order)];
	size_t n = 0;
	bool first = true;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
			unsigned k = order[i];
			bool differs = now && *task_reg_ptr((struct user_regs_struct *)now, k) !=
						      *task_reg_ptr((struct user_regs_struct *)want, k);
			if (differs == (pass == 0))
				seq[n++] = (uint8_t)k;
		}
	c->n = 0;
	for (size_t i = 0; i < n; i++) {
		(void)trap_cond_reg(c, seq[i], TRAP_EQ,
				    *task_reg_ptr((struct user_regs_struct *)want, seq[i]));
		if (!first)
			(void)trap_cond_push(c, &(struct trap_node){ .kind = TRAP_AND });
		first = false;
	}
	(void)trap_cond_reg(c, UREG_EFLAGS, TRAP_EQ, want->eflags);
	(void)trap_cond_push(c, &(struct trap_node){ .kind = TRAP_AND });
}

static uint64_t narrow(uint64_t v, unsigned size, bool sext)
{
	unsigned sh;
	if (size >= 8)
		return v;
	sh = 64 - 8 * size;
	return sext ? (uint64_t)((int64_t)(v << sh) >> sh) : (v << sh) >> sh;
}

/* The low 16 bits the trampoline saves for eflags: lahf in the high byte, seto in the low. */
static uint16_t flags_word(uint64_t eflags)
{
	return (uint16_t)((((eflags & 0xd5) | 2) << 8) | ((eflags >> 11) & 1));
}

static bool compare(enum trap_op op, uint64_t a, uint64_t b)
{
	switch (op) {
	case TRAP_EQ: return a == b;
	case TRAP_NE: return a != b;
	case TRAP_LT: return (int64_t)a < (int64_t)b;
	case TRAP_LE: return (int64_t)a <= (int64_t)b;
	case TRAP_GT: return (int64_t)a > (int64_t)b;
	case TRAP_GE: return (int64_t)a >= (int64_t)b;
	case TRAP_LTU: return a < b;
	case TRAP_LEU: return a <= b;
	case TRAP_GTU: return a > b;
	case TRAP_GEU: return a >= b;
	default: return false;
	}
}

int trap_cond_eval(const struct trap_cond *c, const struct user_regs_struct *regs,
		   int (*read)(void *arg, uint64_t addr, void *dst, size_t len), void *arg,
		   bool *ret)
{
	bool st[TRAP_MAX_NODES];
	unsigned sp = 0;
	if (!c->n) {
		*ret = true;
		return 0;
	}
	for (unsigned i = 0; i < c->n; i++) {
		const struct trap_node *n = &c->node[i];
		uint64_t v = 0;
		if (n->kind != TRAP_TERM) {
			if (sp < 2)
				return -EINVAL;
			sp--;
			st[sp - 1] = n->kind == TRAP_AND ? st[sp - 1] && st[sp] : st[sp - 1] || st[sp];
			continue;
		}
		if (n->reg == UREG_EFLAGS && !n->mem) {
			v = flags_word(regs->eflags);
			st[sp++] = compare(n->op, v, flags_word(n->value));
			continue;
		}
		if (n->reg != TRAP_REG_NONE)
			v = *task_reg_ptr((struct user_regs_struct *)regs, n->reg);
		if (n->mem) {
			uint64_t m = 0;
			if (read(arg, v + (uint64_t)n->disp, &m, n->size))
				return -EFAULT;
			v = m;
		}
		st[sp++] = compare(n->op, narrow(v, n->size, n->sext), n->value);
	}
	if (sp != 1)
		return -EINVAL;
	*ret = st[0];
	return 0;
}

/* ---- instructions ---- */

static bool decode(const uint8_t *code, size_t len, ZydisDecodedInstruction *in)
{
	ZydisDecoder dec;
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	return ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, NULL, code, len, in));
}

static bool is_barrier(const ZydisDecodedInstruction *in)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_SYSCALL:
	case ZYDIS_MNEMONIC_SYSENTER:
	case ZYDIS_MNEMONIC_SYSEXIT:
	case ZYDIS_MNEMONIC_SYSRET:
	case ZYDIS_MNEMONIC_INT:
	case ZYDIS_MNEMONIC_INT1:
	case ZYDIS_MNEMONIC_INT3:
	case ZYDIS_MNEMONIC_INTO:
	case ZYDIS_MNEMONIC_RDTSC:
	case ZYDIS_MNEMONIC_RDTSCP:
	case ZYDIS_MNEMONIC_CPUID:
	/* A single step over it would push the trap flag. */
	case ZYDIS_MNEMONIC_PUSHF:
	case ZYDIS_MNEMONIC_PUSHFD:
	case ZYDIS_MNEMONIC_PUSHFQ:
		return true;
	default:
		return false;
	}
}

static bool is_rep_string(const ZydisDecodedInstruction *in)
{
	if (!(in->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE)))
		return false;
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD:
	case ZYDIS_MNEMONIC_MOVSQ: case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW:
	case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ: case ZYDIS_MNEMONIC_LODSB:
	case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: case ZYDIS_MNEMONIC_LODSQ:
	case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD:
	case ZYDIS_MNEMONIC_SCASQ: case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW:
	case ZYDIS_MNEMONIC_CMPSD: case ZYDIS_MNEMONIC_CMPSQ: case ZYDIS_MNEMONIC_INSB:
	case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD: case ZYDIS_MNEMONIC_OUTSB:
	case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
		return true;
	default:
		return false;
	}
}

static bool rip_relative(const ZydisDecodedInstruction *in)
{
	return (in->attributes & ZYDIS_ATTRIB_HAS_MODRM) && in->raw.modrm.mod == 0 &&
	       in->raw.modrm.rm == 5;
}

/* Is rsp the base of the instruction's memory operand? (An index is never rsp.) */
static bool uses_rsp(const ZydisDecodedInstruction *in)
{
	if (!(in->attributes & ZYDIS_ATTRIB_HAS_MODRM) || in->raw.modrm.mod == 3 ||
	    in->raw.modrm.rm != 4)
		return false; /* rm 4 means a SIB byte follows */
	return in->raw.sib.base == 4 && !in->raw.rex.B;
}

/* A simple assembler for one slot. */
#define MAX_LABELS (2 * TRAP_MAX_NODES + 8)
#define MAX_FIX (4 * TRAP_MAX_NODES + 8)
struct as {
	uint8_t b[SLOT_SIZE];
	size_t n;
	uint64_t base; /* the slot's address in the tracee */
	bool full;
	int64_t label[MAX_LABELS];
	unsigned nlabels;
	struct {
		size_t at;  /* where the rel32 goes */
		int label;  /* or -1 - k for constant k */
		unsigned tail; /* bytes of the instruction after the rel32 */
	} fix[MAX_FIX];
	unsigned nfix;
	uint64_t konst[TRAP_MAX_NODES + 4];
	unsigned nk;
};

static void emit(struct as *a, const void *p, size_t n)
{
	if (a->n + n > sizeof(a->b)) {
		a->full = true;
		return;
	}
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

#define EMIT(a, ...) emit((a), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void emit32(struct as *a, uint32_t v)
{
	emit(a, &v, 4);
}

static void emit64(struct as *a, uint64_t v)
{
	emit(a, &v, 8);
}

/* The rel32 of a RIP-relative operand to an absolute tracee address, tail bytes after it. */
static void emit_rip_abs(struct as *a, uint64_t target, unsigned tail)
{
	uint64_t end = a->base + a->n + 4 + tail;
	emit32(a, (uint32_t)(int32_t)(int64_t)(target - end));
}

static int new_label(struct as *a)
{
	if (a->nlabels == MAX_LABELS) {
		a->full = true;
		return 0;
	}
	a->label[a->nlabels] = -1;
	return (int)a->nlabels++;
}

static void bind(struct as *a, int l)
{
	a->label[l] = (int64_t)a->n;
}

static void emit_fix(struct as *a, int label, unsigned tail)
{
	if (a->nfix == MAX_FIX) {
		a->full = true;
		return;
	}
	a->fix[a->nfix].at = a->n;
	a->fix[a->nfix].label = label;
	a->fix[a->nfix].tail = tail;
	a->nfix++;
	emit32(a, 0);
}

static void emit_const_ref(struct as *a, uint64_t v, unsigned tail)
{
	unsigned k;
	for (k = 0; k < a->nk && a->konst[k] != v; k++)
		;
	if (k == a->nk) {
		if (a->nk == ARRAY_SIZE(a->konst)) {
			a->full = true;
			return;
		}
		a->konst[a->nk++] = v;
	}
	emit_fix(a, -1 - (int)k, tail);
}

static void emit_jcc(struct as *a, uint8_t cc, int label)
{
	EMIT(a, 0x0f, (uint8_t)(0x80 | cc));
	emit_fix(a, label, 0);
}

static void emit_jmp(struct as *a, int label)
{
	EMIT(a, 0xe9);
	emit_fix(a, label, 0);
}

/* jmp *0(%rip); .quad target: an absolute jump that touches no register. */
static void emit_jmp_abs(struct as *a, uint64_t target)
{
	EMIT(a, 0xff, 0x25, 0, 0, 0, 0);
	emit64(a, target);
}

/* Place the constants after the code and resolve the jumps; false if it does not fit. */
static bool finish(struct as *a)
{
	size_t kat = ALIGN_UP(a->n, (size_t)8);
	if (a->full || kat + 8 * a->nk > sizeof(a->b))
		return false;
	memset(a->b + a->n, 0xcc, kat - a->n);
	memcpy(a->b + kat, a->konst, 8 * a->nk);
	for (unsigned i = 0; i < a->nfix; i++) {
		int64_t end = (int64_t)(a->fix[i].at + 4 + a->fix[i].tail), target;
		int l = a->fix[i].label;
		if (l >= 0) {
			if (a->label[l] < 0)
				return false;
			target = a->label[l];
		} else {
			target = (int64_t)(kat + 8 * (size_t)(-1 - l));
		}
		int32_t rel = (int32_t)(target - end);
		memcpy(a->b + a->fix[i].at, &rel, 4);
	}
	a->n = kat + 8 * a->nk;
	return true;
}

/* lea -8(%rsp),%rsp; movl $lo,(%rsp); movl $hi,4(%rsp): a push that leaves the flags alone. */
static void emit_push_ret(struct as *a, uint64_t ret)
{
	EMIT(a, 0x48, 0x8d, 0x64, 0x24, 0xf8);
	EMIT(a, 0xc7, 0x04, 0x24);
	emit32(a, (uint32_t)ret);
	EMIT(a, 0xc7, 0x44, 0x24, 0x04);
	emit32(a, (uint32_t)(ret >> 32));
}

/*
 * Emit a copy of the instruction at addr (code[0..in->length)) that behaves
 * the same at a->base + a->n, followed by the jump back when it falls
 * through. Relative branches become absolute jumps; a call pushes the
 * original return address itself (the callee sees what it would have);
 * RIP-relative operands get a new displacement. Anything else that depends
 * on where it runs is -ENOTSUP.
 */
static int relocate(struct as *a, uint64_t addr, const uint8_t *code,
		    const ZydisDecodedInstruction *in, bool jump_back)
{
	uint64_t next = addr + in->length;
	uint8_t buf[16];
	bool falls = true;

	if (is_barrier(in) || (jump_back && in->length < TRAP_MIN_INSN) || in->length > 15)
		return -ENOTSUP;
	memcpy(buf, code, in->length);
	if (in->raw.imm[0].is_relative) {
		uint64_t target = next + (uint64_t)in->raw.imm[0].value.s;
		if (in->mnemonic == ZYDIS_MNEMONIC_JMP) {
			emit_jmp_abs(a, target);
			return 0;
		}
		if (in->mnemonic == ZYDIS_MNEMONIC_CALL && in->length == 5) {
			emit_push_ret(a, next);
			emit_jmp_abs(a, target);
			return 0;
		}
		if (in->opcode_map == ZYDIS_OPCODE_MAP_0F && (in->opcode & 0xf0) == 0x80 &&
		    in->length == 6) {
			/* jcc over two absolute jumps: not taken -> next, taken -> target. */
			EMIT(a, 0x0f, in->opcode, 14, 0, 0, 0);
			emit_jmp_abs(a, next);
			emit_jmp_abs(a, target);
			return 0;
		}
		return -ENOTSUP; /* xbegin... */
	}
	if ((in->attributes & ZYDIS_ATTRIB_IS_RELATIVE) && !rip_relative(in))
		return -ENOTSUP;
	if (in->meta.branch_type != ZYDIS_BRANCH_TYPE_NONE) {
		/* Only near indirect jmp and call through memory: ff /4, ff /2. */
		if (in->opcode_map != ZYDIS_OPCODE_MAP_DEFAULT || in->opcode != 0xff ||
		    in->raw.modrm.mod == 3 || (in->raw.modrm.reg != 2 && in->raw.modrm.reg != 4))
			return -ENOTSUP;
		if (in->raw.modrm.reg == 2) {
			/* call *X -> push the original return address; jmp *X. */
			if (uses_rsp(in))
				return -ENOTSUP;
			buf[in->raw.modrm.offset] =
				(uint8_t)((buf[in->raw.modrm.offset] & ~0x38) | (4 << 3));
			emit_push_ret(a, next);
		}
		falls = false;
	}
	if (rip_relative(in)) {
		int64_t target, disp;
		int32_t d32;
		if (in->address_width != 64 || in->raw.disp.size != 32)
			return -ENOTSUP;
		target = (int64_t)next + in->raw.disp.value;
		disp = target - (int64_t)(a->base + a->n + in->length);
		if (disp != (int32_t)disp)
			return -ENOTSUP;
		d32 = (int32_t)disp;
		memcpy(buf + in->raw.disp.offset, &d32, 4);
	}
	emit(a, buf, in->length);
	if (falls && jump_back) {
		EMIT(a, 0xe9);
		emit_rip_abs(a, next, 0);
	}
	return 0;
}

enum trap_insn_class trap_classify(const uint8_t *code, size_t len, size_t *ret_len)
{
	ZydisDecodedInstruction in;
	struct as a = { .base = 0x100000000ull };
	if (!decode(code, len, &in))
		return TRAP_INSN_BAD;
	if (ret_len)
		*ret_len = in.length;
	if (is_rep_string(&in))
		return TRAP_INSN_REP;
	if (is_barrier(&in))
		return TRAP_INSN_BARRIER;
	if (in.length < TRAP_MIN_INSN)
		return TRAP_INSN_SHORT;
	/* Relocatable in principle: try it at a nearby address. */
	return relocate(&a, a.base - PAGE * 4, code, &in, true) ? TRAP_INSN_SHORT
								 : TRAP_INSN_PATCHABLE;
}

bool trap_patchable(struct task *t, uint64_t addr)
{
	uint8_t code[16];
	/* The instruction may end near an unmapped page: read what is there. */
	size_t got = task_read_prefix(t, addr, code, sizeof(code));
	return got && trap_classify(code, got, NULL) == TRAP_INSN_PATCHABLE;
}

/* ---- trampolines ---- */

/* The value of term n into rax (rax itself comes from the save area). */
static void load_value(struct as *a, const struct trap_node *n, uint64_t data)
{
	static const uint8_t mem_op[4][2][5] = {
		/* [size 1,2,4,8][sext]: opcode bytes before modrm 0x80 (rax + disp32), len in [4] */
		{ { 0x0f, 0xb6, 0, 0, 2 }, { 0x48, 0x0f, 0xbe, 0, 3 } },
		{ { 0x0f, 0xb7, 0, 0, 2 }, { 0x48, 0x0f, 0xbf, 0, 3 } },
		{ { 0x8b, 0, 0, 0, 1 }, { 0x48, 0x63, 0, 0, 2 } },
		{ { 0x48, 0x8b, 0, 0, 2 }, { 0x48, 0x8b, 0, 0, 2 } },
	};
	unsigned si = n->size == 1 ? 0 : n->size == 2 ? 1 : n->size == 4 ? 2 : 3;
	const uint8_t *op = mem_op[si][n->sext];

	if (n->reg == TRAP_REG_NONE) {
		EMIT(a, 0x48, 0xb8); /* movabs $disp,%rax */
		emit64(a, (uint64_t)n->disp);
	} else if (n->reg == UREG_RAX) {
		EMIT(a, 0x48, 0x8b, 0x05); /* mov save(%rip),%rax */
		emit_rip_abs(a, data + DATA_SAVE, 0);
	} else {
		int r = x86_reg[n->reg];
		EMIT(a, (uint8_t)(0x48 | (r >= 8 ? 4 : 0)), 0x89, (uint8_t)(0xc0 | (r & 7) << 3));
	}
	if (n->mem) {
		emit(a, op, op[4]);
		EMIT(a, 0x80);
		emit32(a, n->reg == TRAP_REG_NONE ? 0 : (uint32_t)(int32_t)n->disp);
	} else if (n->size < 8) {
		emit(a, op, op[4]);
		EMIT(a, 0xc0); /* the same with modrm rax, rax */
	}
}

static bool term_ok(const struct trap_node *n)
{
	if (n->op >= TRAP_OP__COUNT || (n->size != 1 && n->size != 2 && n->size != 4 && n->size != 8))
		return false;
	if (n->reg == UREG_EFLAGS && !n->mem)
		return n->op == TRAP_EQ || n->op == TRAP_NE;
	if (n->reg == TRAP_REG_NONE)
		return n->mem;
	if (n->reg >= TASK_NREGS || x86_reg[n->reg] < 0)
		return false;
	return !n->mem || n->disp == (int32_t)n->disp;
}

static void gen_term(struct as *a, const struct trap_node *n, uint64_t data, int t, int f,
		     int next)
{
	uint8_t cc = op_cc[n->op];
	if (n->reg == UREG_EFLAGS && !n->mem) {
		EMIT(a, 0x66, 0x81, 0x3d); /* cmpw $imm16,flags(%rip) */
		emit_rip_abs(a, data + DATA_FLAGS, 2);
		uint16_t w = flags_word(n->value);
		emit(a, &w, 2);
	} else if (!n->mem && n->size == 8 && n->reg != UREG_RAX) {
		int r = x86_reg[n->reg];
		/* cmp const(%rip),%reg */
		EMIT(a, (uint8_t)(0x48 | (r >= 8 ? 4 : 0)), 0x3b, (uint8_t)(((r & 7) << 3) | 5));
		emit_const_ref(a, n->value, 0);
	} else {
		load_value(a, n, data);
		EMIT(a, 0x48, 0x3b, 0x05); /* cmp const(%rip),%rax */
		emit_const_ref(a, n->value, 0);
	}
	if (t == next) {
		emit_jcc(a, cc ^ 1, f);
	} else {
		emit_jcc(a, cc, t);
		if (f != next)
			emit_jmp(a, f);
	}
}

/* Short-circuit code for the subtree rooted at node i: jump to t when true, f when false. */
static void gen(struct as *a, const struct trap_cond *c, const int *left, int i, uint64_t data,
		int t, int f, int next)
{
	const struct trap_node *n = &c->node[i];
	int mid;
	if (n->kind == TRAP_TERM) {
		gen_term(a, n, data, t, f, next);
		return;
	}
	mid = new_label(a);
	if (n->kind == TRAP_AND)
		gen(a, c, left, left[i], data, mid, f, mid);
	else
		gen(a, c, left, left[i], data, t, mid, mid);
	bind(a, mid);
	gen(a, c, left, i - 1, data, t, f, next);
}

/* Check the postfix shape; left[i] is the root of an operator's left operand. */
static bool shape(const struct trap_cond *c, int *left)
{
	int st[TRAP_MAX_NODES], sp = 0;
	if (c->n > TRAP_MAX_NODES)
		return false;
	for (unsigned i = 0; i < c->n; i++) {
		const struct trap_node *n = &c->node[i];
		if (n->kind == TRAP_TERM) {
			if (!term_ok(n))
				return false;
			st[sp++] = (int)i;
			continue;
		}
		if ((n->kind != TRAP_AND && n->kind != TRAP_OR) || sp < 2)
			return false;
		left[i] = st[sp - 2];
		sp -= 2;
		st[sp++] = (int)i;
	}
	return c->n == 0 || sp == 1;
}

static void emit_restore(struct as *a, uint64_t data)
{
	EMIT(a, 0x48, 0x8b, 0x05);
	emit_rip_abs(a, data + DATA_FLAGS, 0);
	EMIT(a, 0x04, 0x7f, 0x9e); /* add $0x7f,%al; sahf */
	EMIT(a, 0x48, 0x8b, 0x05);
	emit_rip_abs(a, data + DATA_SAVE, 0);
}

/*
 * The term every match of c needs (the leftmost under its &&s), if it is a
 * general register (other than rcx unless rcx_ok) equal to a constant; else NULL.
 */
static const struct trap_node *fast_term(const struct trap_cond *c, const int *left, bool rcx_ok)
{
	int i = (int)c->n - 1;
	const struct trap_node *n;
	if (!c->n)
		return NULL;
	while (c->node[i].kind == TRAP_AND)
		i = left[i];
	n = &c->node[i];
	if (n->kind != TRAP_TERM || n->mem || n->size != 8 || n->op != TRAP_EQ ||
	    n->reg >= TASK_NREGS || x86_reg[n->reg] < 0 || (!rcx_ok && x86_reg[n->reg] == 1))
		return NULL;
	return n;
}

/* mov %rcx,rcx(%rip) (store) or mov rcx(%rip),%rcx (load). */
static void emit_rcx(struct as *a, bool load, uint64_t data)
{
	EMIT(a, 0x48, load ? 0x8b : 0x89, 0x0d);
	emit_rip_abs(a, data + DATA_RCX, 0);
}

/* The flag-free test of fast_term() n: on to entry when it holds, else straight to cont. */
static void emit_fast(struct as *a, struct trap *tr, const struct trap_node *n, uint64_t data,
		      int cont)
{
	int r = x86_reg[n->reg];
	uint8_t rex = (uint8_t)(0x48 | (r >= 8 ? 1 : 0));
	emit_rcx(a, false, data);
	EMIT(a, 0x48, 0x8b, 0x0d); /* mov -const(%rip),%rcx */
	emit_const_ref(a, (uint64_t)0 - n->value, 0);
	/* lea (%reg,%rcx,1),%rcx: rbp and r13 as a base need a disp8. */
	if ((r & 7) == 5)
		EMIT(a, rex, 0x8d, 0x4c, (uint8_t)(0x08 | (r & 7)), 0x00);
	else
		EMIT(a, rex, 0x8d, 0x0c, (uint8_t)(0x08 | (r & 7)));
	EMIT(a, 0xe3, 7 + 5); /* jrcxz over the next two instructions */
	emit_rcx(a, true, data);
	tr->fast_out = (uint32_t)a->n;
	emit_jmp(a, cont);
	emit_rcx(a, true, data);
}

/* ---- copies of the code after a point ---- */

/* A program instruction a trampoline runs a copy of. */
struct copy_insn {
	uint64_t addr;
	uint8_t code[16];
	ZydisDecodedInstruction in;
};

/* The instructions after a point's that its trampoline runs too. */
struct copy_plan {
	unsigned n;
	struct copy_insn insn[MAX_COPY];
	bool dead;      /* the arithmetic flags are dead at the point */
	int writer;     /* dead: the instruction that rewrites them: -1 the point's own, else insn[] */
	unsigned npre;  /* the loop's branch goes a few instructions before the point: those */
	struct copy_insn pre[MAX_PRE];
};

/* REWIND_TRAP_COPY=0: no copies and no dead-flag tests (to measure them). */
static bool trap_copy_enabled(void)
{
	const char *e = getenv("REWIND_TRAP_COPY");
	return !e || strcmp(e, "0") != 0;
}

static uint32_t flags_tested(const ZydisDecodedInstruction *in)
{
	return in->cpu_flags ? in->cpu_flags->tested & ARITH_FLAGS : ARITH_FLAGS;
}

/*
 * The arithmetic flags the instruction always sets, whatever they were.
 * Shifts and rotates leave them alone for a count of 0: none. An
 * "undefined" AF after and/or/xor/test is cleared by the CPUs we know
 * (and by QEMU's model), so those count as setting it.
 */
static uint32_t flags_written(const ZydisDecodedInstruction *in)
{
	uint32_t w;
	if (!in->cpu_flags)
		return 0;
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_SHL: case ZYDIS_MNEMONIC_SHR: case ZYDIS_MNEMONIC_SAR:
	case ZYDIS_MNEMONIC_ROL: case ZYDIS_MNEMONIC_ROR:
	case ZYDIS_MNEMONIC_RCL: case ZYDIS_MNEMONIC_RCR: case ZYDIS_MNEMONIC_SHLD:
	case ZYDIS_MNEMONIC_SHRD:
		return 0;
	default:
		break;
	}
	w = in->cpu_flags->modified | in->cpu_flags->set_0 | in->cpu_flags->set_1;
	if (in->mnemonic == ZYDIS_MNEMONIC_AND || in->mnemonic == ZYDIS_MNEMONIC_OR ||
	    in->mnemonic == ZYDIS_MNEMONIC_XOR || in->mnemonic == ZYDIS_MNEMONIC_TEST)
		w |= in->cpu_flags->undefined & ZYDIS_CPUFLAG_AF;
	return w & ARITH_FLAGS;
}

/* A jcc (rel8 or rel32; not jrcxz or loop) or a jmp rel8/rel32. */
static bool is_jcc(const ZydisDecodedInstruction *in)
{
	return in->raw.imm[0].is_relative &&
	       ((in->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT && (in->opcode & 0xf0) == 0x70) ||
		(in->opcode_map == ZYDIS_OPCODE_MAP_0F && (in->opcode & 0xf0) == 0x80));
}

static bool is_jmp_rel(const ZydisDecodedInstruction *in)
{
	return in->raw.imm[0].is_relative && in->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT &&
	       (in->opcode == 0xeb || in->opcode == 0xe9);
}

/* Is [lo, hi) inside one mapping that is not writable? */
static bool read_only_code(struct task *t, uint64_t lo, uint64_t hi)
{
	struct task_map *m;
	size_t n;
	bool ok = false;
	if (task_read_maps(t, &m, &n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (m[i].start <= lo && hi <= m[i].end)
			ok = !(m[i].prot & PROT_WRITE);
	task_maps_free(m, n);
	return ok;
}

/*
 * Can the instruction at pc run from a copy? Its bytes into code[16] and
 * decoded into *in; *end: it is a jcc or jmp, which ends a copy.
 */
static bool copyable(const struct trap_set *s, struct task *t, const struct trap *tr, uint64_t pc,
		     uint8_t *code, ZydisDecodedInstruction *in, bool *end)
{
	size_t got;
	if (trap_find(s, pc) >= 0)
		return false;
	memset(code, 0, 16);
	got = task_read_prefix(t, pc, code, 16);
	if (!got || !decode(code, got, in) || is_barrier(in) || is_rep_string(in))
		return false;
	/* A breakpoint's int3 anywhere in it (gdb may see other instruction starts). */
	for (unsigned k = 0; k < tr->navoid; k++)
		if (tr->avoid[k] >= pc && tr->avoid[k] < pc + in->length)
			return false;
	*end = is_jcc(in) || is_jmp_rel(in);
	return *end || (in->meta.branch_type == ZYDIS_BRANCH_TYPE_NONE &&
			!((in->attributes & ZYDIS_ATTRIB_IS_RELATIVE) && !rip_relative(in)) &&
			!(rip_relative(in) && (in->address_width != 64 || in->raw.disp.size != 32)));
}

/*
 * Plan the copy after point trap tr, whose instruction is in0: straight-line
 * instructions up to a jcc or jmp that ends it; and whether the flags are
 * dead at the point (every arithmetic flag rewritten before one is read).
 */
static void plan_copy(const struct trap_set *s, struct task *t, const struct trap *tr,
		      const ZydisDecodedInstruction *in0, struct copy_plan *p)
{
	uint32_t need = ARITH_FLAGS;
	bool live = false;
	uint64_t pc = tr->addr + in0->length, lo;

	*p = (struct copy_plan){ .writer = -2 };
	if (!trap_copy_enabled() || tr->navoid > TRAP_MAX_AVOID)
		return;
	if (flags_tested(in0))
		live = true;
	need &= ~flags_written(in0);
	if (!live && !need)
		p->writer = -1;
	if (in0->meta.branch_type != ZYDIS_BRANCH_TYPE_NONE || in0->raw.imm[0].is_relative)
		goto out; /* a rewritten branch: nothing after it to copy */
	while (p->n < MAX_COPY) {
		ZydisDecodedInstruction *in = &p->insn[p->n].in;
		bool end;

		if (!copyable(s, t, tr, pc, p->insn[p->n].code, in, &end))
			goto out;
		p->insn[p->n].addr = pc;
		p->n++;
		if (p->writer == -2 && !live) {
			if (flags_tested(in) & need)
				live = true;
			need &= ~flags_written(in);
			if (!live && !need)
				p->writer = (int)p->n - 1;
		}
		pc += in->length;
		if (end)
			break;
	}
out:
	lo = tr->addr;
	if (p->n && is_jcc(&p->insn[p->n - 1].in)) {
		/* A back edge to shortly before the point: copy from there too. */
		const ZydisDecodedInstruction *j = &p->insn[p->n - 1].in;
		uint64_t target = p->insn[p->n - 1].addr + j->length + (uint64_t)j->raw.imm[0].value.s;
		uint64_t at = target;
		bool end;
		while (target < tr->addr && tr->addr - target <= 32 && p->npre < MAX_PRE && at < tr->addr &&
		       copyable(s, t, tr, at, p->pre[p->npre].code, &p->pre[p->npre].in, &end) && !end) {
			p->pre[p->npre].addr = at;
			at += p->pre[p->npre++].in.length;
		}
		if (at == tr->addr && target < tr->addr)
			lo = target;
		else
			p->npre = 0;
	}
	if (p->n && !read_only_code(t, lo, pc)) {
		p->n = 0;
		p->npre = 0;
	}
	if (p->writer >= (int)p->n)
		p->writer = -2; /* the flags are rewritten only after the copy */
	p->dead = p->writer >= -1;
}

/* Record that slot offset a->n runs the program's instruction at addr. */
static void map_here(struct trap *tr, const struct as *a, uint64_t addr)
{
	if (tr->nmap < ARRAY_SIZE(tr->map))
		tr->map[tr->nmap++] = (struct trap_map_ent){ (uint32_t)a->n, addr };
}

/* jcc cc / jmp (cc < 0) to an absolute target: rel32 when it reaches, else through jmp_abs. */
static void emit_branch_abs(struct as *a, int cc, uint64_t target)
{
	int64_t rel = (int64_t)(target - (a->base + a->n + (cc < 0 ? 5 : 6)));
	if (rel == (int32_t)rel) {
		if (cc < 0)
			EMIT(a, 0xe9);
		else
			EMIT(a, 0x0f, (uint8_t)(0x80 | cc));
		emit32(a, (uint32_t)(int32_t)rel);
	} else if (cc < 0) {
		emit_jmp_abs(a, target);
	} else {
		EMIT(a, 0x0f, (uint8_t)(0x80 | (cc ^ 1)), 14, 0, 0, 0); /* not taken: over the jump */
		emit_jmp_abs(a, target);
	}
}

/*
 * The copied instructions of plan p after the point's own; *ret_real: the
 * offset after the one that rewrites the flags. 0 or -ENOTSUP.
 */
static int emit_copy(struct as *a, struct trap *tr, const struct copy_plan *p, uint32_t *ret_real)
{
	uint64_t next = 0;
	for (unsigned i = 0; i < p->n; i++) {
		const ZydisDecodedInstruction *in = &p->insn[i].in;
		uint64_t addr = p->insn[i].addr;
		next = addr + in->length;
		map_here(tr, a, addr);
		if (is_jcc(in) || is_jmp_rel(in)) {
			uint64_t target = next + (uint64_t)in->raw.imm[0].value.s;
			if (is_jmp_rel(in)) {
				emit_branch_abs(a, -1, target);
				return 0;
			}
			/* A loop's back edge to the point (or to the copy before it) stays here. */
			if (target == tr->addr || (p->npre && target == p->pre[0].addr)) {
				int64_t to = target == tr->addr ? tr->head : 0;
				EMIT(a, 0x0f, (uint8_t)(0x80 | (in->opcode & 0xf)));
				emit32(a, (uint32_t)(int32_t)(to - (int64_t)(a->n + 4)));
			} else {
				emit_branch_abs(a, in->opcode & 0xf, target);
			}
			break;
		}
		if (relocate(a, addr, p->insn[i].code, in, false))
			return -ENOTSUP;
		if ((int)i == p->writer)
			*ret_real = (uint32_t)a->n;
	}
	map_here(tr, a, next);
	EMIT(a, 0xe9);
	emit_rip_abs(a, next, 0);
	return 0;
}

/* cmp $value,%reg (or against the constant in memory): flags clobbered. jne to miss. */
static void emit_fast_cmp(struct as *a, const struct trap_node *n, int miss)
{
	int r = x86_reg[n->reg];
	uint8_t rex = (uint8_t)(0x48 | (r >= 8 ? 1 : 0));
	if ((int64_t)n->value == (int32_t)n->value) {
		EMIT(a, rex, 0x81, (uint8_t)(0xf8 | (r & 7)));
		emit32(a, (uint32_t)n->value);
	} else {
		EMIT(a, (uint8_t)(0x48 | (r >= 8 ? 4 : 0)), 0x3b, (uint8_t)(((r & 7) << 3) | 5));
		emit_const_ref(a, n->value, 0);
	}
	emit_jcc(a, 0x5, miss);
}

/*
 * A point's condition ends with "&& eflags == v" (trap_cond_regs()): the
 * condition without it into *out and v into *ret_flags; false otherwise.
 */
static bool drop_flags_term(const struct trap_cond *c, struct trap_cond *out, uint64_t *ret_flags)
{
	const struct trap_node *f;
	if (c->n < 3 || c->node[c->n - 1].kind != TRAP_AND)
		return false;
	f = &c->node[c->n - 2];
	if (f->kind != TRAP_TERM || f->mem || f->reg != UREG_EFLAGS || f->op != TRAP_EQ)
		return false;
	*out = *c;
	out->n -= 2;
	*ret_flags = f->value;
	return true;
}

/* Build the trampoline of trap tr in a (a->base set). */
static int build(struct as *a, struct trap *tr, const ZydisDecodedInstruction *in, uint64_t data,
		 const struct copy_plan *p)
{
	int left[TRAP_MAX_NODES], hit, miss, cont;
	const struct trap_node *fast;
	struct trap_cond dcond;
	const struct trap_cond *cond = &tr->cond;
	int err;

	if (!shape(&tr->cond, left))
		return -ENOTSUP;
	hit = new_label(a);
	miss = new_label(a);
	cont = new_label(a);
	tr->fast_out = 0;
	tr->dead_flags = false;
	tr->nmap = 0;
	for (unsigned i = 0; i < p->npre; i++) {
		map_here(tr, a, p->pre[i].addr);
		if (relocate(a, p->pre[i].addr, p->pre[i].code, &p->pre[i].in, false))
			return -ENOTSUP;
	}
	tr->head = (uint32_t)a->n;
	if (p->dead && trap_fast_enabled() && drop_flags_term(&tr->cond, &dcond, &tr->want_flags) &&
	    shape(&dcond, left) && (fast = fast_term(&dcond, left, true))) {
		/* The flags are dead here: a cmp tests the first term. */
		tr->dead_flags = true;
		cond = &dcond;
		emit_fast_cmp(a, fast, cont);
	} else {
		(void)shape(&tr->cond, left);
		fast = trap_fast_enabled() ? fast_term(&tr->cond, left, false) : NULL;
		if (fast)
			emit_fast(a, tr, fast, data, cont);
	}
	tr->entry = (uint32_t)a->n;
	EMIT(a, 0x48, 0x89, 0x05);
	emit_rip_abs(a, data + DATA_SAVE, 0);
	EMIT(a, 0x9f, 0x0f, 0x90, 0xc0); /* lahf; seto %al */
	EMIT(a, 0x48, 0x89, 0x05);
	emit_rip_abs(a, data + DATA_FLAGS, 0);
	if (cond->n)
		gen(a, cond, left, (int)cond->n - 1, data, hit, miss, miss);
	else
		emit_jmp(a, hit);
	tr->cond_end = (uint32_t)a->n;
	bind(a, miss);
	emit_restore(a, data);
	bind(a, cont);
	tr->cont = (uint32_t)a->n;
	map_here(tr, a, tr->addr);
	err = relocate(a, tr->addr, tr->orig, in, !p->n);
	if (err)
		return err;
	tr->flags_real = tr->cont + in->length; /* after the point's own instruction (writer -1) */
	if (p->n) {
		err = emit_copy(a, tr, p, &tr->flags_real);
		if (err)
			return err;
	} else if (in->meta.branch_type == ZYDIS_BRANCH_TYPE_NONE && !in->raw.imm[0].is_relative) {
		tr->map[tr->nmap++] = (struct trap_map_ent){ (uint32_t)a->n - 5, tr->addr + in->length };
	}
	tr->cont_end = (uint32_t)a->n;
	bind(a, hit);
	emit_restore(a, data);
	tr->int3 = (uint32_t)a->n;
	EMIT(a, 0xcc);
	emit_jmp(a, cont);
	return finish(a) ? 0 : -ENOTSUP;
}

/* ---- pages ---- */

struct trap_set *trap_set_new(void)
{
	return xcalloc(1, sizeof(struct trap_set));
}

void trap_set_free(struct trap_set *s)
{
	free(s);
}

static void update_ranges(struct trap_set *s)
{
	s->nranges = 0;
	for (int i = 0; i < MAX_PAGES; i++)
		if (s->pages[i].used)
			s->ranges[s->nranges++] = (struct task_range){ s->pages[i].code,
								       s->pages[i].code + 2 * PAGE };
}

static bool reaches(uint64_t page, uint64_t addr)
{
	int64_t d1 = (int64_t)(page - addr), d2 = (int64_t)(page + 2 * PAGE - addr);
	return d1 > -REACH && d1 < REACH && d2 > -REACH && d2 < REACH;
}

static int remote(struct task *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		  int64_t *ret)
{
	uint64_t args[6] = { a0, a1, a2, a3, (uint64_t)-1, 0 };
	return task_remote_syscall(t, nr, args, ret);
}

/* Map a page pair at exactly at: 0, -EEXIST (something there), -errno. */
static int map_pair(struct task *t, uint64_t at)
{
	int64_t ret;
	uint64_t magic = TRAP_MAGIC;
	int err = remote(t, SYS_mmap, at, 2 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, &ret);
	if (err)
		return err;
	if ((uint64_t)ret != at) {
		if (ret >= 0) /* a kernel without MAP_FIXED_NOREPLACE put it elsewhere */
			(void)remote(t, SYS_munmap, (uint64_t)ret, 2 * PAGE, 0, 0, &ret);
		return ret < 0 ? (int)ret : -EEXIST;
	}
	err = remote(t, SYS_mprotect, at, PAGE, PROT_READ | PROT_EXEC, 0, &ret);
	if (!err && ret < 0)
		err = (int)ret;
	if (!err)
		err = task_write(t, at + PAGE + DATA_MAGIC, &magic, sizeof(magic));
	if (err)
		(void)remote(t, SYS_munmap, at, 2 * PAGE, 0, 0, &ret);
	return err;
}

/*
 * Candidate places for a page pair serving code at addr: below the lowest
 * mapping of the executable (the lowest file mapping) for its own code,
 * above the highest mapping under the stack (where top-down allocation
 * starts) for the rest; each tried second for the other kind.
 */
static size_t candidates(struct task *t, uint64_t addr, uint64_t out[4])
{
	struct task_map *m;
	size_t n, k = 0;
	uint64_t high = 0, obj_lo = 0, exe_lo = 0, stack = UINT64_MAX;
	const char *exe = NULL, *obj = NULL;
	uint64_t exe_ino = 0, obj_ino = 0;

	if (task_read_maps(t, &m, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(m[i].path, "[stack]"))
			stack = m[i].start;
		if (!exe && m[i].inode) {
			exe = m[i].path;
			exe_ino = m[i].inode;
		}
		if (m[i].start <= addr && addr < m[i].end) {
			obj = m[i].path;
			obj_ino = m[i].inode;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (m[i].end <= stack && m[i].start >= (1ull << 32) && m[i].end > high &&
		    strcmp(m[i].path, "[vsyscall]"))
			high = m[i].end;
		if (exe && m[i].inode == exe_ino && !strcmp(m[i].path, exe) && !exe_lo)
			exe_lo = m[i].start;
		if (obj && m[i].inode == obj_ino && !strcmp(m[i].path, obj) && !obj_lo)
			obj_lo = m[i].start;
	}
	if (obj && exe && obj_ino == exe_ino && !strcmp(obj, exe) && exe_lo > 2 * PAGE + 0x10000) {
		out[k++] = exe_lo - 2 * PAGE;
		if (high)
			out[k++] = high;
	} else {
		if (high)
			out[k++] = high;
		/*
		 * Where [stack] is not named (a replay's rebuilt address space) or far
		 * away: the end of the run of mappings around addr (the libraries end
		 * at mmap_base, above which nothing is allocated top-down).
		 */
		size_t i = 0;
		while (i < n && m[i].end <= addr)
			i++;
		while (i + 1 < n && m[i + 1].start - m[i].end < (256ull << 20) &&
		       m[i + 1].start - addr < (1ull << 30) && m[i + 1].end <= stack)
			i++;
		if (i < n && m[i].end != high && k < 3)
			out[k++] = m[i].end;
		if (obj_lo > 2 * PAGE + 0x10000)
			out[k++] = obj_lo - 2 * PAGE;
	}
	task_maps_free(m, n);
	return k;
}

/* A page pair with a free slot within reach of addr, mapping one if needed: index or -errno. */
static int get_page(struct trap_set *s, struct task *t, uint64_t addr, int *ret_slot)
{
	uint64_t cand[4];
	size_t nc;
	int freep = -1;

	for (int i = 0; i < MAX_PAGES; i++) {
		struct trap_page *p = &s->pages[i];
		if (!p->used) {
			if (freep < 0)
				freep = i;
			continue;
		}
		if (!reaches(p->code, addr))
			continue;
		for (unsigned k = 0; k < TRAP_SLOTS; k++)
			if (!p->slot_used[k]) {
				*ret_slot = (int)k;
				return i;
			}
	}
	if (freep < 0)
		return -ENOTSUP;
	nc = candidates(t, addr, cand);
	for (size_t i = 0; i < nc; i++) {
		int err;
		if (!reaches(cand[i], addr))
			continue;
		err = map_pair(t, cand[i]);
		if (err == -EEXIST)
			continue;
		if (err)
			return err;
		s->pages[freep] = (struct trap_page){ .used = true, .code = cand[i] };
		update_ranges(s);
		*ret_slot = 0;
		return freep;
	}
	return -ENOTSUP;
}

static void put_page(struct trap_set *s, struct task *t, int i)
{
	int64_t ret;
	if (!s->pages[i].used)
		return;
	if (t && t->stop != TS_EXITED)
		(void)remote(t, SYS_munmap, s->pages[i].code, 2 * PAGE, 0, 0, &ret);
	s->pages[i].used = false;
	update_ranges(s);
}

/* ---- traps ---- */

static int place(struct trap_set *s, struct task *t, struct trap *tr)
{
	ZydisDecodedInstruction in;
	uint8_t jmp[5];
	struct as *a;
	int slot = 0, page, err;
	size_t got;

	/* Near the end of a mapping, decode only what is there. */
	memset(tr->orig, 0, sizeof(tr->orig));
	got = task_read_prefix(t, tr->addr, tr->orig, sizeof(tr->orig));
	if (got < TRAP_MIN_INSN)
		return -EFAULT;
	if (!decode(tr->orig, got, &in) || is_barrier(&in) ||
	    in.length < TRAP_MIN_INSN)
		return -ENOTSUP;
	tr->len = in.length;
	page = get_page(s, t, tr->addr, &slot);
	if (page < 0)
		return page;
	a = xcalloc(1, sizeof(*a));
	tr->page = page;
	tr->slot = slot;
	tr->tramp = s->pages[page].code + (uint64_t)slot * SLOT_SIZE;
	a->base = tr->tramp;
	{
		struct copy_plan *p = xcalloc(1, sizeof(*p));
		if (tr->point)
			plan_copy(s, t, tr, &in, p);
		if (tr->no_dead_flags)
			p->dead = false;
		err = build(a, tr, &in, s->pages[page].code + PAGE, p);
		free(p);
	}
	if (!err)
		err = task_write(t, tr->tramp, a->b, a->n);
	free(a);
	if (err)
		goto out_page;
	jmp[0] = 0xe9;
	int32_t rel = (int32_t)(int64_t)(tr->tramp + tr->head - (tr->addr + 5));
	memcpy(jmp + 1, &rel, 4);
	err = task_write(t, tr->addr, jmp, sizeof(jmp));
	if (err)
		goto out_page;
	s->pages[page].slot_used[slot] = true;
	tr->inserted = true;
	return 0;
out_page:
	{
		bool any = false;
		for (unsigned k = 0; k < TRAP_SLOTS; k++)
			any |= s->pages[page].slot_used[k];
		if (!any)
			put_page(s, t, page);
	}
	return err;
}

static int insert(struct trap_set *s, struct task *t, uint64_t addr, const struct trap_cond *cond,
		  const struct trap *opts, int *ret_id)
{
	int id = -1, left[TRAP_MAX_NODES], err;

	if (!trap_enabled())
		return -ENOTSUP;
	if (trap_find(s, addr) >= 0)
		return -EEXIST;
	if (!shape(cond, left))
		return -ENOTSUP;
	for (int i = 0; i < MAX_TRAPS && id < 0; i++)
		if (!s->traps[i].used)
			id = i;
	if (id < 0)
		return -ENOTSUP;
	struct trap *tr = &s->traps[id];
	*tr = *opts;
	tr->addr = addr;
	tr->cond = *cond;
	err = place(s, t, tr);
	if (err)
		return err;
	tr->used = true;
	*ret_id = id;
	return 0;
}

int trap_insert(struct trap_set *s, struct task *t, uint64_t addr, const struct trap_cond *cond,
		int *ret_id)
{
	static const struct trap plain;
	return insert(s, t, addr, cond, &plain, ret_id);
}

int trap_insert_point(struct trap_set *s, struct task *t, uint64_t addr,
		      const struct trap_cond *cond, const uint64_t *avoid, size_t navoid,
		      bool no_dead_flags, int *ret_id)
{
	struct trap *o = xcalloc(1, sizeof(*o));
	int err;
	o->point = true;
	o->no_dead_flags = no_dead_flags;
	o->navoid = navoid > TRAP_MAX_AVOID ? TRAP_MAX_AVOID + 1 : (unsigned)navoid;
	if (navoid <= TRAP_MAX_AVOID && navoid)
		memcpy(o->avoid, avoid, navoid * sizeof(*avoid));
	err = insert(s, t, addr, cond, o, ret_id);
	free(o);
	return err;
}

static void unplace(struct trap_set *s, struct task *t, struct trap *tr)
{
	if (!tr->inserted)
		return;
	if (t && t->stop != TS_EXITED)
		(void)task_write(t, tr->addr, tr->orig, TRAP_MIN_INSN);
	s->pages[tr->page].slot_used[tr->slot] = false;
	tr->inserted = false;
}

int trap_remove(struct trap_set *s, struct task *t, int id)
{
	if (id < 0 || id >= MAX_TRAPS || !s->traps[id].used)
		return 0;
	unplace(s, t, &s->traps[id]);
	s->traps[id].used = false;
	return 0;
}

int trap_find(const struct trap_set *s, uint64_t addr)
{
	for (int i = 0; i < MAX_TRAPS; i++)
		if (s->traps[i].used && s->traps[i].addr == addr)
			return i;
	return -1;
}

size_t trap_count(const struct trap_set *s)
{
	size_t n = 0;
	for (int i = 0; i < MAX_TRAPS; i++)
		n += s->traps[i].used && s->traps[i].inserted;
	return n;
}

/*
 * Offsets from a trampoline's entry: rax is saved after the first
 * instruction, the flags after the fourth. From the slot's start, in the
 * fast part: rcx is saved after the first.
 */
#define RAX_SAVED 7
#define FLAGS_SAVED 18
#define RCX_SAVED 7

static struct trap *trap_at_rip(struct trap_set *s, uint64_t rip)
{
	for (int i = 0; i < MAX_TRAPS; i++) {
		struct trap *tr = &s->traps[i];
		if (tr->used && tr->inserted && rip >= tr->tramp && rip < tr->tramp + SLOT_SIZE)
			return tr;
	}
	return NULL;
}

/* Arithmetic flags of a dead-flag trap at its match: the condition's. */
static void want_flags(const struct trap *tr, struct user_regs_struct *regs)
{
	regs->eflags = (regs->eflags & ~(uint64_t)ARITH_FLAGS) | (tr->want_flags & ARITH_FLAGS);
}

bool trap_locate(struct trap_set *s, struct task *t, struct user_regs_struct *regs)
{
	struct trap *tr = trap_at_rip(s, regs->rip);
	uint64_t off, data, v[2];
	bool in_cond;

	if (!tr)
		return false;
	off = regs->rip - tr->tramp;
	if (off >= tr->head && off < tr->entry) {
		if (tr->dead_flags && off != tr->head)
			return false; /* after the cmp: the program's flags are gone */
		/* The fast part: rcx is ours from its first store until it is loaded back. */
		if (!tr->dead_flags && off >= tr->head + RCX_SAVED && off != tr->fast_out) {
			data = s->pages[tr->page].code + PAGE;
			if (task_read(t, data + DATA_RCX, &regs->rcx, sizeof(regs->rcx)))
				return false;
		}
		regs->rip = tr->addr; /* the instruction has not run */
		return true;
	}
	in_cond = (off >= tr->head && off < tr->cont) || (off >= tr->cont_end && off <= tr->int3);
	if (in_cond && tr->dead_flags && off != tr->int3 && off != tr->int3 + 1)
		return false; /* flags clobbered and the condition not known to hold */
	if (in_cond && off >= tr->entry + RAX_SAVED) {
		data = s->pages[tr->page].code + PAGE;
		if (task_read(t, data + DATA_SAVE, v, sizeof(v)))
			return false;
		regs->rax = v[0];
		if (off >= tr->entry + FLAGS_SAVED)
			regs->eflags = (regs->eflags & ~0x8d5ull) | ((v[1] >> 8) & 0xd5) |
				       ((v[1] & 1) << 11);
	}
	if ((in_cond || off == tr->int3 + 1) && tr->dead_flags)
		want_flags(tr, regs);
	if (in_cond || off == tr->int3 + 1) {
		regs->rip = tr->addr; /* the instruction has not run */
		return true;
	}
	if (tr->dead_flags && off >= tr->head && off < tr->flags_real)
		return false;
	for (unsigned i = 0; i < tr->nmap; i++)
		if (tr->map[i].off == off) {
			regs->rip = tr->map[i].addr; /* a copied instruction, or the way back */
			return true;
		}
	return false; /* inside a rewritten branch or call */
}

int trap_step_out(struct trap_set *s, struct task *t, struct user_regs_struct *regs)
{
	struct user_regs_struct *r;
	for (int i = 0; i < 64; i++) {
		int err = task_regs(t, &r);
		if (err)
			return err;
		*regs = *r;
		if (!trap_at_rip(s, regs->rip))
			return -ENOENT;
		if (trap_locate(s, t, regs))
			return 0;
		err = task_step(t, TR_SINGLESTEP, 0);
		if (err)
			return err;
		if (t->stop != TS_SIGNAL || t->sig != SIGTRAP)
			return -EINTR;
	}
	return -ENOENT;
}

enum trap_hit_kind trap_hit(struct trap_set *s, struct task *t, int sig,
			    struct user_regs_struct *regs, int *ret_id)
{
	struct trap *tr = trap_at_rip(s, regs->rip);
	struct user_regs_struct fixed = *regs;
	uint64_t off;

	if (!tr)
		return TRAP_HIT_NONE;
	off = regs->rip - tr->tramp;
	if (sig == SIGTRAP && off != tr->int3 + 1)
		return TRAP_HIT_NONE;
	if (sig != SIGTRAP && sig != SIGSEGV && sig != SIGBUS)
		return TRAP_HIT_NONE;
	if (!trap_locate(s, t, &fixed) || fixed.rip != tr->addr)
		return TRAP_HIT_NONE;
	*regs = fixed;
	*ret_id = (int)(tr - s->traps);
	if (sig == SIGTRAP)
		return TRAP_HIT;
	return off < tr->cont ? TRAP_HIT_FAULT : TRAP_HIT_INSN_FAULT;
}

uint64_t trap_continue_addr(const struct trap_set *s, int id)
{
	return s->traps[id].tramp + s->traps[id].cont;
}

void trap_hide(const struct trap_set *s, uint64_t addr, void *buf, size_t len)
{
	for (int i = 0; i < MAX_TRAPS; i++) {
		const struct trap *tr = &s->traps[i];
		if (!tr->used || !tr->inserted || tr->addr >= addr + len ||
		    tr->addr + TRAP_MIN_INSN <= addr)
			continue;
		for (unsigned k = 0; k < TRAP_MIN_INSN; k++)
			if (tr->addr + k >= addr && tr->addr + k < addr + len)
				((uint8_t *)buf)[tr->addr + k - addr] = tr->orig[k];
	}
}

const struct task_range *trap_ranges(const struct trap_set *s, size_t *ret_n)
{
	*ret_n = s->nranges;
	return s->ranges;
}

bool trap_overlaps(const struct trap_set *s, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < s->nranges; i++)
		if (s->ranges[i].start < end && start < s->ranges[i].end)
			return true;
	for (int i = 0; i < MAX_TRAPS; i++)
		if (s->traps[i].used && s->traps[i].inserted && s->traps[i].addr < end &&
		    start < s->traps[i].addr + s->traps[i].len)
			return true;
	return false;
}

int trap_detach(struct trap_set *s, struct task *t, bool forget)
{
	for (int i = 0; i < MAX_TRAPS; i++) {
		unplace(s, t, &s->traps[i]);
		if (forget)
			s->traps[i].used = false;
	}
	for (int i = 0; i < MAX_PAGES; i++)
		put_page(s, t, i);
	return 0;
}

int trap_attach(struct trap_set *s, struct task *t)
{
	int err = 0;
	if (!trap_enabled())
		return 0;
	for (int i = 0; i < MAX_TRAPS; i++) {
		struct trap *tr = &s->traps[i];
		if (!tr->used || tr->inserted)
			continue;
		int e = place(s, t, tr);
		if (e) {
			tr->used = false; /* the caller finds it gone with trap_find() */
			if (e == -ESRCH)
				err = e;
		}
	}
	return err;
}

void trap_recheck(struct trap_set *s, struct task *t)
{
	for (int i = 0; i < MAX_PAGES; i++) {
		uint64_t magic = 0;
		if (!s->pages[i].used)
			continue;
		if (task_read(t, s->pages[i].code + PAGE + DATA_MAGIC, &magic, sizeof(magic)) == 0 &&
		    magic == TRAP_MAGIC)
			continue;
		/* The page is gone: so are its trampolines. Put the original bytes back. */
		for (int k = 0; k < MAX_TRAPS; k++)
			if (s->traps[k].used && s->traps[k].inserted && s->traps[k].page == i) {
				unplace(s, t, &s->traps[k]);
				s->traps[k].used = false;
			}
		s->pages[i].used = false;
		update_ranges(s);
	}
	for (int i = 0; i < MAX_TRAPS; i++) {
		struct trap *tr = &s->traps[i];
		uint8_t b[5];
		int32_t rel = (int32_t)(int64_t)(tr->tramp + tr->head - (tr->addr + 5));
		if (!tr->used || !tr->inserted)
			continue;
		if (task_read(t, tr->addr, b, 5) == 0 && b[0] == 0xe9 && !memcmp(b + 1, &rel, 4))
			continue;
		/* The code was unmapped or replaced: the trap went with it. */
		s->pages[tr->page].slot_used[tr->slot] = false;
		tr->inserted = false;
		tr->used = false;
	}
}
