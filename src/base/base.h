/* SPDX-License-Identifier: MIT */
/*
 * base: the few things every module needs and nothing else. Allocation that
 * dies on OOM (supervisor only), a levelled log whose macro costs nothing when
 * the level is off, error()/die() for the top-level loops and cli, BUG_ON()
 * for broken invariants (left on in release builds), and small macros.
 * Depends on nothing but libc.
 */
#ifndef REWIND_BASE_BASE_H
#define REWIND_BASE_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Memory: die with a message on OOM. Supervisor only. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
/* Grow *arr (of *alloc elements of size sz) to hold at least n; overflow-checked. */
void *xgrow(void *arr, size_t *alloc, size_t n, size_t sz);
#define GROW(arr, alloc, n) ((arr) = xgrow((arr), &(alloc), (n), sizeof(*(arr))))

/* Logging: REWIND_LOG=module:level,...  (levels error warn info debug; "all" matches any). */
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG__COUNT };
enum log_module { LM_BASE, LM_TASK, LM_SC, LM_TRACE, LM_REC, LM_REP, LM_CLI, LM__COUNT };
extern unsigned char log_levels[LM__COUNT];
extern uint64_t log_event;   /* current event number, for the "[ev N tid T]" prefix */
extern pid_t log_tid;
void log_init(void);
void log_print(enum log_module m, enum log_level l, const char *fmt, ...) PRINTF(3, 4);
#define rlog(mod, lvl, ...)                                                                   \
	do {                                                                                  \
		if (unlikely(log_levels[mod] >= (lvl)))                                       \
			log_print(mod, lvl, __VA_ARGS__);                                     \
	} while (0)
#define dbg(mod, ...) rlog(mod, LOG_DEBUG, __VA_ARGS__)

/* Top level only (cli, record/replay top loops): print "rewind: MSG" on one line. */
extern const char *progname;
int error(const char *fmt, ...) PRINTF(1, 2); /* returns -1 */
void warning(const char *fmt, ...) PRINTF(1, 2);
NORETURN void die(const char *fmt, ...) PRINTF(1, 2);
NORETURN void bug(const char *file, int line, const char *cond);
/* Extra context printed by BUG(): set by the record/replay loops. */
extern void (*bug_context)(void);
#define BUG_ON(c)                                                                             \
	do {                                                                                  \
		if (unlikely(c))                                                              \
			bug(__FILE__, __LINE__, #c);                                          \
	} while (0)
#define BUG() bug(__FILE__, __LINE__, "unreachable")

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void);
/* Parse a decimal unsigned; false on junk or overflow. */
bool parse_u64(const char *s, uint64_t *ret);

#include "base/banned.h"
#endif /* REWIND_BASE_BASE_H */
