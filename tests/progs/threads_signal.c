/* SPDX-License-Identifier: MIT */
/*
 * threads_signal: per-thread signal masks and thread-directed signals.
 * SIGUSR1 is blocked in main before the threads are created, so they start
 * with it blocked; its handler records the tid of the thread it runs in.
 * - kill() to the process while only thread 1 has SIGUSR1 unblocked: the
 *   handler must run in thread 1.
 * - pthread_kill() at thread 2 while it blocks SIGUSR1: pending for thread 2
 *   only (sigpending there, not in main); thread 2 unblocks it and the
 *   handler runs in thread 2.
 * - tgkill() at thread 0, which takes it with sigwaitinfo() (si_code
 *   SI_TKILL, or SI_USER on recent kernels; si_pid our pid), so no handler
 *   runs.
 * - main unblocks SIGUSR1 and tgkill()s itself: the handler runs in main.
 * main drives the steps one at a time and prints which thread got each.
 */
#include "util.h"

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#define WORKERS 3
#define MAX_TRIES 5000

static atomic_int nhits;
static pid_t hit_tid[8];

static pid_t tids[WORKERS];
static sem_t ready[WORKERS], go[WORKERS], done;

/* Step results, written by the workers, read by main after sem_wait(&done). */
static int w2_pending_before, w2_hits_after_unblock;
static siginfo_t w0_info;
static int w0_sig;

static void on_usr1(int sig)
{
	int n = atomic_fetch_add(&nhits, 1);

	(void)sig;
	if (n < (int)ARRAY_LEN(hit_tid))
		hit_tid[n] = gettid();
}

static void sem_wait_intr(sem_t *s)
{
	while (sem_wait(s) != 0)
		test_assert(errno == EINTR);
}

static void usr1_set(sigset_t *set)
{
	test_assert(sigemptyset(set) == 0);
	test_assert(sigaddset(set, SIGUSR1) == 0);
}

static void *worker(void *arg)
{
	int me = (int)(long)arg;
	sigset_t usr1, pend;

	tids[me] = gettid();
	usr1_set(&usr1);
	if (me == 1)
		test_assert(pthread_sigmask(SIG_UNBLOCK, &usr1, NULL) == 0);
	test_assert(sem_post(&ready[me]) == 0);
	sem_wait_intr(&go[me]);
	if (me == 0) {
		w0_sig = sigwaitinfo(&usr1, &w0_info);
	} else if (me == 2) {
		test_assert(sigpending(&pend) == 0);
		w2_pending_before = sigismember(&pend, SIGUSR1);
		test_assert(pthread_sigmask(SIG_UNBLOCK, &usr1, NULL) == 0);
		/* A pending unblocked signal is delivered before the call returns. */
		w2_hits_after_unblock = atomic_load(&nhits);
	}
	test_assert(sem_post(&done) == 0);
	return NULL;
}

static int which(pid_t tid)
{
	for (int i = 0; i < WORKERS; i++)
		if (tids[i] == tid)
			return i;
	return tid == gettid() ? -1 : -2;
}

static const char *name(int w)
{
	static const char *const names[] = { "thread 0", "thread 1", "thread 2" };

	return w >= 0 ? names[w] : w == -1 ? "main" : "unknown";
}

/* Wait (bounded) until the handler has run @n times in all. */
static void wait_hits(int n)
{
	struct timespec ts = { .tv_nsec = 1000000L };

	for (int tries = 0; tries < MAX_TRIES && atomic_load(&nhits) < n; tries++)
		(void)nanosleep(&ts, NULL);
	test_assert(atomic_load(&nhits) == n);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t t[WORKERS];
	sigset_t usr1, pend;
	int w;

	alarm(20);
	say("pid %d\n", (int)getpid());
	test_assert(sigaction(SIGUSR1, &sa, NULL) == 0);
	usr1_set(&usr1);
	test_assert(pthread_sigmask(SIG_BLOCK, &usr1, NULL) == 0);
	test_assert(sem_init(&done, 0, 0) == 0);
	for (long i = 0; i < WORKERS; i++) {
		test_assert(sem_init(&ready[i], 0, 0) == 0);
		test_assert(sem_init(&go[i], 0, 0) == 0);
		test_assert(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
		sem_wait_intr(&ready[i]);
	}
	for (int i = 0; i < WORKERS; i++)
		say("thread %d: tid %d\n", i, (int)tids[i]);

	/* 1: process-directed; only thread 1 accepts it. */
	test_assert(kill(getpid(), SIGUSR1) == 0);
	wait_hits(1);
	w = which(hit_tid[0]);
	test_assert(w == 1);
	say("kill(pid): handled by %s (tid %d)\n", name(w), (int)hit_tid[0]);
	test_assert(sem_post(&go[1]) == 0);
	sem_wait_intr(&done);
	test_assert(pthread_join(t[1], NULL) == 0);

	/* 2: thread-directed at a thread that blocks it. */
	test_assert(pthread_kill(t[2], SIGUSR1) == 0);
	test_assert(sigpending(&pend) == 0);
	test_assert(!sigismember(&pend, SIGUSR1));
	say("pthread_kill(thread 2): not pending in main\n");
	test_assert(sem_post(&go[2]) == 0);
	sem_wait_intr(&done);
	test_assert(pthread_join(t[2], NULL) == 0);
	test_assert(w2_pending_before == 1 && w2_hits_after_unblock == 2);
	w = which(hit_tid[1]);
	test_assert(w == 2);
	say("pthread_kill(thread 2): pending there %d, handled by %s (tid %d) when unblocked\n",
	    w2_pending_before, name(w), (int)hit_tid[1]);

	/* 3: tgkill at thread 0, taken synchronously with sigwaitinfo. */
	test_assert(syscall(SYS_tgkill, getpid(), tids[0], SIGUSR1) == 0);
	test_assert(sem_post(&go[0]) == 0);
	sem_wait_intr(&done);
	test_assert(pthread_join(t[0], NULL) == 0);
	/* SI_TKILL traditionally; kernel 6.18 says SI_USER. */
	test_assert(w0_sig == SIGUSR1);
	test_assert(w0_info.si_code == SI_TKILL || w0_info.si_code == SI_USER);
	test_assert(w0_info.si_pid == getpid() && atomic_load(&nhits) == 2);
	say("tgkill(thread 0): sigwaitinfo returned %d, si_code %d, si_pid %d\n", w0_sig,
	    w0_info.si_code, (int)w0_info.si_pid);

	/* 4: to main itself, unblocked. */
	test_assert(pthread_sigmask(SIG_UNBLOCK, &usr1, NULL) == 0);
	test_assert(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1) == 0);
	test_assert(atomic_load(&nhits) == 3);
	w = which(hit_tid[2]);
	test_assert(w == -1);
	say("tgkill(main): handled by %s (tid %d)\n", name(w), (int)hit_tid[2]);
	say("EXIT-SUCCESS\n");
	return 0;
}
