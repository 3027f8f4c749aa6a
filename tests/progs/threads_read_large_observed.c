/* SPDX-License-Identifier: MIT */
/*
 * threads_read_large_observed: threads_read_observed for reads longer than
 * a slot of the recorder's scratch pool (1 MiB), into global memory that
 * main watches without syscalls. The recorder lays such a call out over
 * several consecutive free slots and copies the data to the program's
 * buffers at the call's exit, an event in the recorded order, so main
 * sees it at the same pass in the recording and in every replay. The
 * counts are racy (slice=5000) and printed.
 *
 * First a reader thread blocks in read() of 3 MiB on a pipe, where main
 * writes a 4 KiB chunk at a time and counts passes until it shows up.
 * Then the data itself goes past the first slot: recv() with MSG_WAITALL
 * of 3 MiB and recvmsg() with MSG_WAITALL into two iovecs of 1.5 MiB each,
 * on a stream socketpair. Main writes all but the last byte (its write
 * returns once the reader has taken most of them) and looks for the first
 * byte during a million passes: it is not there yet, as the call still
 * waits for its last byte (without the redirection the kernel's writes
 * would show at record time, at pass 0). Then main writes the last byte
 * and counts passes until the first byte, then until the last byte shows
 * up. The checksums of what arrived are printed.
 */
#include "util.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define ROUNDS 4
#define CHUNK 4096
#define BIG (3 << 20)
#define HALF (BIG / 2)
#define LOOK 1000000L

static int fds[2], sv[2];
static volatile unsigned char big[BIG];
static ssize_t got[ROUNDS + 2];
static volatile long sink;

/* The byte at i of stream s (1: recv, 2: recvmsg). */
static unsigned char pattern(int s, size_t i)
{
	return (unsigned char)(s * 7 + i % 251);
}

static int first_there(int s)
{
	return big[0] == pattern(s, 0);
}

static int last_there(int s)
{
	return big[BIG - 1] == pattern(s, BIG - 1);
}

static int chunk_there(int k)
{
	return big[0] == k + 1;
}

static void *reader(void *arg)
{
	unsigned char *b = (unsigned char *)big;
	struct iovec iov[2] = { { b, HALF }, { b + HALF, BIG - HALF } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	char go;

	(void)arg;
	for (int k = 0; k < ROUNDS; k++)
		got[k] = read(fds[0], b, BIG);
	got[ROUNDS] = recv(sv[1], b, BIG, MSG_WAITALL);
	test_assert(got[ROUNDS] == BIG);
	/* Wait for main to have seen it all before the next stream overwrites it. */
	test_assert(read(fds[0], &go, 1) == 1);
	got[ROUNDS + 1] = recvmsg(sv[1], &m, MSG_WAITALL);
	return NULL;
}

/* Look for done(arg) during n passes: the pass where it held, or -1. */
static long look(int (*done)(int), int arg, long n)
{
	for (long i = 0; i < n; i++) {
		if (done(arg))
			return i;
		sink = i;
		PAD();
	}
	return -1;
}

/*
 * Write stream s, BIG bytes, to the stream socket, looking for its first
 * byte in big before the last byte goes: the return value (-1: not seen).
 */
static long send_stream(int s)
{
	static unsigned char out[BIG];
	long early;

	for (size_t i = 0; i < BIG; i++)
		out[i] = pattern(s, i);
	write_all(sv[0], out, BIG - 1);
	early = look(first_there, s, PAD_PASSES(LOOK));
	write_all(sv[0], out + BIG - 1, 1);
	return early;
}

int main(void)
{
	static unsigned char chunk[CHUNK];
	long passes[ROUNDS], early[2], first[2], last[2];
	uint64_t sum[2];
	pthread_t t;

	alarm(30);
	test_assert(pipe(fds) == 0);
	test_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	test_assert(pthread_create(&t, NULL, reader, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++) {
		struct timespec ms = { 0, 2000000 };
		/* Let the reader block in read() before the chunk comes. */
		nanosleep(&ms, NULL);
		memset(chunk, k + 1, sizeof(chunk));
		test_assert(write(fds[1], chunk, CHUNK) == CHUNK);
		passes[k] = spin_until(chunk_there, k);
	}
	for (int s = 1; s <= 2; s++) {
		early[s - 1] = send_stream(s);
		first[s - 1] = spin_until(first_there, s);
		last[s - 1] = spin_until(last_there, s);
		sum[s - 1] = fnv1a(FNV1A_INIT, (const void *)big, BIG);
		if (s == 1)
			test_assert(write(fds[1], "x", 1) == 1);
	}
	test_assert(pthread_join(t, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++)
		say("read %d: %zd bytes, seen after %ld passes\n", k, got[k], passes[k]);
	for (int s = 1; s <= 2; s++) {
		uint64_t want = FNV1A_INIT;

		for (size_t i = 0; i < BIG; i++) {
			unsigned char c = pattern(s, i);
			want = fnv1a(want, &c, 1);
		}
		test_assert(sum[s - 1] == want);
		say("%s: %zd bytes, the first %s before the last byte was sent, seen after %ld "
		    "passes, the last %ld passes later, checksum %016llx\n",
		    s == 1 ? "recv" : "recvmsg", got[ROUNDS + s - 1],
		    early[s - 1] < 0 ? "not seen" : "seen", first[s - 1], last[s - 1],
		    (unsigned long long)sum[s - 1]);
	}
	test_assert(got[ROUNDS + 1] == BIG);
	say("EXIT-SUCCESS\n");
	return 0;
}
