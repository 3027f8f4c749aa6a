/* SPDX-License-Identifier: MIT */
/*
 * threads_mutex_condvar: producers and consumers over a bounded queue with a
 * pthread mutex and two condition variables: 2 producers put 2000 items in
 * all, 2 consumers take them. How many items each consumer got and how often
 * each side had to wait is racy; the checksum of all items is not. Also a
 * pthread_mutex_trylock on a held mutex (EBUSY) and a pthread_cond_timedwait
 * that times out (ETIMEDOUT). Everything is printed by main after joining.
 */
#include "util.h"

#include <pthread.h>

#define PRODUCERS 2
#define CONSUMERS 2
#define ITEMS 2000
#define PER_PRODUCER (ITEMS / PRODUCERS)
#define QUEUE_CAP 16

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static unsigned long queue[QUEUE_CAP];
static unsigned int head, count, taken;

struct worker {
	pthread_t thread;
	int index;
	unsigned long items, waits;
	uint64_t sum, sumsq;
};

static void *produce(void *arg)
{
	struct worker *w = arg;

	for (unsigned long i = 0; i < PER_PRODUCER; i++) {
		unsigned long item = (unsigned long)w->index * PER_PRODUCER + i + 1;

		test_assert(pthread_mutex_lock(&lock) == 0);
		while (count == QUEUE_CAP) {
			w->waits++;
			test_assert(pthread_cond_wait(&not_full, &lock) == 0);
		}
		queue[(head + count) % QUEUE_CAP] = item;
		count++;
		test_assert(pthread_cond_signal(&not_empty) == 0);
		test_assert(pthread_mutex_unlock(&lock) == 0);
		w->items++;
	}
	return NULL;
}

static void *consume(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		unsigned long item;

		test_assert(pthread_mutex_lock(&lock) == 0);
		while (count == 0 && taken < ITEMS) {
			w->waits++;
			test_assert(pthread_cond_wait(&not_empty, &lock) == 0);
		}
		if (count == 0) {
			test_assert(pthread_mutex_unlock(&lock) == 0);
			break;
		}
		item = queue[head];
		head = (head + 1) % QUEUE_CAP;
		count--;
		taken++;
		/* The last item: wake the other consumers so they see the end. */
		if (taken == ITEMS)
			test_assert(pthread_cond_broadcast(&not_empty) == 0);
		test_assert(pthread_cond_signal(&not_full) == 0);
		test_assert(pthread_mutex_unlock(&lock) == 0);
		w->items++;
		w->sum += item;
		w->sumsq += (uint64_t)item * item;
	}
	return NULL;
}

static void timed_wait(void)
{
	pthread_cond_t never = PTHREAD_COND_INITIALIZER;
	struct timespec until;
	long long t0 = ts_ns(CLOCK_REALTIME), t1;

	test_assert(pthread_mutex_lock(&lock) == 0);
	test_assert(clock_gettime(CLOCK_REALTIME, &until) == 0);
	until.tv_nsec += 5 * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	test_assert(pthread_cond_timedwait(&never, &lock, &until) == ETIMEDOUT);
	test_assert(pthread_mutex_unlock(&lock) == 0);
	t1 = ts_ns(CLOCK_REALTIME);
	test_assert(t1 - t0 >= 4 * 1000000LL);
	say("cond_timedwait: ETIMEDOUT after %lld us\n", (t1 - t0) / 1000);
}

static void *try_held(void *arg)
{
	(void)arg;
	return (void *)(long)pthread_mutex_trylock(&lock);
}

int main(void)
{
	struct worker prod[PRODUCERS] = { 0 }, cons[CONSUMERS] = { 0 };
	uint64_t sum = 0, sumsq = 0, want_sum = 0, want_sumsq = 0;
	unsigned long total = 0;
	pthread_t t;
	void *ret;

	alarm(20);
	say("pid %d\n", (int)getpid());

	test_assert(pthread_mutex_lock(&lock) == 0);
	test_assert(pthread_create(&t, NULL, try_held, NULL) == 0);
	test_assert(pthread_join(t, &ret) == 0);
	test_assert(pthread_mutex_unlock(&lock) == 0);
	test_assert((long)ret == EBUSY);
	say("trylock of a held mutex from another thread: EBUSY\n");
	timed_wait();

	for (int i = 0; i < CONSUMERS; i++) {
		cons[i].index = i;
		test_assert(pthread_create(&cons[i].thread, NULL, consume, &cons[i]) == 0);
	}
	for (int i = 0; i < PRODUCERS; i++) {
		prod[i].index = i;
		test_assert(pthread_create(&prod[i].thread, NULL, produce, &prod[i]) == 0);
	}
	for (int i = 0; i < PRODUCERS; i++)
		test_assert(pthread_join(prod[i].thread, NULL) == 0);
	for (int i = 0; i < CONSUMERS; i++)
		test_assert(pthread_join(cons[i].thread, NULL) == 0);

	for (int i = 0; i < PRODUCERS; i++) {
		test_assert(prod[i].items == PER_PRODUCER);
		say("producer %d: %lu items, waited %lu times on a full queue\n", i, prod[i].items,
		    prod[i].waits);
	}
	for (int i = 0; i < CONSUMERS; i++) {
		say("consumer %d: %lu items, waited %lu times on an empty queue\n", i,
		    cons[i].items, cons[i].waits);
		total += cons[i].items;
		sum += cons[i].sum;
		sumsq += cons[i].sumsq;
	}
	for (uint64_t v = 1; v <= ITEMS; v++) {
		want_sum += v;
		want_sumsq += v * v;
	}
	test_assert(total == ITEMS && taken == ITEMS && count == 0);
	test_assert(sum == want_sum && sumsq == want_sumsq);
	say("consumed %lu items, checksum %llu %llu\n", total, (unsigned long long)sum,
	    (unsigned long long)sumsq);
	say("EXIT-SUCCESS\n");
	return 0;
}
