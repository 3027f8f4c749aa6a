// SPDX-License-Identifier: MIT
/*
 * base: allocation, logging, error reporting, small helpers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "base/buf.h"

const char *progname = "rewind";
unsigned char log_levels[LM__COUNT];
uint64_t log_event;
pid_t log_tid;
void (*bug_context)(void);

static const char *const module_names[LM__COUNT] = {
	[LM_BASE] = "base", [LM_TASK] = "task", [LM_SC] = "syscalls", [LM_TRACE] = "trace",
	[LM_REC] = "record", [LM_REP] = "replay", [LM_CLI] = "cli",
};
static const char *const level_names[LOG__COUNT] = {
	[LOG_ERROR] = "error", [LOG_WARN] = "warn", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

static NORETURN void oom(size_t n)
{
	fprintf(stderr, "%s: out of memory allocating %zu bytes\n", progname, n);
	exit(125);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(nmemb, size, &n))
		oom(SIZE_MAX);
	return xrealloc(p, n);
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom(strlen(s));
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom(0);
	va_end(ap);
	return s;
}

void *xgrow(void *arr, size_t *alloc, size_t n, size_t sz)
{
	size_t na;
	if (n <= *alloc)
		return arr;
	na = *alloc ? *alloc : 8;
	while (na < n) {
		if (__builtin_mul_overflow(na, 2, &na))
			oom(SIZE_MAX);
	}
	arr = xreallocarray(arr, na, sz);
	*alloc = na;
	return arr;
}

/* REWIND_LOG=module:level,...; "all:debug" turns every module on. */
void log_init(void)
{
	const char *env = getenv("REWIND_LOG");
	char *copy, *tok, *save = NULL;
	for (int m = 0; m < LM__COUNT; m++)
		log_levels[m] = LOG_ERROR;
	if (!env || !*env)
		return;
	copy = xstrdup(env);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		int lvl = LOG_DEBUG;
		if (colon) {
			*colon = 0;
			for (int l = 0; l < LOG__COUNT; l++)
				if (!strcmp(colon + 1, level_names[l]))
					lvl = l;
		}
		for (int m = 0; m < LM__COUNT; m++)
			if (!strcmp(tok, "all") || !strcmp(tok, module_names[m]))
				log_levels[m] = (unsigned char)lvl;
	}
	free(copy);
}

void log_print(enum log_module m, enum log_level l, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "[ev %llu tid %d] %s: %s: ", (unsigned long long)log_event, (int)log_tid,
		module_names[m], level_names[l]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s: warning: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void bug(const char *file, int line, const char *cond)
{
	fflush(stdout);
	fprintf(stderr, "%s: BUG at %s:%d: %s (event %llu, tid %d)\n", progname, file, line, cond,
		(unsigned long long)log_event, (int)log_tid);
	if (bug_context)
		bug_context();
	abort();
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}
