/* SPDX-License-Identifier: MIT */
/*
 * threads_read_observed: a reader thread blocks in read() on a pipe into a
 * global buffer; main writes the next chunk and then watches the buffer
 * without syscalls, counting passes until the chunk shows up there. At
 * record time the kernel would fill the buffer whenever the reader wakes,
 * in the middle of main's loop; at replay the read's data arrives at its
 * event. So the recorder reads into a scratch buffer and copies it at the
 * read's exit, an event in the recorded order: main then sees the chunk at
 * the same pass in the recording and in every replay. The counts are racy
 * (they depend on the preemption slice, slice=5000) and printed.
 */
#include "util.h"

#include <pthread.h>

#define ROUNDS 6
#define CHUNK 4096

static int fds[2];
static volatile unsigned char inbuf[CHUNK];

static void *reader(void *arg)
{
	(void)arg;
	for (int k = 0; k < ROUNDS; k++) {
		size_t got = 0;
		while (got < CHUNK) {
			ssize_t n = read(fds[0], (unsigned char *)inbuf + got, CHUNK - got);
			test_assert(n > 0);
			got += (size_t)n;
		}
	}
	return NULL;
}

/* Has chunk k arrived? */
static int arrived(int k)
{
	return inbuf[0] == k + 1;
}

int main(void)
{
	static unsigned char chunk[CHUNK];
	long passes[ROUNDS];
	pthread_t t;

	alarm(30);
	test_assert(pipe(fds) == 0);
	test_assert(pthread_create(&t, NULL, reader, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++) {
		struct timespec ms = { 0, 2000000 };
		/* Let the reader block in read() before the chunk comes. */
		nanosleep(&ms, NULL);
		memset(chunk, k + 1, sizeof(chunk));
		test_assert(write(fds[1], chunk, CHUNK) == CHUNK);
		passes[k] = spin_until(arrived, k);
	}
	test_assert(pthread_join(t, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++)
		say("chunk %d seen after %ld passes\n", k, passes[k]);
	say("EXIT-SUCCESS\n");
	return 0;
}
