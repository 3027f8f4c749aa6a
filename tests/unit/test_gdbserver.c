/* SPDX-License-Identifier: MIT */
/*
 * test_gdbserver: unit tests of the gdbserver module's framing (rsp.c) and
 * register layout (regs.c). The framing tests talk to struct rsp over a
 * socketpair, playing gdb on the other end with raw bytes: what gdb would
 * send is written first (the socket buffers it), then what rsp.c answered
 * is read back exactly. The register tests hold the 'g' layout against the
 * target description, and, when gdb is installed, the description against
 * gdb itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "harness.h" /* before project headers: base/banned.h renames libc functions */
#include "gdbserver/gdb_int.h"

struct pair {
	struct rsp r;
	int peer; /* gdb's end */
};

static void pair_open(struct pair *p)
{
	int sv[2];

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	rsp_init(&p->r, sv[0]);
	p->peer = sv[1];
}

static void pair_close(struct pair *p)
{
	close(p->r.fd);
	if (p->peer >= 0)
		close(p->peer);
	rsp_release(&p->r);
}

static void peer_write(struct pair *p, const void *s, size_t n)
{
	ASSERT_EQ(write(p->peer, s, n), (ssize_t)n);
}

static void peer_puts(struct pair *p, const char *s)
{
	peer_write(p, s, strlen(s));
}

/* Frame a raw (already escaped) payload as gdb would and send it. */
static void peer_packet(struct pair *p, const void *raw, size_t n)
{
	const unsigned char *c = raw;
	unsigned char sum = 0;
	char tail[4];

	for (size_t i = 0; i < n; i++)
		sum = (unsigned char)(sum + c[i]);
	snprintf(tail, sizeof(tail), "#%02x", sum);
	peer_puts(p, "$");
	peer_write(p, raw, n);
	peer_puts(p, tail);
}

