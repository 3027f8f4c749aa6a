// SPDX-License-Identifier: MIT
/*
 * Unit tests for the agent-expression interpreter (src/gdbserver/agent.c):
 * the bytecode gdb sends for breakpoint conditions. Expressions are written
 * as gdb emits them for conditions such as "i == 99999" or "x < 0 && y".
 */
#include "harness.h" /* before project headers: base/banned.h renames libc functions */

#include <errno.h>
#include <string.h>

#include "gdbserver/gdb_int.h"

static uint64_t regs[64];
static uint64_t mem64 = 0x1122334455667788ull;

static int reg(void *arg, int regno, uint64_t *ret)
{
	(void)arg;
	if (regno < 0 || regno >= 64)
		return -EINVAL;
	*ret = regs[regno];
	return 0;
}

static int rd(void *arg, uint64_t addr, uint64_t *ret, unsigned size)
{
	(void)arg;
	if (addr != 0x1000)
		return -EFAULT;
	*ret = 0;
	memcpy(ret, &mem64, size);
	return 0;
}

static const struct gdb_ax_ctx ctx = { .reg = reg, .read = rd };

static int eval(const uint8_t *code, size_t n, bool *v)
{
	return gdb_ax_eval(code, n, &ctx, v);
}

TEST(reg_equals_constant)
{
	/* reg 5 (rdi), const32 99999, equal, end */
	static const uint8_t code[] = { 0x26, 0, 5, 0x24, 0, 1, 0x86, 0x9f, 0x13, 0x27 };
	bool v;
	ASSERT_TRUE(gdb_ax_supported(code, sizeof(code)));
	regs[5] = 99999;
	ASSERT_EQ(eval(code, sizeof(code), &v), 0);
	EXPECT_TRUE(v);
	regs[5] = 99998;
	ASSERT_EQ(eval(code, sizeof(code), &v), 0);
	EXPECT_FALSE(v);
}

TEST(memory_sign_extend_and_less)
{
	/* const16 0x1000, ref32, ext 32, const8 0, less_signed, end: (int)*0x1000 < 0 */
	static const uint8_t code[] = { 0x23, 0x10, 0x00, 0x19, 0x16, 32, 0x22, 0, 0x14, 0x27 };
	bool v;
	mem64 = 0xfffffffe; /* -2 as an int */
	ASSERT_EQ(eval(code, sizeof(code), &v), 0);
	EXPECT_TRUE(v);
	mem64 = 7;
	ASSERT_EQ(eval(code, sizeof(code), &v), 0);
	EXPECT_FALSE(v);
}

TEST(and_with_if_goto)
{
	/*
	 * reg 0; if_goto 11; const8 0; goto 14; (11:) reg 1; (14:) end
	 * -> rax ? rbx : 0, the shape gdb uses for &&.
	 */
	static const uint8_t fixed[] = { 0x26, 0, 0, 0x20, 0, 11, 0x22, 0, 0x21, 0, 14,
					 0x26, 0, 1, 0x27 };
	bool v;
	regs[0] = 1;
	regs[1] = 5;
	ASSERT_EQ(eval(fixed, sizeof(fixed), &v), 0);
	EXPECT_TRUE(v);
	regs[1] = 0;
	ASSERT_EQ(eval(fixed, sizeof(fixed), &v), 0);
	EXPECT_FALSE(v);
	regs[0] = 0;
	regs[1] = 5;
	ASSERT_EQ(eval(fixed, sizeof(fixed), &v), 0);
	EXPECT_FALSE(v);
}

TEST(bad_code_is_refused)
{
	static const uint8_t unknown[] = { 0x26, 0, 0, 0x01, 0x27 }; /* 0x01: float */
	static const uint8_t underflow[] = { 0x13, 0x27 };         /* equal on an empty stack */
	static const uint8_t no_end[] = { 0x22, 1 };
	static const uint8_t bad_read[] = { 0x22, 8, 0x1a, 0x27 }; /* *(u64 *)8 */
	static const uint8_t div0[] = { 0x22, 1, 0x22, 0, 0x05, 0x27 };
	static const uint8_t loop[] = { 0x21, 0, 0 };               /* goto 0 forever */
	bool v;
	EXPECT_FALSE(gdb_ax_supported(unknown, sizeof(unknown)));
	EXPECT_EQ(eval(underflow, sizeof(underflow), &v), -EINVAL);
	EXPECT_EQ(eval(no_end, sizeof(no_end), &v), -EINVAL);
	EXPECT_EQ(eval(bad_read, sizeof(bad_read), &v), -EFAULT);
	EXPECT_EQ(eval(div0, sizeof(div0), &v), -EDOM);
	EXPECT_EQ(eval(loop, sizeof(loop), &v), -ELOOP);
}

/* ---- gdb_ax_compile: the same answers as the interpreter, as a trap condition ---- */

static uint8_t cmem[64];
#define CMEM_BASE 0x7000

