// SPDX-License-Identifier: MIT
/*
 * The x86-64 registers as gdb's amd64-linux target description numbers
 * them, and that description. The features and their order are gdb's own
 * (gdb/features/i386/64bit-{core,sse,linux,segments,avx}.xml), so gdb
 * recognises the architecture and numbers the registers as it would for
 * its own gdbserver:
 *
 *   0-15  rax rbx rcx rdx rsi rdi rbp rsp r8-r15  8 bytes
 *   16    rip                                     8
 *   17-23 eflags cs ss ds es fs gs                4
 *   24-31 st0-st7                                 10
 *   32-39 fctrl fstat ftag fiseg fioff foseg fooff fop  4
 *   40-55 xmm0-xmm15                              16
 *   56    mxcsr                                   4
 *   57    orig_rax                                8
 *   58-59 fs_base gs_base                         8
 *   60-75 ymm0h-ymm15h (AVX only)                 16
 *
 * Values come from the FXSAVE image the way gdb's amd64_supply_fxsave()
 * reads it: the control words are zero-extended, fop keeps its 11 bits,
 * fiseg/foseg are the upper halves of the 64-bit FIP/FDP, and ftag is the
 * full tag word rebuilt from the abridged one.
 */
#include <stddef.h>
#include <string.h>

#include "gdbserver/gdb_int.h"

enum gdb_regno {
	GDB_RAX = 0,
	GDB_RBP = 6,
	GDB_RSP = 7,
	GDB_RIP = 16,
	GDB_EFLAGS = 17,
	GDB_ST0 = 24,
	GDB_FCTRL = 32,
	GDB_FSTAT,
	GDB_FTAG,
	GDB_FISEG,
	GDB_FIOFF,
	GDB_FOSEG,
	GDB_FOOFF,
	GDB_FOP,
	GDB_XMM0 = 40,
	GDB_MXCSR = 56,
	GDB_ORIG_RAX = 57,
	GDB_FS_BASE = 58,
	GDB_GS_BASE = 59,
	GDB_YMM0H = 60,
	GDB_NREGS_SSE = 60,
	GDB_NREGS_AVX = 76,
};

#define GPR(f) offsetof(struct user_regs_struct, f)

/* user_regs_struct offsets of registers 0..23 (rax..gs); the last seven are 4 bytes wide. */
static const unsigned short gpr_off[] = {
	GPR(rax), GPR(rbx), GPR(rcx), GPR(rdx), GPR(rsi), GPR(rdi), GPR(rbp), GPR(rsp),
	GPR(r8),  GPR(r9),  GPR(r10), GPR(r11), GPR(r12), GPR(r13), GPR(r14), GPR(r15),
	GPR(rip), GPR(eflags), GPR(cs), GPR(ss), GPR(ds), GPR(es), GPR(fs), GPR(gs),
};

int gdb_reg_index(int regno)
{
	if (regno < 0 || regno > 17)
		return -1;
	return gpr_off[regno] / 8;
}

/*
 * The target description. Attributes use single quotes to keep the C
 * readable; the regnum attributes restate what the order already implies.
 */
#define TDESC_HEAD                                                                          \
	"<?xml version='1.0'?>"                                                             \
	"<!DOCTYPE target SYSTEM 'gdb-target.dtd'>"                                         \
	"<target version='1.0'>"                                                            \
	"<architecture>i386:x86-64</architecture>"                                          \
	"<osabi>GNU/Linux</osabi>"

#define REG64(n, t) "<reg name='" n "' bitsize='64' type='" t "'/>"
#define REG32(n, t) "<reg name='" n "' bitsize='32' type='" t "'/>"
#define FLAG(n, bit) "<field name='" n "' start='" #bit "' end='" #bit "'/>"
#define ST(n) "<reg name='st" #n "' bitsize='80' type='i387_ext'/>"
#define FPCTL(n) "<reg name='" n "' bitsize='32' type='int' group='float'/>"
#define XMM(n) "<reg name='xmm" #n "' bitsize='128' type='vec128'/>"
#define YMMH(n) "<reg name='ymm" #n "h' bitsize='128' type='uint128'/>"