static bool peer_pending(struct pair *p)
{
	struct pollfd pfd = { .fd = p->peer, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/* Read exactly n bytes from the peer side into a NUL-terminated static buffer. */
static const char *peer_read(struct pair *p, size_t n)
{
	static char got[8192];
	size_t have = 0;

	ASSERT_LT(n, sizeof(got));
	while (have < n) {
		ssize_t r = read(p->peer, got + have, n - have);

		ASSERT_GT(r, 0);
		have += (size_t)r;
	}
	got[n] = 0;
	return got;
}

TEST(recv_roundtrip_checksum_ack)
{
	struct pair p;
	bool intr = true;

	pair_open(&p);
	peer_puts(&p, "$m401000,4#f2"); /* checksum by hand: sum of "m401000,4" is 0x1f2 */
	ASSERT_EQ(rsp_recv(&p.r, &intr), 0);
	EXPECT_FALSE(intr);
	EXPECT_STREQ((const char *)p.r.pkt.data, "m401000,4");
	EXPECT_EQ(p.r.pkt.len, 9);
	EXPECT_STREQ(peer_read(&p, 1), "+");
	EXPECT_FALSE(peer_pending(&p));
	pair_close(&p);
}

TEST(recv_skips_acks_and_noise)
{
	struct pair p;

	pair_open(&p);
	peer_puts(&p, "++-junk");
	peer_packet(&p, "g", 1);
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	EXPECT_STREQ((const char *)p.r.pkt.data, "g");
	EXPECT_STREQ(peer_read(&p, 1), "+");
	pair_close(&p);
}

TEST(recv_bad_checksum_then_resend)
{
	struct pair p;

	pair_open(&p);
	peer_puts(&p, "$qSupported#00");
	peer_puts(&p, "$qSupported#zz");
	peer_packet(&p, "qSupported", 10);
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	EXPECT_STREQ((const char *)p.r.pkt.data, "qSupported");
	EXPECT_STREQ(peer_read(&p, 3), "--+");
	EXPECT_FALSE(peer_pending(&p));
	pair_close(&p);
}

TEST(recv_split_across_reads)
{
	struct pair p;

	pair_open(&p);
	peer_puts(&p, "$vCo");
	EXPECT_FALSE(rsp_poll_interrupt(&p.r)); /* pulls the partial packet into r.in */
	peer_puts(&p, "nt?#4");
	EXPECT_FALSE(rsp_poll_interrupt(&p.r));
	peer_puts(&p, "9"); /* sum of "vCont?" is 0x249 */
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	EXPECT_STREQ((const char *)p.r.pkt.data, "vCont?");
	EXPECT_STREQ(peer_read(&p, 1), "+");
	pair_close(&p);
}

TEST(recv_unescapes_binary)
{
	static const unsigned char raw[] = { 'X', '1', ',', '6', ':', '}', '#' ^ 0x20, '}',
					     '$' ^ 0x20, '}', '}' ^ 0x20, '}', '*' ^ 0x20,
					     0x03, 0x00 };
	static const unsigned char want[] = { 'X', '1', ',', '6', ':', '#', '$', '}', '*',
					      0x03, 0x00 };
	struct pair p;

	pair_open(&p);
	peer_packet(&p, raw, sizeof(raw));
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	ASSERT_EQ(p.r.pkt.len, sizeof(want));
	EXPECT_EQ(memcmp(p.r.pkt.data, want, sizeof(want)), 0);
	EXPECT_EQ(p.r.pkt.data[p.r.pkt.len], 0);
	EXPECT_FALSE(p.r.interrupted); /* the 0x03 was inside a packet */
	pair_close(&p);
}

TEST(recv_run_length)
{
	struct pair p;

	pair_open(&p);
	/* "0* ": ' ' is 32 = 3 + 29, three more '0's; "1*\"": '"' is 34, five more '1's. */
	peer_packet(&p, "m0* ,1*\"x", 9);
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	EXPECT_STREQ((const char *)p.r.pkt.data, "m0000,111111x");
	pair_close(&p);
}

TEST(recv_malformed_payload)
{
	struct pair p;

	pair_open(&p);
	peer_packet(&p, "X}", 2);
	peer_packet(&p, "*!", 2);
	peer_packet(&p, "ok", 2);
	EXPECT_EQ(rsp_recv(&p.r, NULL), -EBADMSG);
	EXPECT_EQ(rsp_recv(&p.r, NULL), -EBADMSG);
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	EXPECT_STREQ((const char *)p.r.pkt.data, "ok");
	EXPECT_STREQ(peer_read(&p, 3), "+++");
	pair_close(&p);
}

TEST(recv_ctrl_c)
{
	struct pair p;
	bool intr = false;

	pair_open(&p);
	peer_puts(&p, "\x03");
	peer_packet(&p, "?", 1);
	ASSERT_EQ(rsp_recv(&p.r, &intr), 0);
	EXPECT_TRUE(intr);
	EXPECT_TRUE(p.r.interrupted);
	EXPECT_EQ(p.r.pkt.len, 0);
	ASSERT_EQ(rsp_recv(&p.r, &intr), 0);
	EXPECT_FALSE(intr);
	EXPECT_STREQ((const char *)p.r.pkt.data, "?");
	EXPECT_STREQ(peer_read(&p, 1), "+"); /* no ack for the Ctrl-C itself */
	pair_close(&p);
}

TEST(poll_interrupt)
{
	struct pair p;

	pair_open(&p);
	EXPECT_FALSE(rsp_poll_interrupt(&p.r));
	EXPECT_FALSE(p.r.interrupted);
	peer_puts(&p, "+\x03");
	peer_packet(&p, "g", 1);
	EXPECT_TRUE(rsp_poll_interrupt(&p.r));
	EXPECT_TRUE(p.r.interrupted);
	EXPECT_FALSE(rsp_poll_interrupt(&p.r)); /* consumed */
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	EXPECT_STREQ((const char *)p.r.pkt.data, "g");
	pair_close(&p);
}

TEST(poll_ignores_0x03_inside_packet)
{
	struct pair p;

	pair_open(&p);
	peer_puts(&p, "$X0,1:\x03"); /* unfinished binary write carrying a 0x03 */
	EXPECT_FALSE(rsp_poll_interrupt(&p.r));
	peer_puts(&p, "#22\x03"); /* then a real Ctrl-C after it */
	EXPECT_TRUE(rsp_poll_interrupt(&p.r));
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	EXPECT_EQ(p.r.pkt.len, 6);
	EXPECT_EQ(memcmp(p.r.pkt.data, "X0,1:\x03", 6), 0);
	pair_close(&p);
}

TEST(send_waits_for_ack)
{
	struct pair p;

	pair_open(&p);
	peer_puts(&p, "+");
	ASSERT_EQ(rsp_send_str(&p.r, "OK"), 0);
	EXPECT_STREQ(peer_read(&p, 6), "$OK#9a");
	EXPECT_FALSE(peer_pending(&p));
	EXPECT_EQ(p.r.in.len, 0);
	pair_close(&p);
}

TEST(send_resends_on_nak)
{
	struct pair p;

	pair_open(&p);
	peer_puts(&p, "-\x03+");
	ASSERT_EQ(rsp_sendf(&p.r, "T%02xthread:%x;", 5, 0x1234), 0);
	EXPECT_STREQ(peer_read(&p, 38), "$T05thread:1234;#70$T05thread:1234;#70");
	EXPECT_TRUE(p.r.interrupted);
	EXPECT_FALSE(peer_pending(&p));
	pair_close(&p);
}

TEST(send_ack_then_packet_kept)
{
	struct pair p;

	pair_open(&p);
	peer_puts(&p, "+");
	peer_packet(&p, "c", 1);
	ASSERT_EQ(rsp_send_str(&p.r, "S05"), 0);
	EXPECT_STREQ(peer_read(&p, 7), "$S05#b8");
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	EXPECT_STREQ((const char *)p.r.pkt.data, "c");
	pair_close(&p);
}

TEST(send_escapes)
{
	static const char want[] = "$a}\x03}\x04}]}\x0a" "b#";
	struct pair p;
	const char *got;
	unsigned char sum = 0;
	char cs[3];

	pair_open(&p);
	p.r.no_ack = true;
	ASSERT_EQ(rsp_send(&p.r, "a#$}*b", 6), 0);
	got = peer_read(&p, sizeof(want) - 1 + 2);
	EXPECT_EQ(memcmp(got, want, sizeof(want) - 1), 0);
	for (size_t i = 1; i < sizeof(want) - 2; i++)
		sum = (unsigned char)(sum + (unsigned char)want[i]);
	snprintf(cs, sizeof(cs), "%02x", sum);
	EXPECT_STREQ(got + sizeof(want) - 1, cs);
	pair_close(&p);
}

TEST(escape_roundtrip)
{
	struct pair p, q;
	unsigned char all[256];
	int sv[2];

	/* Everything rsp_send() frames, rsp_recv() must give back byte for byte. */
	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)i;
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	rsp_init(&p.r, sv[0]);
	rsp_init(&q.r, sv[1]);
	p.peer = q.peer = -1;
	p.r.no_ack = q.r.no_ack = true;
	ASSERT_EQ(rsp_send(&p.r, all, sizeof(all)), 0);
	ASSERT_EQ(rsp_recv(&q.r, NULL), 0);
	ASSERT_EQ(q.r.pkt.len, sizeof(all));
	EXPECT_EQ(memcmp(q.r.pkt.data, all, sizeof(all)), 0);
	pair_close(&p);
	pair_close(&q);
}

TEST(no_ack_mode)
{
	struct pair p;

	pair_open(&p);
	p.r.no_ack = true;
	peer_puts(&p, "$qC#00"); /* bad checksum: taken as is, like gdbserver */
	ASSERT_EQ(rsp_recv(&p.r, NULL), 0);
	EXPECT_STREQ((const char *)p.r.pkt.data, "qC");
	EXPECT_FALSE(peer_pending(&p));
	ASSERT_EQ(rsp_send_str(&p.r, "QC1"), 0); /* would hang waiting for '+' otherwise */
	EXPECT_STREQ(peer_read(&p, 7), "$QC1#c5");
	EXPECT_FALSE(peer_pending(&p));
	pair_close(&p);
}

TEST(hangup_is_epipe)
{
	struct pair p;

	signal(SIGPIPE, SIG_DFL);
	pair_open(&p);
	peer_puts(&p, "$g#6");
	close(p.peer);
	p.peer = -1;
	EXPECT_EQ(rsp_recv(&p.r, NULL), -EPIPE);
	EXPECT_EQ(rsp_send_str(&p.r, "OK"), -EPIPE);
	pair_close(&p);
}

TEST(hex_helpers)
{
	struct buf b = BUF_INIT;
	unsigned char out[4];

	rsp_hex(&b, "\x00\x7f\xab\xff", 4);
	EXPECT_STREQ(buf_cstr(&b), "007fabff");
	ASSERT_TRUE(rsp_unhex("007FabFF", 4, out));
	EXPECT_EQ(memcmp(out, "\x00\x7f\xab\xff", 4), 0);
	EXPECT_FALSE(rsp_unhex("0g", 1, out));
	EXPECT_FALSE(rsp_unhex("0", 1, out));
	buf_release(&b);
}

/* Send rsp_send_xfer()'s reply in no-ack mode and return its payload. */
static const char *xfer(struct pair *p, const char *data, uint64_t off, uint64_t n)
{
	static char payload[256];
	char c;
	size_t i = 0;

	ASSERT_EQ(rsp_send_xfer(&p->r, data, strlen(data), off, n), 0);
	ASSERT_EQ(read(p->peer, &c, 1), 1);
	ASSERT_EQ(c, '$');
	for (;;) {
		ASSERT_EQ(read(p->peer, &c, 1), 1);
		if (c == '#')
			break;
		ASSERT_LT(i, sizeof(payload) - 1);
		payload[i++] = c;
	}
	payload[i] = 0;
	(void)peer_read(p, 2);
	return payload;
}

TEST(xfer_slices)
{
	struct pair p;

	pair_open(&p);
	p.r.no_ack = true;
	EXPECT_STREQ(xfer(&p, "<target/>", 0, 4), "m<tar");
	EXPECT_STREQ(xfer(&p, "<target/>", 4, 4), "mget/");
	EXPECT_STREQ(xfer(&p, "<target/>", 8, 4), "l>");
	EXPECT_STREQ(xfer(&p, "<target/>", 5, 4), "let/>");
	EXPECT_STREQ(xfer(&p, "<target/>", 0, 100), "l<target/>");
	EXPECT_STREQ(xfer(&p, "<target/>", 9, 4), "l");
	EXPECT_STREQ(xfer(&p, "<target/>", 1000, 4), "l");
	EXPECT_STREQ(xfer(&p, "a#b$c}", 0, 3), "ma}\x03" "b");
	EXPECT_STREQ(xfer(&p, "a#b$c}", 3, 10), "l}\x04" "c}]");
	pair_close(&p);
}

/* ---- regs.c ---- */

#define SSE_BYTES (16 * 8 + 8 + 7 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 8 + 2 * 8)
#define AVX_BYTES (SSE_BYTES + 16 * 16)

/* A register file where every byte is distinct enough to catch a misplaced field. */
static void fill_regs(struct gdb_regs *r, bool avx)
{
	unsigned char *p = (unsigned char *)r;

	for (size_t i = 0; i < sizeof(*r); i++)
		p[i] = (unsigned char)(i * 7 + 1);
	r->have_avx = avx;
}

static char *reg_hex(const struct gdb_regs *r, int regno)
{
	static struct buf b;

	buf_reset(&b);
	if (!gdb_reg_hex(r, regno, &b))
		return NULL;
	return (char *)buf_cstr(&b);
}

static const char *le_hex(uint64_t v, size_t n)
{
	static char s[40];
	struct buf b = BUF_INIT;

	ASSERT_LE(n, 8);
	for (size_t i = 0; i < n; i++, v >>= 8)
		buf_printf(&b, "%02x", (unsigned int)(v & 0xff));
	snprintf(s, sizeof(s), "%s", buf_cstr(&b));
	buf_release(&b);
	return s;
}

TEST(regs_count_and_length)
{
	struct gdb_regs r;
	struct buf b = BUF_INIT;
	size_t sum = 0;

	EXPECT_EQ(gdb_nregs(false), 60);
	EXPECT_EQ(gdb_nregs(true), 76);
	fill_regs(&r, false);
	gdb_regs_hex(&r, &b);
	EXPECT_EQ(b.len, 2 * SSE_BYTES);
	for (int i = 0; i < gdb_nregs(false); i++) {
		const char *h = reg_hex(&r, i);

		ASSERT_NONNULL(h);
		sum += strlen(h);
	}
	EXPECT_EQ(sum, b.len);
	EXPECT_NULL(reg_hex(&r, 60)); /* no AVX state */
	EXPECT_NULL(reg_hex(&r, -1));

	fill_regs(&r, true);
	buf_reset(&b);
	gdb_regs_hex(&r, &b);
	EXPECT_EQ(b.len, 2 * AVX_BYTES);
	EXPECT_NONNULL(reg_hex(&r, 75));
	EXPECT_NULL(reg_hex(&r, 76));
	buf_release(&b);
}

TEST(regs_values_and_offsets)
{
	struct gdb_regs r;
	struct buf b = BUF_INIT;
	const char *g;

	fill_regs(&r, true);
	r.gpr.rax = 0x1122334455667788ull;
	r.gpr.rip = 0x0000555555555131ull;
	r.gpr.eflags = 0xdead000000000246ull;
	r.gpr.cs = 0x33;
	r.gpr.gs = 0;
	r.gpr.orig_rax = (unsigned long long)-1;
	r.gpr.fs_base = 0x7ffff7d8a740ull;
	r.gpr.gs_base = 0;
	r.fp.cwd = 0x37f;
	r.fp.swd = 0;
	r.fp.ftw = 0;
	r.fp.fop = 0xf8ad; /* upper five bits are not part of the opcode */
	r.fp.rip = 0x12345678abcdef01ull;
	r.fp.rdp = 0x9abcdef0ull;
	r.fp.mxcsr = 0x1f80;
	memset(r.ymmh[15], 0xee, 16);
	gdb_regs_hex(&r, &b);
	g = buf_cstr(&b);

	EXPECT_EQ(strncmp(g, "8877665544332211", 16), 0);
	EXPECT_EQ(strncmp(g + 2 * 128, "3151555555550000", 16), 0); /* rip, regno 16 */
	EXPECT_EQ(strncmp(g + 2 * 136, "46020000", 8), 0);          /* eflags, 32 bits */
	EXPECT_EQ(strncmp(g + 2 * 140, "33000000", 8), 0);          /* cs */
	EXPECT_EQ(strncmp(g + 2 * 160, "00000000", 8), 0);          /* gs */
	EXPECT_STREQ(reg_hex(&r, 16), "3151555555550000");
	EXPECT_STREQ(reg_hex(&r, 17), "46020000");
	EXPECT_STREQ(reg_hex(&r, 32), "7f030000"); /* fctrl */
	EXPECT_STREQ(reg_hex(&r, 34), "ffff0000"); /* ftag: all empty */
	EXPECT_STREQ(reg_hex(&r, 35), "78563412"); /* fiseg: FIP bits 63:32 */
	EXPECT_STREQ(reg_hex(&r, 36), "01efcdab"); /* fioff */
	EXPECT_STREQ(reg_hex(&r, 37), "00000000"); /* foseg */
	EXPECT_STREQ(reg_hex(&r, 38), "f0debc9a"); /* fooff */
	EXPECT_STREQ(reg_hex(&r, 39), "ad000000"); /* fop & 0x7ff */
	EXPECT_STREQ(reg_hex(&r, 56), "801f0000"); /* mxcsr */
	EXPECT_STREQ(reg_hex(&r, 57), "ffffffffffffffff");
	EXPECT_STREQ(reg_hex(&r, 58), "40a7d8f7ff7f0000");
	EXPECT_STREQ(reg_hex(&r, 59), "0000000000000000");
	EXPECT_EQ(strncmp(g + 2 * 536, "ffffffffffffffff40a7d8f7ff7f0000", 32), 0);
	EXPECT_STREQ(reg_hex(&r, 75), "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
	EXPECT_STREQ(g + 2 * (AVX_BYTES - 16), "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
	buf_release(&b);
}

#define U(f) offsetof(struct user_regs_struct, f)
static const size_t gpr_off[] = {
	U(rax), U(rbx), U(rcx), U(rdx), U(rsi), U(rdi), U(rbp), U(rsp), U(r8),
	U(r9),  U(r10), U(r11), U(r12), U(r13), U(r14), U(r15), U(rip),
};
#undef U

/* Registers 0..16 against their user_regs_struct fields. */
TEST(regs_gpr_order)
{
	struct gdb_regs r;

	fill_regs(&r, false);
	for (int i = 0; i < (int)ARRAY_SIZE(gpr_off); i++) {
		uint64_t v;

		memcpy(&v, (const char *)&r.gpr + gpr_off[i], 8);
		EXPECT_STREQ(reg_hex(&r, i), le_hex(v, 8));
	}
}

/* st0..7 are the low 10 bytes of each 16-byte slot; xmm0..15 their slots whole. */
TEST(regs_fp_slots)
{
	struct gdb_regs r;
	struct buf want = BUF_INIT;

	fill_regs(&r, false);
	for (int i = 0; i < 8; i++) {
		buf_reset(&want);
		rsp_hex(&want, (const char *)r.fp.st_space + 16 * i, 10);
		EXPECT_STREQ(reg_hex(&r, 24 + i), buf_cstr(&want));
	}
	for (int i = 0; i < 16; i++) {
		buf_reset(&want);
		rsp_hex(&want, (const char *)r.fp.xmm_space + 16 * i, 16);
		EXPECT_STREQ(reg_hex(&r, 40 + i), buf_cstr(&want));
	}
	buf_release(&want);
}

static void set_st(struct gdb_regs *r, int i, uint64_t mant, uint16_t sexp)
{
	unsigned char *p = (unsigned char *)r->fp.st_space + 16 * i;

	memcpy(p, &mant, 8);
	memcpy(p + 8, &sexp, 2);
}

TEST(regs_ftag)
{
	struct gdb_regs r;

	memset(&r, 0, sizeof(r));
	/* TOP = 0: physical register p is ST(p). */
	set_st(&r, 0, 1ull << 63, 0x3fff);  /* 1.0: valid */
	set_st(&r, 1, 0, 0x8000);           /* -0.0: zero */
	set_st(&r, 2, 3ull << 62, 0x7fff);  /* NaN: special */
	set_st(&r, 3, 1ull << 62, 0x3fff);  /* unnormal: special */
	set_st(&r, 4, 1, 0);                /* denormal: special */
	r.fp.ftw = 0x1f;
	EXPECT_STREQ(reg_hex(&r, 34), le_hex(0xfc00 | 2 << 8 | 2 << 6 | 2 << 4 | 1 << 2 | 0, 4));

	/* TOP = 7: ST(0) lives in physical register 7. */
	memset(&r, 0, sizeof(r));
	r.fp.swd = 7 << 11;
	r.fp.ftw = 0x80;
	set_st(&r, 0, 0, 0);
	EXPECT_STREQ(reg_hex(&r, 34), le_hex(0x7fff, 4));
	set_st(&r, 0, 1ull << 63, 0x4000);
	EXPECT_STREQ(reg_hex(&r, 34), le_hex(0x3fff, 4));
}

TEST(regs_expedite)
{
	struct gdb_regs r;
	struct buf b = BUF_INIT;

	memset(&r, 0, sizeof(r));
	r.gpr.rbp = 0x7fffffffe000ull;
	r.gpr.rsp = 0x7fffffffdff0ull;
	r.gpr.rip = 0x401000;
	gdb_expedite(&r, &b);
	EXPECT_STREQ(buf_cstr(&b), "06:00e0ffffff7f0000;07:f0dfffffff7f0000;10:0010400000000000;");
	buf_release(&b);
}

/*
 * A minimal well-formedness check: every tag closes in order, attributes
 * are quoted, and the root is <target>. Counts the <reg>s and sums their
 * bitsizes; a regnum attribute that disagrees with the position is "bad".
 */
static bool xml_walk(const char *x, int *ret_nregs, size_t *ret_bits, int *ret_bad_order)
{
	const char *stack[16];
	size_t len[16];
	int depth = 0, nregs = 0, bad = 0;
	size_t bits = 0;
	bool seen_root = false;
	const char *p = x;

	while ((p = strchr(p, '<'))) {
		const char *end = strchr(p, '>'), *name;
		size_t n;

		if (!end)
			return false;
		if (p[1] == '?' || p[1] == '!') {
			p = end + 1;
			continue;
		}
		if (p[1] == '/') {
			name = p + 2;
			n = strcspn(name, " >");
			if (!depth || len[depth - 1] != n || strncmp(stack[depth - 1], name, n))
				return false;
			depth--;
			p = end + 1;
			continue;
		}
		name = p + 1;
		n = strcspn(name, " />");
		if (!depth) {
			if (seen_root || n != 6 || strncmp(name, "target", 6))
				return false;
			seen_root = true;
		}
		for (const char *q = name + n; q < end; q++) {
			if (*q == '=' && q[1] != '\'' && q[1] != '"')
				return false;
		}
		if (n == 3 && !strncmp(name, "reg", 3)) {
			const char *bs = strstr(name, "bitsize='");
			const char *rn = strstr(name, "regnum='");

			if (!bs || bs > end)
				return false;
			if (rn && rn < end && strtol(rn + 8, NULL, 10) != nregs)
				bad++;
			bits += (size_t)strtoul(bs + 9, NULL, 10);
			nregs++;
		}
		if (end[-1] != '/') {
			if (depth == (int)ARRAY_SIZE(stack))
				return false;
			stack[depth] = name;
			len[depth++] = n;
		}
		p = end + 1;
	}
	*ret_nregs = nregs;
	*ret_bits = bits;
	*ret_bad_order = bad;
	return seen_root && depth == 0;
}

TEST(target_xml_well_formed)
{
	for (int avx = 0; avx < 2; avx++) {
		const char *x = gdb_target_xml(avx);
		int nregs = -1, bad = -1;
		size_t bits = 0;

		ASSERT_TRUE(xml_walk(x, &nregs, &bits, &bad));
		EXPECT_EQ(nregs, gdb_nregs(avx));
		EXPECT_EQ(bits, 8 * (avx ? AVX_BYTES : SSE_BYTES));
		EXPECT_EQ(bad, 0);
		EXPECT_NONNULL(strstr(x, "<architecture>i386:x86-64</architecture>"));
		EXPECT_NONNULL(strstr(x, "<osabi>GNU/Linux</osabi>"));
		EXPECT_NONNULL(strstr(x, "org.gnu.gdb.i386.core"));
		EXPECT_NONNULL(strstr(x, "org.gnu.gdb.i386.sse"));
		EXPECT_NONNULL(strstr(x, "org.gnu.gdb.i386.linux"));
		EXPECT_NONNULL(strstr(x, "org.gnu.gdb.i386.segments"));
		EXPECT_EQ(!!strstr(x, "org.gnu.gdb.i386.avx"), avx);
	}
}

/* Every register's hex length matches the bitsize the XML gives it, in order. */
TEST(target_xml_matches_layout)
{
	for (int avx = 0; avx < 2; avx++) {
		const char *p = gdb_target_xml(avx);
		struct gdb_regs r;
		int regno = 0;

		fill_regs(&r, avx);
		while ((p = strstr(p, "<reg "))) {
			const char *h = reg_hex(&r, regno);

			ASSERT_NONNULL(h);
			p = strstr(p, "bitsize='");
			ASSERT_NONNULL(p);
			EXPECT_EQ(strlen(h) * 4, strtoul(p + 9, NULL, 10));
			regno++;
		}
		EXPECT_EQ(regno, gdb_nregs(avx));
	}
}

/* gdb itself must load the description and number it as we do. */
TEST(target_xml_gdb_accepts)
{
	char path[] = "/tmp/rewind-tdesc-XXXXXX";
	char cmd[512], line[512];
	int fd, nlines = 0, bad = 0;
	const char *x = gdb_target_xml(true);
	FILE *f;

	if (system("gdb --version >/dev/null 2>&1") != 0)
		SKIP("gdb is not installed");
	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, x, strlen(x)), (ssize_t)strlen(x));
	close(fd);
	snprintf(cmd, sizeof(cmd), "gdb -nx -batch -ex 'set tdesc filename %s' %s 2>&1", path,
		 "-ex 'maint print remote-registers'");
	f = popen(cmd, "r");
	ASSERT_NONNULL(f);
	while (fgets(line, sizeof(line), f)) {
		char name[32];
		int nr, rel, off, size, rnr, goff;

		if (strstr(line, "warning") || strstr(line, "rror")) {
			printf("  gdb: %s", line);
			bad++;
		}
		if (sscanf(line, " %31s %d %d %d %d %*s %d %d", name, &nr, &rel, &off, &size, &rnr,
			   &goff) != 7)
			continue;
		nlines++;
		if (!strcmp(name, "rip"))
			EXPECT_TRUE(rnr == 16 && goff == 128);
		if (!strcmp(name, "orig_rax"))
			EXPECT_TRUE(rnr == 57 && goff == 536);
		if (!strcmp(name, "gs_base"))
			EXPECT_TRUE(rnr == 59 && goff == 552);
		if (!strcmp(name, "ymm15h"))
			EXPECT_TRUE(rnr == 75 && goff == AVX_BYTES - 16);
	}
	EXPECT_EQ(pclose(f), 0);
	unlink(path);
	EXPECT_EQ(bad, 0);
	EXPECT_GE(nlines, gdb_nregs(true));
}
