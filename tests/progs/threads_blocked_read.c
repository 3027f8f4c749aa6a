/* SPDX-License-Identifier: MIT */
/*
 * threads_blocked_read: a reader thread blocks in read() on a pipe into a
 * global buffer while main writes the next chunk and then computes for a
 * while without syscalls. At record time the kernel fills the buffer as
 * soon as the chunk is written, while main still runs; the recorder
 * preempts main there (a state-identified point, slice=5000). At replay
 * the buffer is filled at the read's own event, after that point: the
 * point's memory digest must not count the buffer of the blocked read, or
 * replay cannot find the point. Prints each chunk's checksum as read.
 */
#include "util.h"

#include <pthread.h>

#define ROUNDS 8
#define CHUNK 16384

static int fds[2];
static unsigned char inbuf[CHUNK];
static uint64_t sums[ROUNDS];
static volatile uint64_t sink;

static void *reader(void *arg)
{
	(void)arg;
	for (int k = 0; k < ROUNDS; k++) {
		size_t got = 0;
		while (got < CHUNK) {
			ssize_t n = read(fds[0], inbuf + got, CHUNK - got);
			test_assert(n > 0);
			got += (size_t)n;
		}
		sums[k] = fnv1a(FNV1A_INIT, inbuf, CHUNK);
	}
	return NULL;
}

/*
 * About 20 ms of work with no syscall: long enough for a 5 ms slice to end.
 * The store to sink in the loop is an instruction long enough for a trap.
 */
static void compute(uint64_t seed)
{
	uint64_t x = seed | 1;
	for (long i = 0; i < PAD_PASSES(10000000); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sink = x;
		PAD();
	}
}

int main(void)
{
	static unsigned char chunk[CHUNK];
	pthread_t t;

	alarm(30);
	test_assert(pipe(fds) == 0);
	test_assert(pthread_create(&t, NULL, reader, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++) {
		/* Let the reader block in read() before the chunk comes. */
		struct timespec ms = { 0, 2000000 };
		nanosleep(&ms, NULL);
		for (int i = 0; i < CHUNK; i++)
			chunk[i] = (unsigned char)(i * 7 + k);
		test_assert(write(fds[1], chunk, CHUNK) == CHUNK);
		compute((uint64_t)k);
	}
	test_assert(pthread_join(t, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++)
		say("chunk %d checksum %016llx\n", k, (unsigned long long)sums[k]);
	say("sink %016llx\n", (unsigned long long)sink);
	say("EXIT-SUCCESS\n");
	return 0;
}
