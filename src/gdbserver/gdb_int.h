/* SPDX-License-Identifier: MIT */
/*
 * gdbserver: private to the module. rsp.c frames GDB Remote Serial Protocol
 * packets on a connected socket; regs.c maps x86-64 registers to gdb's
 * amd64 register numbers and serves the target description.
 */
#ifndef REWIND_GDBSERVER_GDB_INT_H
#define REWIND_GDBSERVER_GDB_INT_H

#include <sys/user.h>

#include "base/buf.h"
#include "trap/trap.h"

/* ---- rsp.c: packet framing ---- */
struct rsp {
	int fd;            /* connected stream socket, O_CLOEXEC */
	bool no_ack;       /* QStartNoAckMode accepted */
	struct buf in;     /* bytes received, not yet consumed */
	struct buf pkt;    /* the last packet's payload, unescaped, NUL-terminated */
	struct buf out;    /* the packet being built */
	bool interrupted;  /* a 0x03 (Ctrl-C) byte arrived outside a packet */
};
void rsp_init(struct rsp *r, int fd);
void rsp_release(struct rsp *r);
/*
 * Receive one packet: handles '+'/'-' acks, checksums (replies '-' and waits
 * for the resend on a bad one), '}' escapes and '*' run-length encoding, and
 * Ctrl-C bytes (sets ->interrupted; *ret_interrupt true if a bare 0x03 came
 * and no packet). Payload in r->pkt (NUL-terminated, length r->pkt.len).
 * 0 or -errno (-EPIPE when gdb hung up).
 */
int rsp_recv(struct rsp *r, bool *ret_interrupt);
/* Poll without blocking for a pending Ctrl-C byte (during a long continue). */
bool rsp_poll_interrupt(struct rsp *r);
/* Send a packet with payload p[0..n) (escaping '#', '$', '}', '*'), wait for '+' unless no_ack. */
int rsp_send(struct rsp *r, const void *p, size_t n);
int rsp_send_str(struct rsp *r, const char *s);
int rsp_sendf(struct rsp *r, const char *fmt, ...) PRINTF(2, 3);
/* Hex helpers. */
void rsp_hex(struct buf *b, const void *p, size_t n);
/* Decode 2n hex chars into n bytes; false on a bad digit. */
bool rsp_unhex(const char *s, size_t n, void *dst);
/* Reply to qXfer:...:read:ANNEX:OFFSET,LENGTH with the slice of [data, data+len) ("m"/"l" prefix). */
int rsp_send_xfer(struct rsp *r, const void *data, size_t len, uint64_t off, uint64_t n);

/* ---- regs.c: amd64 registers ---- */
/* The full register state gdb sees. fpregs is the FXSAVE image; xstate may be NULL. */
struct gdb_regs {
	struct user_regs_struct gpr;
	struct user_fpregs_struct fp;
	unsigned char ymmh[16][16]; /* upper halves of ymm0..15 */
	bool have_avx;
};
/* The target description XML (amd64 core, sse, linux orig_rax, segments fs_base/gs_base, avx). */
const char *gdb_target_xml(bool avx);
/* Number of registers in that description. */
int gdb_nregs(bool avx);
/* Append register regno's value as hex, in target byte order; false if regno is unknown. */
bool gdb_reg_hex(const struct gdb_regs *r, int regno, struct buf *out);
/* Append all registers for a 'g' reply. */
void gdb_regs_hex(const struct gdb_regs *r, struct buf *out);
/* The user_regs_struct index of gdb register regno (rax..r15, rip, eflags), or -1. */
int gdb_reg_index(int regno);
/* The Expedited registers for a T stop reply: "06:...;07:...;10:...;" (rbp, rsp, rip). */
void gdb_expedite(const struct gdb_regs *r, struct buf *out);

/* ---- agent.c: gdb agent expressions (breakpoint conditions) ---- */
/* The opcodes rewind understands (gdb's ax.def numbers). */
enum ax_op {
	AX_ADD = 0x02, AX_SUB = 0x03, AX_MUL = 0x04, AX_DIV_SIGNED = 0x05,
	AX_DIV_UNSIGNED = 0x06, AX_REM_SIGNED = 0x07, AX_REM_UNSIGNED = 0x08, AX_LSH = 0x09,
	AX_RSH_SIGNED = 0x0a, AX_RSH_UNSIGNED = 0x0b, AX_LOG_NOT = 0x0e, AX_BIT_AND = 0x0f,
	AX_BIT_OR = 0x10, AX_BIT_XOR = 0x11, AX_BIT_NOT = 0x12, AX_EQUAL = 0x13,
	AX_LESS_SIGNED = 0x14, AX_LESS_UNSIGNED = 0x15, AX_EXT = 0x16, AX_REF8 = 0x17,
	AX_REF16 = 0x18, AX_REF32 = 0x19, AX_REF64 = 0x1a, AX_IF_GOTO = 0x20, AX_GOTO = 0x21,
	AX_CONST8 = 0x22, AX_CONST16 = 0x23, AX_CONST32 = 0x24, AX_CONST64 = 0x25, AX_REG = 0x26,
	AX_END = 0x27, AX_DUP = 0x28, AX_POP = 0x29, AX_ZERO_EXT = 0x2a, AX_SWAP = 0x2b,
	AX_PICK = 0x32, AX_ROT = 0x33,
};
/* Bytes of operand that follow each supported opcode; -1: not supported. */
int gdb_ax_operand_bytes(uint8_t op);
/* An n-byte big-endian operand. */
uint64_t gdb_ax_be(const uint8_t *p, int n);
struct gdb_ax_ctx {
	void *arg;
	/* gdb register number -> value; 0 or -errno. */
	int (*reg)(void *arg, int regno, uint64_t *ret);
	/* Read size bytes (1, 2, 4, 8) little-endian into *ret; 0 or -errno. */
	int (*read)(void *arg, uint64_t addr, uint64_t *ret, unsigned size);
};
/* Only opcodes this interpreter knows. */
bool gdb_ax_supported(const uint8_t *code, size_t len);
/* Run to 'end'; *ret: the top of the stack is non-zero. 0 or -errno (bad code, bad read). */
int gdb_ax_eval(const uint8_t *code, size_t len, const struct gdb_ax_ctx *ctx, bool *ret);

/* ---- agent_trap.c: conditions as in-tracee traps ---- */
/*
 * Compile the n expressions of a breakpoint at pc (true when any is) into
 * one trap condition. 0, or -ENOTSUP for shapes a trap cannot evaluate
 * (the server keeps interpreting those).
 */
int gdb_ax_compile(const uint8_t *const *code, const size_t *len, int n, uint64_t pc,
		   struct trap_cond *ret);

#endif /* REWIND_GDBSERVER_GDB_INT_H */