static int tread(void *arg, uint64_t addr, void *dst, size_t len)
{
	(void)arg;
	if (addr < CMEM_BASE || addr + len > CMEM_BASE + sizeof(cmem))
		return -EFAULT;
	memcpy(dst, cmem + (addr - CMEM_BASE), len);
	return 0;
}

static int ax_reg_u(void *arg, int regno, uint64_t *ret)
{
	int idx = gdb_reg_index(regno);
	if (idx < 0)
		return -EINVAL;
	*ret = *task_reg_ptr(arg, (unsigned)idx);
	return 0;
}

static int ax_read_u(void *arg, uint64_t addr, uint64_t *ret, unsigned size)
{
	*ret = 0;
	return tread(arg, addr, ret, size);
}

/* Compile code, then compare the trap condition with the interpreter on many states. */
static void check_same(const uint8_t *code, size_t len, int want_err)
{
	const uint8_t *codes[1] = { code };
	struct trap_cond c;
	struct user_regs_struct r;
	int err = gdb_ax_compile(codes, &len, 1, 0x401000, &c);

	ASSERT_EQ(err, want_err);
	if (err)
		return;
	for (int k = 0; k < 4000; k++) {
		struct gdb_ax_ctx uctx = { .arg = &r, .reg = ax_reg_u, .read = ax_read_u };
		bool a, b;
		uint64_t vals[] = { 0, 3, 4, 7, 20, 99999, (uint64_t)-5, 0x80000000u, 1ull << 40 };
		memset(&r, 0, sizeof(r));
		r.rdi = vals[k % 9];
		r.rsi = vals[(k / 9) % 9];
		r.rbp = CMEM_BASE + 32;
		r.rip = 0x401000;
		int32_t m = (int32_t)vals[(k / 81) % 9];
		memcpy(cmem + 32 - 0x14, &m, 4);
		ASSERT_EQ(gdb_ax_eval(code, len, &uctx, &a), 0);
		ASSERT_EQ(trap_cond_eval(&c, &r, tread, NULL, &b), 0);
		ASSERT_EQ(a, b);
	}
}

TEST(compile_register_int_equals)
{
	/* gdb -O1, `break f if i == 99999` with i in edi: reg 5, ext 32, const32, equal, end */
	static const uint8_t code[] = { 0x26, 0, 5, 0x16, 0x20, 0x24, 0, 1, 0x86, 0x9f, 0x13, 0x27 };
	check_same(code, sizeof(code), 0);
}

TEST(compile_frame_memory_int_equals)
{
	/* gdb -O0, i at fbreg -0x14 (CFA = rbp + 16): reg 6, const8 16, add, const8 0xdc,
	 * ext 8, add, ref32, ext 32, const32 99999, equal, end */
	static const uint8_t code[] = { 0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xdc, 0x16, 0x08,
					0x02, 0x19, 0x16, 0x20, 0x24, 0x00, 0x01, 0x86, 0x9f, 0x13,
					0x27 };
	check_same(code, sizeof(code), 0);
}

TEST(compile_and_or_as_gdb_emits_them)
{
	/* gdb -O0: `i > 3 && i != 7 || i == -5` */
	static const uint8_t code[] = {
		0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xdc, 0x16, 0x08, 0x02, 0x19, 0x16, 0x20,
		0x22, 0x03, 0x2b, 0x14, 0x20, 0x00, 0x18, 0x21, 0x00, 0x35, 0x26, 0x00, 0x06, 0x22,
		0x10, 0x02, 0x22, 0xdc, 0x16, 0x08, 0x02, 0x19, 0x16, 0x20, 0x22, 0x07, 0x13, 0x0e,
		0x20, 0x00, 0x30, 0x21, 0x00, 0x35, 0x22, 0x01, 0x21, 0x00, 0x37, 0x22, 0x00, 0x20,
		0x00, 0x55, 0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xdc, 0x16, 0x08, 0x02, 0x19,
		0x16, 0x20, 0x22, 0xfb, 0x16, 0x08, 0x13, 0x20, 0x00, 0x55, 0x22, 0x00, 0x21, 0x00,
		0x57, 0x22, 0x01, 0x27,
	};
	check_same(code, sizeof(code), 0);
}

TEST(compile_refuses_what_a_trap_cannot_do)
{
	/* rdi == rsi: two values, no constant */
	static const uint8_t two_regs[] = { 0x26, 0, 5, 0x26, 0, 4, 0x13, 0x27 };
	/* *(*rdi) == 1: a second dereference */
	static const uint8_t deref2[] = { 0x26, 0, 5, 0x1a, 0x1a, 0x22, 1, 0x13, 0x27 };
	/* rdi * 3 == 9 */
	static const uint8_t mul[] = { 0x26, 0, 5, 0x22, 3, 0x04, 0x22, 9, 0x13, 0x27 };
	check_same(two_regs, sizeof(two_regs), -ENOTSUP);
	check_same(deref2, sizeof(deref2), -ENOTSUP);
	check_same(mul, sizeof(mul), -ENOTSUP);
}
