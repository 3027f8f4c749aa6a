/* SPDX-License-Identifier: MIT */
/*
 * futex_requeue: raw futex(2) between pthreads.
 * - FUTEX_WAIT / FUTEX_WAKE: a thread waits; main wakes it (retrying until
 *   the wake finds it asleep, so the wake count printed is always 1).
 * - FUTEX_CMP_REQUEUE: 3 threads wait on futex A; main moves them to B
 *   without waking any (nr_wake 0), fails one requeue whose value check does
 *   not match (EAGAIN), then wakes 1 of B and requeues the other 2 to C in one
 *   call, and wakes those from C.
 * - FUTEX_WAIT with a value that does not match (EAGAIN), with a 10 ms
 *   relative timeout that expires, and FUTEX_WAIT_BITSET with an absolute
 *   CLOCK_MONOTONIC deadline (ETIMEDOUT).
 * - FUTEX_LOCK_PI / FUTEX_UNLOCK_PI: uncontended, then contended (main holds
 *   the lock, a thread blocks in LOCK_PI until main unlocks and the kernel
 *   hands the lock over), then UNLOCK_PI of an unowned lock (EPERM).
 * Return values, wake counts and lock words (which hold tids) are printed;
 * the number of tries main needed before the waiters were asleep is racy.
 */
#include "util.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#define WAITERS 3
#define MAX_TRIES 5000

