/* SPDX-License-Identifier: MIT */
/*
 * spin_token: two threads pass a token back and forth 100 times. Each waits
 * for its turn in a pure busy loop on an atomic variable, with no syscall
 * at all, counting how often it spun. A recorder that runs one thread at a
 * time must preempt the spinning thread, or the other never gets the token:
 * this is the test for that. The spin counts are racy; main prints them and
 * their sum after joining.
 */
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>

#define HANDOFFS 100

static atomic_int turn;
static unsigned long spins[HANDOFFS];
static pid_t tids[2];

static void *player(void *arg)
{
	int me = (int)(long)arg;

	tids[me] = gettid();
	for (int k = me; k < HANDOFFS; k += 2) {
		unsigned long n = 0;

		while (atomic_load(&turn) != k) {
			n++;
			PAD();
		}
		spins[k] = n;
		atomic_store(&turn, k + 1);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[2];
	unsigned long sum = 0;

	alarm(20);
	say("pid %d\n", (int)getpid());
	for (long i = 0; i < 2; i++)
		test_assert(pthread_create(&t[i], NULL, player, (void *)i) == 0);
	for (int i = 0; i < 2; i++)
		test_assert(pthread_join(t[i], NULL) == 0);
	test_assert(atomic_load(&turn) == HANDOFFS);
	say("players: tid %d and tid %d\n", (int)tids[0], (int)tids[1]);
	for (int k = 0; k < HANDOFFS; k++) {
		say("handoff %d by player %d after %lu spins\n", k, k % 2, spins[k]);
		sum += spins[k];
	}
	say("total spins %lu\n", sum);
	say("EXIT-SUCCESS\n");
	return 0;
}
