/* SPDX-License-Identifier: MIT */
/*
 * util.h: helpers for the test programs in tests/progs/.
 *
 * A test program exercises one syscall or feature, prints text whose
 * *structure* is the same on every run but whose *values* are whatever the
 * kernel said this time (times, random bytes, pids, addresses), and ends by
 * printing "EXIT-SUCCESS". tests/run.sh records it, replays it twice and
 * demands byte-identical output, so every value printed is a fidelity check.
 *
 * - test_assert(cond): on failure print "file:line: assertion failed: cond"
 *   (with errno) to stderr and exit(1). A failed assertion is a test-program
 *   or engine bug, never expected output.
 * - say(fmt, ...) / say_err(fmt, ...): printf-like, formatted into a buffer
 *   and written to fd 1 / fd 2 with write(2) straight away, so each call is
 *   one write syscall and nothing sits in a stdio buffer at a crash.
 * - guard_alloc(size): a buffer whose last byte is the last byte before an
 *   inaccessible page, so a kernel that writes one byte too many gives EFAULT
 *   or SIGSEGV instead of silently succeeding (strace's tail_alloc).
 * - hex(): lowercase hex of a byte range, in a static buffer.
 * - ts_ns(clock): clock_gettime in nanoseconds. fnv1a(): a checksum.
 * - tmp_base(): $TMPDIR or /tmp, for scratch files the program removes itself.
 * - spin_until(done, arg): loop without syscalls until done(arg), counting
 *   the passes (the *_observed tests: another thread's syscall's data shows
 *   up at a pass that replay must reproduce).
 * - PAD(): nothing, except in the NAME-pad build of a program (compiled with
 *   -DREWIND_TEST_PAD, see the Makefile): there, about 12,000 cycles of
 *   dependent multiplies without a branch. Hot loops call it each pass.
 *   Without in-tracee traps (REWIND_TRAPS=0), replay finds a point in such a
 *   loop by stopping at every pass; padded, a 1 ms slice holds a few hundred
 *   passes instead of millions, so tests/run.sh runs the `pad` rows that way.
 *   PAD_PASSES(n): a loop's pass count, a thousandth of n in that build.
 * Raw puts() is banned: use say().
 */
#ifndef REWIND_TESTS_PROGS_UTIL_H
#define REWIND_TESTS_PROGS_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define test_assert(cond)                                                                     \
	do {                                                                                  \
		if (!(cond))                                                                  \
			test_fail_(__FILE__, __LINE__, #cond);                                \
	} while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline __attribute__((noreturn, unused)) void test_fail_(const char *file, int line,
								  const char *cond)
{
	int e = errno;

	fflush(stdout);
	fprintf(stderr, "%s:%d: assertion failed: %s (errno %d: %s)\n", file, line, cond, e,
		strerror(e));
	exit(1);
}

static inline __attribute__((unused)) void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t r = write(fd, c, n);

		if (r < 0 && errno == EINTR)
			continue;
		test_assert(r > 0);
		c += r;
		n -= (size_t)r;
	}
}

static inline __attribute__((format(printf, 2, 0), unused)) void vsay_fd(int fd, const char *fmt,
									 va_list ap)
{
	char stack[1024];
	char *p = stack;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(stack, sizeof(stack), fmt, ap);
	test_assert(n >= 0);
	if ((size_t)n >= sizeof(stack)) {
		p = malloc((size_t)n + 1);
		test_assert(p);
		(void)vsnprintf(p, (size_t)n + 1, fmt, aq);
	}
	va_end(aq);
	write_all(fd, p, (size_t)n);
	if (p != stack)
		free(p);
}

static inline __attribute__((format(printf, 1, 2), unused)) void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay_fd(1, fmt, ap);
	va_end(ap);
}

static inline __attribute__((format(printf, 1, 2), unused)) void say_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay_fd(2, fmt, ap);
	va_end(ap);
}

static inline __attribute__((unused)) size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	test_assert(p > 0);
	return (size_t)p;
}

/* A buffer of @size bytes ending right before a PROT_NONE page. Never freed. */
static inline __attribute__((unused)) void *guard_alloc(size_t size)
{
	size_t ps = page_size();
	size_t len = (size + ps - 1) / ps * ps;
	char *base;

	if (len == 0)
		len = ps;
	base = mmap(NULL, len + ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_assert(base != MAP_FAILED);
	test_assert(mprotect(base + len, ps, PROT_NONE) == 0);
	memset(base, 0xa5, len);
	return base + len - size;
}

/* Lowercase hex of @n bytes (n <= 256); the result lives until the next call. */
static inline __attribute__((unused)) const char *hex(const void *p, size_t n)
{
	static char out[2 * 256 + 1];
	const unsigned char *b = p;
	size_t i;

	test_assert(n <= 256);
	for (i = 0; i < n; i++) {
		out[2 * i] = "0123456789abcdef"[b[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[b[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

static inline __attribute__((unused)) long long ts_ns(clockid_t clk)
{
	struct timespec ts;

	test_assert(clock_gettime(clk, &ts) == 0);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define FNV1A_INIT 0xcbf29ce484222325ULL
static inline __attribute__((unused)) uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline __attribute__((unused)) const char *tmp_base(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* The path of program name beside this one (in the folder of /proc/self/exe), into buf. */
static inline __attribute__((unused)) void path_beside(char *buf, size_t size, const char *name)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *slash;

	test_assert(n > 0);
	self[n] = '\0';
	slash = strrchr(self, '/');
	test_assert(slash);
	test_assert((size_t)snprintf(buf, size, "%.*s/%s", (int)(slash - self), self, name) < size);
}

#ifdef REWIND_TEST_PAD
#define PAD()                                                                                 \
	do {                                                                                  \
		unsigned long pad_x_ = 3;                                                     \
		__asm__ volatile(".rept 4096\n\timul %0, %0\n\t.endr" : "+r"(pad_x_) : : "cc");     \
	} while (0)
#define PAD_PASSES(n) ((n) / 1000)
#else
#define PAD() ((void)0)
#define PAD_PASSES(n) (n)
#endif

/* Spin until done(arg) holds: the passes it took (the test fails after 200,000,000). */
static volatile long spin_sink __attribute__((unused));
static inline __attribute__((unused)) long spin_until(int (*done)(int), int arg)
{
	long n = 0;

	while (!done(arg) && n < 200000000L) {
		spin_sink = ++n;
		PAD();
	}
	test_assert(n < 200000000L);
	return n;
}

/* Banned: use say(). */
#undef puts
#define puts(s) sorry_puts_is_banned_in_tests_use_say

#endif /* REWIND_TESTS_PROGS_UTIL_H */
