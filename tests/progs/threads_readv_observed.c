/* SPDX-License-Identifier: MIT */
/*
 * threads_readv_observed: threads_read_observed for the vector reads. A
 * reader thread blocks in readv() (even rounds) or preadv2() (odd rounds,
 * offset -1) on a pipe, into two iovecs that point at two global buffers;
 * main writes the next chunk and watches the first buffer without
 * syscalls, counting passes until the chunk shows up, then counts the
 * passes until the second buffer has it too. The recorder gives the call a
 * copy of the iovecs that points into its scratch slot and scatters the
 * data over the program's buffers at the call's exit, an event in the
 * recorded order, so main sees both at the same pass in the recording and
 * in every replay. The counts are racy (slice=5000) and printed. Last, a
 * readv() whose second iovec ends at a PROT_NONE page fails with EFAULT,
 * as without the redirection.
 */
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <sys/uio.h>

#define ROUNDS 6
#define HEAD 1536
#define TAIL 2560
#define CHUNK (HEAD + TAIL)

static int fds[2];
static volatile unsigned char head[HEAD];
static volatile unsigned char tail[TAIL];
static int fault_errno;

/* Read CHUNK bytes into head and tail, resuming after a short read. */
static void read_chunk(int k)
{
	size_t got = 0;

	while (got < CHUNK) {
		struct iovec iov[2];
		int cnt = 0;
		ssize_t n;

		if (got < HEAD)
			iov[cnt++] = (struct iovec){ (unsigned char *)head + got, HEAD - got };
		iov[cnt] = (struct iovec){ (unsigned char *)tail + (got < HEAD ? 0 : got - HEAD),
					   got < HEAD ? TAIL : CHUNK - got };
		cnt++;
		if (k % 2)
			n = preadv2(fds[0], iov, cnt, -1, 0);
		else
			n = readv(fds[0], iov, cnt);
		test_assert(n > 0);
		got += (size_t)n;
	}
}

static void *reader(void *arg)
{
	static unsigned char small[4];
	unsigned char *end = guard_alloc(9);
	struct iovec iov[2] = { { small, sizeof(small) }, { end, 12 } };

	(void)arg;
	for (int k = 0; k < ROUNDS; k++)
		read_chunk(k);
	/* One pipe buffer of 16 bytes: the kernel fails it whole. */
	test_assert(readv(fds[0], iov, 2) == -1);
	fault_errno = errno;
	return NULL;
}

/* Has chunk k's first iovec arrived? Its second? */
static int head_there(int k)
{
	return head[0] == k + 1;
}

static int tail_there(int k)
{
	return tail[TAIL - 1] == k + 1;
}

int main(void)
{
	static unsigned char chunk[CHUNK];
	long passes[ROUNDS], more[ROUNDS];
	pthread_t t;

	alarm(30);
	test_assert(pipe(fds) == 0);
	test_assert(pthread_create(&t, NULL, reader, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++) {
		struct timespec ms = { 0, 2000000 };
		/* Let the reader block in readv() before the chunk comes. */
		nanosleep(&ms, NULL);
		memset(chunk, k + 1, sizeof(chunk));
		test_assert(write(fds[1], chunk, CHUNK) == CHUNK);
		passes[k] = spin_until(head_there, k);
		more[k] = spin_until(tail_there, k);
	}
	test_assert(write(fds[1], "0123456789abcdef", 16) == 16);
	test_assert(pthread_join(t, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++)
		say("chunk %d seen after %ld passes, in the second iovec %ld passes later\n", k,
		    passes[k], more[k]);
	test_assert(head[HEAD - 1] == ROUNDS && tail[0] == ROUNDS);
	say("readv into a buffer ending at a PROT_NONE page: %s\n", strerror(fault_errno));
	say("EXIT-SUCCESS\n");
	return 0;
}