#define TDESC_CORE                                                                          \
	"<feature name='org.gnu.gdb.i386.core'>"                                            \
	"<flags id='i386_eflags' size='4'>"                                                 \
	FLAG("CF", 0) FLAG("", 1) FLAG("PF", 2) FLAG("AF", 4) FLAG("ZF", 6) FLAG("SF", 7)   \
	FLAG("TF", 8) FLAG("IF", 9) FLAG("DF", 10) FLAG("OF", 11) FLAG("NT", 14)            \
	FLAG("RF", 16) FLAG("VM", 17) FLAG("AC", 18) FLAG("VIF", 19) FLAG("VIP", 20)        \
	FLAG("ID", 21)                                                                      \
	"</flags>"                                                                          \
	REG64("rax", "int64") REG64("rbx", "int64") REG64("rcx", "int64")                   \
	REG64("rdx", "int64") REG64("rsi", "int64") REG64("rdi", "int64")                   \
	REG64("rbp", "data_ptr") REG64("rsp", "data_ptr")                                   \
	REG64("r8", "int64") REG64("r9", "int64") REG64("r10", "int64")                     \
	REG64("r11", "int64") REG64("r12", "int64") REG64("r13", "int64")                   \
	REG64("r14", "int64") REG64("r15", "int64")                                         \
	REG64("rip", "code_ptr") REG32("eflags", "i386_eflags")                             \
	REG32("cs", "int32") REG32("ss", "int32") REG32("ds", "int32")                      \
	REG32("es", "int32") REG32("fs", "int32") REG32("gs", "int32")                      \
	ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)                                     \
	FPCTL("fctrl") FPCTL("fstat") FPCTL("ftag") FPCTL("fiseg")                          \
	FPCTL("fioff") FPCTL("foseg") FPCTL("fooff") FPCTL("fop")                           \
	"</feature>"

#define TDESC_SSE                                                                           \
	"<feature name='org.gnu.gdb.i386.sse'>"                                             \
	"<vector id='v8bf16' type='bfloat16' count='8'/>"                                   \
	"<vector id='v8h' type='ieee_half' count='8'/>"                                     \
	"<vector id='v4f' type='ieee_single' count='4'/>"                                   \
	"<vector id='v2d' type='ieee_double' count='2'/>"                                   \
	"<vector id='v16i8' type='int8' count='16'/>"                                       \
	"<vector id='v8i16' type='int16' count='8'/>"                                       \
	"<vector id='v4i32' type='int32' count='4'/>"                                       \
	"<vector id='v2i64' type='int64' count='2'/>"                                       \
	"<union id='vec128'>"                                                               \
	"<field name='v8_bfloat16' type='v8bf16'/>"                                         \
	"<field name='v8_half' type='v8h'/>"                                                \
	"<field name='v4_float' type='v4f'/>"                                               \
	"<field name='v2_double' type='v2d'/>"                                              \
	"<field name='v16_int8' type='v16i8'/>"                                             \
	"<field name='v8_int16' type='v8i16'/>"                                             \
	"<field name='v4_int32' type='v4i32'/>"                                             \
	"<field name='v2_int64' type='v2i64'/>"                                             \
	"<field name='uint128' type='uint128'/>"                                            \
	"</union>"                                                                          \
	"<flags id='i386_mxcsr' size='4'>"                                                  \
	FLAG("IE", 0) FLAG("DE", 1) FLAG("ZE", 2) FLAG("OE", 3) FLAG("UE", 4) FLAG("PE", 5) \
	FLAG("DAZ", 6) FLAG("IM", 7) FLAG("DM", 8) FLAG("ZM", 9) FLAG("OM", 10)             \
	FLAG("UM", 11) FLAG("PM", 12) FLAG("FZ", 15)                                        \
	"</flags>"                                                                          \
	"<reg name='xmm0' bitsize='128' type='vec128' regnum='40'/>"                        \
	XMM(1) XMM(2) XMM(3) XMM(4) XMM(5) XMM(6) XMM(7) XMM(8)                             \
	XMM(9) XMM(10) XMM(11) XMM(12) XMM(13) XMM(14) XMM(15)                              \
	"<reg name='mxcsr' bitsize='32' type='i386_mxcsr' group='vector'/>"                 \
	"</feature>"

#define TDESC_LINUX                                                                         \
	"<feature name='org.gnu.gdb.i386.linux'>"                                           \
	"<reg name='orig_rax' bitsize='64' type='int' regnum='57'/>"                        \
	"</feature>"

#define TDESC_SEGMENTS                                                                      \
	"<feature name='org.gnu.gdb.i386.segments'>"                                        \
	"<reg name='fs_base' bitsize='64' type='int' regnum='58'/>"                         \
	"<reg name='gs_base' bitsize='64' type='int'/>"                                     \
	"</feature>"

#define TDESC_AVX                                                                           \
	"<feature name='org.gnu.gdb.i386.avx'>"                                             \
	"<reg name='ymm0h' bitsize='128' type='uint128' regnum='60'/>"                      \
	YMMH(1) YMMH(2) YMMH(3) YMMH(4) YMMH(5) YMMH(6) YMMH(7) YMMH(8)                     \
	YMMH(9) YMMH(10) YMMH(11) YMMH(12) YMMH(13) YMMH(14) YMMH(15)                       \
	"</feature>"

#define TDESC_TAIL "</target>"

static const char tdesc_sse[] =
	TDESC_HEAD TDESC_CORE TDESC_SSE TDESC_LINUX TDESC_SEGMENTS TDESC_TAIL;
static const char tdesc_avx[] =
	TDESC_HEAD TDESC_CORE TDESC_SSE TDESC_LINUX TDESC_SEGMENTS TDESC_AVX TDESC_TAIL;

const char *gdb_target_xml(bool avx)
{
	return avx ? tdesc_avx : tdesc_sse;
}

