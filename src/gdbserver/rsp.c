// SPDX-License-Identifier: MIT
/*
 * GDB Remote Serial Protocol framing, as gdb 13 speaks it: "$payload#cs"
 * with a modulo-256 checksum in two lowercase hex digits, '+'/'-'
 * acknowledgements until QStartNoAckMode, '}' binary escapes both ways,
 * '*' run-length encoding on input only, and a bare 0x03 byte outside a
 * packet for Ctrl-C. Only framing lives here: what a packet means is
 * gdbserver.c's business.
 *
 * r->in holds the bytes read from the socket and not yet consumed, from
 * its start. A packet is recognised only once its '#' and both checksum
 * digits are in; the first '#' after '$' ends it (gdb escapes every '#'
 * inside a payload and never uses one as a run-length count).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbserver/gdb_int.h"

#define RSP_INTERRUPT 0x03
#define RSP_ESCAPE '}'
#define RSP_RLE '*'
#define RSP_RLE_BIAS 29 /* a run count n is sent as the character n + 29 */

static const char hexdigits[] = "0123456789abcdef";

void rsp_init(struct rsp *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
}

void rsp_release(struct rsp *r)
{
	if (!r)
		return;
	buf_release(&r->in);
	buf_release(&r->pkt);
	buf_release(&r->out);
}

/* Drop the first n bytes of r->in. */
static void in_consume(struct rsp *r, size_t n)
{
	if (n >= r->in.len) {
		r->in.len = 0;
		return;
	}
	memmove(r->in.data, r->in.data + n, r->in.len - n);
	r->in.len -= n;
}

/* Read whatever the socket has (blocking until something) into r->in. */
static int in_fill(struct rsp *r)
{
	for (;;) {
		ssize_t n;

		buf_reserve(&r->in, 4096);
		n = read(r->fd, r->in.data + r->in.len, r->in.alloc - r->in.len - 1);
		if (n > 0) {
			r->in.len += (size_t)n;
			return 0;
		}
		if (n == 0)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		return errno == ECONNRESET ? -EPIPE : -errno;
	}
}

static int write_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;
	bool sock = true;

	while (n) {
		ssize_t w;

		/* send() with MSG_NOSIGNAL: a gdb that hung up is -EPIPE, not SIGPIPE. */
		w = sock ? send(fd, c, n, MSG_NOSIGNAL) : write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOTSOCK && sock) {
				sock = false;
				continue;
			}
			return errno == ECONNRESET ? -EPIPE : -errno;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void rsp_hex(struct buf *b, const void *p, size_t n)
{
	const unsigned char *s = p;
	char *d;

	if (!n)
		return;
	d = buf_append_space(b, 2 * n);
	for (size_t i = 0; i < n; i++) {
		d[2 * i] = hexdigits[s[i] >> 4];
		d[2 * i + 1] = hexdigits[s[i] & 0xf];
	}
}

bool rsp_unhex(const char *s, size_t n, void *dst)
{
	unsigned char *d = dst;

	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		hi = hexval((unsigned char)s[2 * i]);
		if (hi < 0)
			return false;
		lo = hexval((unsigned char)s[2 * i + 1]);
		if (lo < 0)
			return false;
		d[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

/*
 * Undo '}' escapes and '*' run-length encoding of raw[0..n) into r->pkt.
 * A run repeats the last decoded byte; a malformed tail (an escape or run
 * marker as the last byte, a run with nothing before it) is -EBADMSG.
 */
static int decode_payload(struct rsp *r, const unsigned char *raw, size_t n)
{
	buf_reset(&r->pkt);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = raw[i];

		if (c == RSP_ESCAPE) {
			if (++i == n)
				return -EBADMSG;
			buf_put_u8(&r->pkt, raw[i] ^ 0x20);
		} else if (c == RSP_RLE) {
			unsigned char last;
			int count;

			if (++i == n || !r->pkt.len || raw[i] < RSP_RLE_BIAS)
				return -EBADMSG;
			last = r->pkt.data[r->pkt.len - 1];
			count = raw[i] - RSP_RLE_BIAS;
			memset(buf_append_space(&r->pkt, (size_t)count), last, (size_t)count);
		} else {
			buf_put_u8(&r->pkt, c);
		}
	}
	(void)buf_cstr(&r->pkt);
	return 0;
}

/*
 * Where the packet starting at r->in.data[0] == '$' ends: the length of
 * "$...#cs", or 0 if its end has not arrived yet.
 */
static size_t packet_len(const struct rsp *r)
{
	const unsigned char *hash = memchr(r->in.data + 1, '#', r->in.len - 1);
	size_t end;

	if (!hash)
		return 0;
	end = (size_t)(hash - r->in.data) + 3;
	return end <= r->in.len ? end : 0;
}

/*
 * Take the complete packet of len bytes at the head of r->in. Returns 1 if
 * it was accepted (payload in r->pkt, '+' sent), 0 if it was refused for a
 * bad checksum ('-' sent; gdb resends), or -errno: -EBADMSG for a payload
 * whose escapes or runs are malformed (acked and consumed, so the caller
 * may answer it with an error and carry on).
 */
static int take_packet(struct rsp *r, size_t len)
{
	const unsigned char *p = r->in.data;
	unsigned char sum = 0;
	int hi, lo, ret;

	for (size_t i = 1; i < len - 3; i++)
		sum = (unsigned char)(sum + p[i]);
	hi = hexval(p[len - 2]);
	lo = hexval(p[len - 1]);
	/*
	 * In no-ack mode the transport is trusted and gdb expects no '-':
	 * like gdbserver, take the packet as it is.
	 */
	if (!r->no_ack && (hi < 0 || lo < 0 || (unsigned char)(hi << 4 | lo) != sum)) {
		in_consume(r, len);
		ret = write_all(r->fd, "-", 1);
		return ret < 0 ? ret : 0;
	}
	/* The frame arrived intact: ack it even if its payload then fails to decode. */
	if (!r->no_ack) {
		ret = write_all(r->fd, "+", 1);
		if (ret < 0)
			return ret;
	}
	ret = decode_payload(r, p + 1, len - 4);
	in_consume(r, len);
	return ret < 0 ? ret : 1;
}

int rsp_recv(struct rsp *r, bool *ret_interrupt)
{
	int ret;

	for (;;) {
		while (r->in.len) {
			unsigned char c = r->in.data[0];
			size_t len;

			if (c == RSP_INTERRUPT) {
				in_consume(r, 1);
				r->interrupted = true;
				buf_reset(&r->pkt);
				(void)buf_cstr(&r->pkt);
				if (ret_interrupt)
					*ret_interrupt = true;
				return 0;
			}
			if (c != '$') {
				/* '+', '-' or line noise between packets. */
				in_consume(r, 1);
				continue;
			}
			len = packet_len(r);
			if (!len)
				break;
			ret = take_packet(r, len);
			if (ret < 0)
				return ret;
			if (ret == 1) {
				if (ret_interrupt)
					*ret_interrupt = false;
				return 0;
			}
		}
		ret = in_fill(r);
		if (ret < 0)
			return ret;
	}
}

bool rsp_poll_interrupt(struct rsp *r)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	bool found = false;
	size_t i = 0;

	/* Drain what is readable now; a hangup or error is left for rsp_recv(). */
	while (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
		ssize_t n;

		buf_reserve(&r->in, 4096);
		n = read(r->fd, r->in.data + r->in.len, r->in.alloc - r->in.len - 1);
		if (n <= 0)
			break;
		r->in.len += (size_t)n;
	}
	/* Remove every 0x03 outside a packet; bytes inside packets stay. */
	while (i < r->in.len) {
		unsigned char c = r->in.data[i];
		const unsigned char *hash;

		if (c == RSP_INTERRUPT) {
			memmove(r->in.data + i, r->in.data + i + 1, r->in.len - i - 1);
			r->in.len--;
			found = true;
		} else if (c == '$') {
			hash = memchr(r->in.data + i + 1, '#', r->in.len - i - 1);
			if (!hash)
				break;
			i = (size_t)(hash - r->in.data) + 3;
		} else {
			i++;
		}
	}
	if (found)
		r->interrupted = true;
	return found;
}