static long futex(atomic_int *uaddr, int op, int val, const struct timespec *timeout,
		  atomic_int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

/* FUTEX_CMP_REQUEUE passes nr_requeue where the timeout would be. */
static long futex_cmp_requeue(atomic_int *from, int nr_wake, int nr_requeue, atomic_int *to,
			      int expect)
{
	return syscall(SYS_futex, from, FUTEX_CMP_REQUEUE_PRIVATE, nr_wake,
		       (unsigned long)nr_requeue, to, expect);
}

static void pause_ms(int ms)
{
	struct timespec ts = { .tv_nsec = ms * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		test_assert(errno == EINTR);
}

/* ---- FUTEX_WAIT / FUTEX_WAKE ---------------------------------------------- */

static atomic_int word1;
static long wait1_ret;

static void *wait_once(void *arg)
{
	(void)arg;
	wait1_ret = futex(&word1, FUTEX_WAIT, 0, NULL, NULL, 0);
	return NULL;
}

static void wait_wake(void)
{
	pthread_t t;
	long woken = 0;
	int tries;

	test_assert(pthread_create(&t, NULL, wait_once, NULL) == 0);
	for (tries = 1; tries <= MAX_TRIES; tries++) {
		woken = futex(&word1, FUTEX_WAKE, 1, NULL, NULL, 0);
		test_assert(woken >= 0);
		if (woken == 1)
			break;
		pause_ms(1);
	}
	test_assert(woken == 1);
	test_assert(pthread_join(t, NULL) == 0);
	test_assert(wait1_ret == 0);
	say("FUTEX_WAKE woke %ld (try %d); FUTEX_WAIT returned %ld\n", woken, tries,
	    wait1_ret);
}

/* ---- FUTEX_CMP_REQUEUE ---------------------------------------------------- */

static atomic_int fa, fb, fc;

struct waiter {
	pthread_t thread;
	long ret;
	int waits;
};

static void *wait_on_a(void *arg)
{
	struct waiter *w = arg;

	while (atomic_load(&fa) == 0) {
		w->ret = futex(&fa, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		w->waits++;
	}
	return NULL;
}

static void requeue(void)
{
	struct waiter w[WAITERS] = { 0 };
	long moved = 0, r;
	int tries;

	for (int i = 0; i < WAITERS; i++)
		test_assert(pthread_create(&w[i].thread, NULL, wait_on_a, &w[i]) == 0);
	/* Move waiters from A to B as they fall asleep; nobody is woken. */
	for (tries = 1; tries <= MAX_TRIES && moved < WAITERS; tries++) {
		r = futex_cmp_requeue(&fa, 0, INT_MAX, &fb, 0);
		test_assert(r >= 0);
		moved += r;
		if (moved < WAITERS)
			pause_ms(1);
	}
	test_assert(moved == WAITERS);
	say("CMP_REQUEUE A->B: moved %ld waiters, none woken (tries: %d)\n", moved, tries - 1);

	errno = 0;
	r = futex_cmp_requeue(&fb, 1, INT_MAX, &fc, 1);
	test_assert(r == -1 && errno == EAGAIN);
	say("CMP_REQUEUE B->C expecting 1 while B is 0: %ld errno %d\n", r, errno);
	r = futex(&fa, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	test_assert(r == 0);
	say("FUTEX_WAKE A: %ld\n", r);

	atomic_store(&fa, 1);
	r = futex_cmp_requeue(&fb, 1, INT_MAX, &fc, 0);
	test_assert(r == WAITERS);
	say("CMP_REQUEUE B->C waking 1: %ld (1 woken, %ld requeued)\n", r, r - 1);
	r = futex(&fb, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	test_assert(r == 0);
	say("FUTEX_WAKE B: %ld\n", r);
	r = futex(&fc, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	test_assert(r == WAITERS - 1);
	say("FUTEX_WAKE C: %ld\n", r);
	for (int i = 0; i < WAITERS; i++) {
		test_assert(pthread_join(w[i].thread, NULL) == 0);
		test_assert(w[i].ret == 0 && w[i].waits == 1);
		say("waiter %d: FUTEX_WAIT returned %ld after %d wait(s)\n", i, w[i].ret,
		    w[i].waits);
	}
}

/* ---- timeouts ------------------------------------------------------------- */

static void timeouts(void)
{
	atomic_int word = 5;
	struct timespec rel = { .tv_nsec = 10 * 1000000L }, abs_ts;
	long long t0, t1;
	long r;

	errno = 0;
	r = futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0);
	test_assert(r == -1 && errno == EAGAIN);
	say("FUTEX_WAIT on 5 expecting 4: %ld errno %d\n", r, errno);

	t0 = ts_ns(CLOCK_MONOTONIC);
	errno = 0;
	r = futex(&word, FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0);
	t1 = ts_ns(CLOCK_MONOTONIC);
	test_assert(r == -1 && errno == ETIMEDOUT);
	test_assert(t1 - t0 >= 10 * 1000000LL);
	say("FUTEX_WAIT 10 ms: %ld errno %d after %lld us\n", r, errno, (t1 - t0) / 1000);

	t0 = ts_ns(CLOCK_MONOTONIC);
	abs_ts.tv_sec = (t0 + 5 * 1000000LL) / 1000000000LL;
	abs_ts.tv_nsec = (t0 + 5 * 1000000LL) % 1000000000LL;
	errno = 0;
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs_ts, NULL, FUTEX_BITSET_MATCH_ANY);
	t1 = ts_ns(CLOCK_MONOTONIC);
	test_assert(r == -1 && errno == ETIMEDOUT);
	test_assert(t1 - t0 >= 5 * 1000000LL);
	say("FUTEX_WAIT_BITSET until now+5 ms: %ld errno %d after %lld us\n", r, errno,
	    (t1 - t0) / 1000);
}

/* ---- priority inheritance ------------------------------------------------- */

static atomic_int pi_word;
static long pi_lock_ret, pi_unlock_ret;
static int pi_word_when_locked;
static pid_t pi_tid;

static void *pi_locker(void *arg)
{
	(void)arg;
	pi_tid = gettid();
	pi_lock_ret = futex(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	pi_word_when_locked = atomic_load(&pi_word);
	pi_unlock_ret = futex(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

static void pi(void)
{
	pid_t me = gettid();
	pthread_t t;
	long r;
	int w = 0, tries;

	r = futex(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	test_assert(r == 0);
	w = atomic_load(&pi_word);
	test_assert(w == me);
	say("LOCK_PI uncontended: %ld, word %d (main tid %d)\n", r, w, (int)me);

	/* Contended: the thread blocks until main unlocks. */
	test_assert(pthread_create(&t, NULL, pi_locker, NULL) == 0);
	for (tries = 1; tries <= MAX_TRIES; tries++) {
		w = atomic_load(&pi_word);
		if (w & FUTEX_WAITERS)
			break;
		pause_ms(1);
	}
	test_assert((unsigned int)w == ((unsigned int)me | FUTEX_WAITERS));
	say("a waiter blocked in LOCK_PI: word has FUTEX_WAITERS, owner %d\n",
	    w & FUTEX_TID_MASK);
	r = futex(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	test_assert(r == 0);
	say("UNLOCK_PI: %ld\n", r);
	test_assert(pthread_join(t, NULL) == 0);
	test_assert(pi_lock_ret == 0 && pi_unlock_ret == 0);
	test_assert((pi_word_when_locked & FUTEX_TID_MASK) == pi_tid);
	say("thread %d: LOCK_PI %ld, then owned the word (%d), UNLOCK_PI %ld\n", (int)pi_tid,
	    pi_lock_ret, pi_word_when_locked & FUTEX_TID_MASK, pi_unlock_ret);
	test_assert(atomic_load(&pi_word) == 0);

	errno = 0;
	r = futex(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	test_assert(r == -1 && errno == EPERM);
	say("UNLOCK_PI of an unowned lock: %ld errno %d\n", r, errno);
}

int main(void)
{
	alarm(20);
	say("pid %d\n", (int)getpid());
	wait_wake();
	requeue();
	timeouts();
	pi();
	say("EXIT-SUCCESS\n");
	return 0;
}