int gdb_nregs(bool avx)
{
	return avx ? GDB_NREGS_AVX : GDB_NREGS_SSE;
}

static void put_le(unsigned char *d, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++, v >>= 8)
		d[i] = (unsigned char)v;
}

/* The x87 register at stack position i (ST(i)): 10 bytes at the start of its 16-byte slot. */
static const unsigned char *st_raw(const struct user_fpregs_struct *fp, unsigned int i)
{
	return (const unsigned char *)fp->st_space + 16 * i;
}

/* gdb's i387_tag(): classify a non-empty 80-bit register as valid 0, zero 1 or special 2. */
static unsigned int x87_tag(const unsigned char *raw)
{
	unsigned int exponent = (unsigned int)(raw[9] & 0x7f) << 8 | raw[8];
	bool integer = raw[7] & 0x80;
	uint64_t fraction;

	memcpy(&fraction, raw, 8);
	fraction &= ~(1ull << 63);
	if (exponent == 0x7fff)
		return 2;
	if (exponent == 0)
		return !fraction && !integer ? 1 : 2;
	return integer ? 0 : 2;
}

/*
 * FXSAVE keeps one "not empty" bit per physical register; the full tag word
 * has two bits per physical register (3 = empty). Physical register p holds
 * ST((p - TOP) mod 8).
 */
static uint16_t x87_full_tag(const struct user_fpregs_struct *fp)
{
	unsigned int top = (fp->swd >> 11) & 7;
	unsigned int tag = 0;

	for (unsigned int p = 0; p < 8; p++) {
		unsigned int t = 3;

		if (fp->ftw & (1u << p))
			t = x87_tag(st_raw(fp, (p - top) & 7));
		tag |= t << (2 * p);
	}
	return (uint16_t)tag;
}

static uint32_t fpctl_value(const struct user_fpregs_struct *fp, int regno)
{
	switch (regno) {
	case GDB_FCTRL:
		return fp->cwd;
	case GDB_FSTAT:
		return fp->swd;
	case GDB_FTAG:
		return x87_full_tag(fp);
	case GDB_FISEG:
		return (uint32_t)(fp->rip >> 32);
	case GDB_FIOFF:
		return (uint32_t)fp->rip;
	case GDB_FOSEG:
		return (uint32_t)(fp->rdp >> 32);
	case GDB_FOOFF:
		return (uint32_t)fp->rdp;
	case GDB_FOP:
		return fp->fop & 0x7ff;
	}
	BUG();
}

/* Register regno's bytes into d (at most 16); its size, or 0 if gdb has no such register. */
static size_t reg_bytes(const struct gdb_regs *r, int regno, unsigned char d[16])
{
	const struct user_fpregs_struct *fp = &r->fp;
	uint64_t v;

	if (regno < 0)
		return 0;
	if (regno < GDB_ST0) {
		memcpy(&v, (const unsigned char *)&r->gpr + gpr_off[regno], sizeof(v));
		put_le(d, v, regno <= GDB_RIP ? 8 : 4);
		return regno <= GDB_RIP ? 8 : 4;
	}
	if (regno < GDB_FCTRL) {
		memcpy(d, st_raw(fp, (unsigned int)(regno - GDB_ST0)), 10);
		return 10;
	}
	if (regno < GDB_XMM0) {
		put_le(d, fpctl_value(fp, regno), 4);
		return 4;
	}
	if (regno < GDB_MXCSR) {
		memcpy(d, (const unsigned char *)fp->xmm_space + 16 * (regno - GDB_XMM0), 16);
		return 16;
	}
	switch (regno) {
	case GDB_MXCSR:
		put_le(d, fp->mxcsr, 4);
		return 4;
	case GDB_ORIG_RAX:
		put_le(d, r->gpr.orig_rax, 8);
		return 8;
	case GDB_FS_BASE:
		put_le(d, r->gpr.fs_base, 8);
		return 8;
	case GDB_GS_BASE:
		put_le(d, r->gpr.gs_base, 8);
		return 8;
	}
	if (r->have_avx && regno < GDB_NREGS_AVX) {
		memcpy(d, r->ymmh[regno - GDB_YMM0H], 16);
		return 16;
	}
	return 0;
}

bool gdb_reg_hex(const struct gdb_regs *r, int regno, struct buf *out)
{
	unsigned char d[16];
	size_t n = reg_bytes(r, regno, d);

	if (!n)
		return false;
	rsp_hex(out, d, n);
	return true;
}

void gdb_regs_hex(const struct gdb_regs *r, struct buf *out)
{
	int n = gdb_nregs(r->have_avx);

	for (int i = 0; i < n; i++)
		(void)gdb_reg_hex(r, i, out);
}

void gdb_expedite(const struct gdb_regs *r, struct buf *out)
{
	static const int regs[] = { GDB_RBP, GDB_RSP, GDB_RIP };

	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		buf_printf(out, "%02x:", regs[i]);
		(void)gdb_reg_hex(r, regs[i], out);
		buf_put_u8(out, ';');
	}
}
