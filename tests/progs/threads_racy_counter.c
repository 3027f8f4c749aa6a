/* SPDX-License-Identifier: MIT */
/*
 * threads_racy_counter: 4 threads each do 200000 unsynchronized increments
 * of one volatile global, with a sched_yield() every 10000 so that thread
 * switches also happen at syscalls. Lost updates make the final total differ
 * from run to run natively (on more than one CPU); replay must reproduce the
 * recorded interleaving and so the recorded total. Prints each thread's tid
 * and the total, after joining.
 */
#include "util.h"

#include <pthread.h>
#include <sched.h>

#define THREADS 4
#define ITERS 200000
#define YIELD_EVERY 10000

static volatile unsigned long counter;

struct worker {
	pthread_t thread;
	int index;
	pid_t tid;
	unsigned long yields;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	w->tid = gettid();
	for (int i = 1; i <= ITERS; i++) {
		counter++;
		if (i % YIELD_EVERY == 0) {
			test_assert(sched_yield() == 0);
			w->yields++;
		}
	}
	return NULL;
}

int main(void)
{
	struct worker w[THREADS] = { 0 };

	alarm(20);
	say("pid %d\n", (int)getpid());
	for (int i = 0; i < THREADS; i++) {
		w[i].index = i;
		test_assert(pthread_create(&w[i].thread, NULL, work, &w[i]) == 0);
	}
	for (int i = 0; i < THREADS; i++)
		test_assert(pthread_join(w[i].thread, NULL) == 0);
	for (int i = 0; i < THREADS; i++) {
		test_assert(w[i].tid > 0 && w[i].tid != getpid());
		test_assert(w[i].yields == ITERS / YIELD_EVERY);
		say("thread %d tid %d yields %lu\n", i, (int)w[i].tid, w[i].yields);
	}
	test_assert(counter >= 1 && counter <= (unsigned long)THREADS * ITERS);
	say("total %lu of %lu (%lu lost)\n", counter, (unsigned long)THREADS * ITERS,
	    (unsigned long)THREADS * ITERS - counter);
	say("EXIT-SUCCESS\n");
	return 0;
}