/* Frame p[0..n) into r->out: '$', the escaped payload, '#', the checksum. */
static void frame(struct rsp *r, const unsigned char *p, size_t n)
{
	unsigned char sum = 0;

	buf_reset(&r->out);
	buf_put_u8(&r->out, '$');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c == '#' || c == '$' || c == RSP_ESCAPE || c == RSP_RLE) {
			buf_put_u8(&r->out, RSP_ESCAPE);
			sum = (unsigned char)(sum + RSP_ESCAPE);
			c ^= 0x20;
		}
		buf_put_u8(&r->out, c);
		sum = (unsigned char)(sum + c);
	}
	buf_put_u8(&r->out, '#');
	buf_put_u8(&r->out, (uint8_t)hexdigits[sum >> 4]);
	buf_put_u8(&r->out, (uint8_t)hexdigits[sum & 0xf]);
}

/*
 * Wait for gdb's acknowledgement: 1 for '+', 0 for '-' (resend), or -errno.
 * A Ctrl-C meanwhile sets r->interrupted. A '$' means gdb moved on to its
 * next packet: take that as the ack and leave the packet for rsp_recv().
 */
static int wait_ack(struct rsp *r)
{
	for (;;) {
		int ret;

		while (r->in.len) {
			unsigned char c = r->in.data[0];

			if (c == '$')
				return 1;
			in_consume(r, 1);
			if (c == '+')
				return 1;
			if (c == '-')
				return 0;
			if (c == RSP_INTERRUPT)
				r->interrupted = true;
		}
		ret = in_fill(r);
		if (ret < 0)
			return ret;
	}
}

int rsp_send(struct rsp *r, const void *p, size_t n)
{
	int ret;

	frame(r, p, n);
	do {
		ret = write_all(r->fd, r->out.data, r->out.len);
		if (ret < 0)
			return ret;
		if (r->no_ack)
			return 0;
		ret = wait_ack(r);
	} while (ret == 0);
	return ret < 0 ? ret : 0;
}

int rsp_send_str(struct rsp *r, const char *s)
{
	return rsp_send(r, s, strlen(s));
}

int rsp_sendf(struct rsp *r, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap, ap2;
	int n, ret;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return -EINVAL;
	}
	buf_reserve(&b, (size_t)n);
	(void)vsnprintf((char *)b.data, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b.len = (size_t)n;
	ret = rsp_send(r, b.data, b.len);
	buf_release(&b);
	return ret;
}

int rsp_send_xfer(struct rsp *r, const void *data, size_t len, uint64_t off, uint64_t n)
{
	struct buf b = BUF_INIT;
	size_t cnt;
	int ret;

	if (off >= len)
		return rsp_send(r, "l", 1);
	cnt = (size_t)MIN(n, (uint64_t)(len - off));
	buf_put_u8(&b, off + cnt >= len ? 'l' : 'm');
	buf_append(&b, (const unsigned char *)data + off, cnt);
	ret = rsp_send(r, b.data, b.len);
	buf_release(&b);
	return ret;
}
