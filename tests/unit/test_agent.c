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
