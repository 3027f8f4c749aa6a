/* SPDX-License-Identifier: MIT */
/*
 * threads_rwlock_barrier: 4 threads go through 3 phases separated by a
 * pthread barrier. In each phase one thread (the phase's writer) updates a
 * shared pair under the write lock of a pthread rwlock while the others keep
 * reading it under the read lock and check that the pair is consistent.
 * After each barrier every thread checks that it sees the phase's update and
 * takes a ticket: the order in which the threads left the barrier, and which
 * one got PTHREAD_BARRIER_SERIAL_THREAD, are racy. main prints them after
 * joining. Also trywrlock while a read lock is held (EBUSY).
 */
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>

#define THREADS 4
#define PHASES 3
#define READS 200

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t barrier;
static unsigned long shared_a, shared_b;

static atomic_int ticket[PHASES];
static int order[PHASES][THREADS];
static atomic_int serial[PHASES];

struct worker {
	pthread_t thread;
	int index;
	unsigned long reads;
};

static void *run(void *arg)
{
	struct worker *w = arg;

	for (int phase = 0; phase < PHASES; phase++) {
		int r, pos;

		if (phase % THREADS == w->index) {
			test_assert(pthread_rwlock_wrlock(&rw) == 0);
			shared_a++;
			shared_b = shared_a * 3 + 1;
			test_assert(pthread_rwlock_unlock(&rw) == 0);
		} else {
			for (int i = 0; i < READS; i++) {
				test_assert(pthread_rwlock_rdlock(&rw) == 0);
				test_assert(shared_b == shared_a * 3 + 1 || shared_a == 0);
				test_assert(pthread_rwlock_unlock(&rw) == 0);
				w->reads++;
			}
		}
		r = pthread_barrier_wait(&barrier);
		test_assert(r == 0 || r == PTHREAD_BARRIER_SERIAL_THREAD);
		pos = atomic_fetch_add(&ticket[phase], 1);
		test_assert(pos >= 0 && pos < THREADS);
		order[phase][pos] = w->index;
		if (r == PTHREAD_BARRIER_SERIAL_THREAD)
			atomic_store(&serial[phase], w->index + 1);

		test_assert(pthread_rwlock_rdlock(&rw) == 0);
		test_assert(shared_a == (unsigned long)phase + 1);
		test_assert(pthread_rwlock_unlock(&rw) == 0);
		/* Nobody writes the next phase before everyone has checked this one. */
		r = pthread_barrier_wait(&barrier);
		test_assert(r == 0 || r == PTHREAD_BARRIER_SERIAL_THREAD);
	}
	return NULL;
}

int main(void)
{
	struct worker w[THREADS] = { 0 };

	alarm(20);
	say("pid %d\n", (int)getpid());

	test_assert(pthread_rwlock_rdlock(&rw) == 0);
	test_assert(pthread_rwlock_tryrdlock(&rw) == 0);
	test_assert(pthread_rwlock_trywrlock(&rw) == EBUSY);
	test_assert(pthread_rwlock_unlock(&rw) == 0);
	test_assert(pthread_rwlock_unlock(&rw) == 0);
	say("trywrlock with read locks held: EBUSY\n");

	test_assert(pthread_barrier_init(&barrier, NULL, THREADS) == 0);
	for (int i = 0; i < THREADS; i++) {
		w[i].index = i;
		test_assert(pthread_create(&w[i].thread, NULL, run, &w[i]) == 0);
	}
	for (int i = 0; i < THREADS; i++)
		test_assert(pthread_join(w[i].thread, NULL) == 0);
	test_assert(pthread_barrier_destroy(&barrier) == 0);

	for (int phase = 0; phase < PHASES; phase++) {
		unsigned seen = 0;

		test_assert(atomic_load(&ticket[phase]) == THREADS);
		test_assert(atomic_load(&serial[phase]) > 0);
		for (int i = 0; i < THREADS; i++)
			seen |= 1u << order[phase][i];
		test_assert(seen == (1u << THREADS) - 1);
		say("phase %d: writer %d, left the barrier in order %d %d %d %d, serial %d\n",
		    phase, phase % THREADS, order[phase][0], order[phase][1], order[phase][2],
		    order[phase][3], atomic_load(&serial[phase]) - 1);
	}
	for (int i = 0; i < THREADS; i++)
		say("thread %d: %lu reads\n", i, w[i].reads);
	say("final pair %lu %lu\n", shared_a, shared_b);
	say("EXIT-SUCCESS\n");
	return 0;
}
