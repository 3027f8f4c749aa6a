/* SPDX-License-Identifier: MIT */
/*
 * threads_recvfrom_observed: threads_read_observed for recvfrom() with a
 * source address. A reader thread blocks in recvfrom() on a datagram
 * socketpair, its buffer, the address buffer and the address length all in
 * global memory; main sends the next datagram (from a socket bound to an
 * abstract name) and watches without syscalls, counting passes until any
 * of the three changes, then until all of them have. The recorder gives the
 * call a buffer, an address and a length in its scratch slot and copies
 * them to the program's at the call's exit, an event in the recorded order,
 * so main sees all three at the same pass in the recording and in every
 * replay (the second count is 0). The counts are racy (slice=5000) and
 * printed. Odd rounds give an address buffer shorter than the address: it
 * is cut there and the length is the full one, as the kernel does.
 *
 * Last, with the reader still a thread, the kernel's checks on the length
 * happen after the datagram is taken: a NULL length gives EFAULT, a
 * negative one EINVAL, one in a PROT_NONE page EFAULT with the address
 * untouched, one in a read-only page EFAULT (whether the address is written
 * then depends on the kernel's version: not looked at).
 */
#include "util.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#define ROUNDS 6
#define CHUNK 4096
#define SHORT 5

static int sv[2];
static volatile unsigned char inbuf[CHUNK];
static volatile struct sockaddr_un from[ROUNDS];
static volatile socklen_t fromlen[ROUNDS];
static ssize_t got[ROUNDS];
static socklen_t melen;

/* The checks after the watched rounds: their results, and the address each left. */
static int null_err, neg_err, none_err, ro_err;
static ssize_t neg_ret;
static struct sockaddr_un none_from, ro_from;

/* Has any of the data, the address and its length of datagram k arrived? */
static int changed(int k)
{
	return inbuf[0] == k + 1 || from[k].sun_family == AF_UNIX || fromlen[k] == melen;
}

/* Have all of them? */
static int all_there(int k)
{
	return inbuf[0] == k + 1 && from[k].sun_family == AF_UNIX && fromlen[k] == melen;
}

/* recvfrom with no data buffer and the length at lenp: -errno or the result. */
static ssize_t recv_name(struct sockaddr_un *name, socklen_t *lenp)
{
	ssize_t n = recvfrom(sv[1], NULL, 0, 0, (struct sockaddr *)name, lenp);
	return n < 0 ? -errno : n;
}

static void *reader(void *arg)
{
	socklen_t *page = arg;
	socklen_t neg = (socklen_t)-1;

	for (int k = 0; k < ROUNDS; k++) {
		socklen_t len = k % 2 ? SHORT : sizeof(from[k]);
		fromlen[k] = len;
		got[k] = recvfrom(sv[1], (unsigned char *)inbuf, CHUNK, 0,
				  (struct sockaddr *)&from[k], (socklen_t *)&fromlen[k]);
		test_assert(got[k] == CHUNK);
	}
	null_err = (int)-recv_name(&none_from, NULL);
	neg_ret = recv_name(&none_from, &neg);
	neg_err = (int)-neg_ret;
	test_assert(mprotect(page, 4096, PROT_NONE) == 0);
	none_err = (int)-recv_name(&none_from, page);
	test_assert(mprotect(page, 4096, PROT_READ) == 0);
	ro_err = (int)-recv_name(&ro_from, page);
	return NULL;
}

int main(void)
{
	static unsigned char chunk[CHUNK];
	long passes[ROUNDS], more[ROUNDS];
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	int len = snprintf(me.sun_path + 1, sizeof(me.sun_path) - 1, "rewind-recvfrom-%d",
			   (int)getpid());
	socklen_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
	pthread_t t;

	alarm(30);
	melen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
	test_assert(page != MAP_FAILED);
	*page = sizeof(struct sockaddr_un);
	test_assert(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0);
	test_assert(bind(sv[0], (struct sockaddr *)&me, melen) == 0);
	test_assert(pthread_create(&t, NULL, reader, page) == 0);
	for (int k = 0; k < ROUNDS; k++) {
		struct timespec ms = { 0, 2000000 };
		/* Let the reader block in recvfrom() before the datagram comes. */
		nanosleep(&ms, NULL);
		memset(chunk, k + 1, sizeof(chunk));
		test_assert(send(sv[0], chunk, CHUNK, 0) == CHUNK);
		passes[k] = spin_until(changed, k);
		more[k] = spin_until(all_there, k);
	}
	for (int i = 0; i < 4; i++)
		test_assert(send(sv[0], "x", 1, 0) == 1);
	test_assert(pthread_join(t, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++)
		say("datagram %d seen after %ld passes, all of it %ld passes later\n", k,
		    passes[k], more[k]);
	for (int k = 0; k < ROUNDS; k++) {
		socklen_t kept = k % 2 ? SHORT : melen;
		test_assert(fromlen[k] == melen);
		test_assert(!memcmp((const void *)&from[k], &me, kept));
		say("datagram %d: %zd bytes, address length %u, %u bytes of it kept\n", k, got[k],
		    (unsigned)fromlen[k], (unsigned)kept);
	}
	test_assert(null_err == EFAULT && neg_ret == -EINVAL && none_err == EFAULT &&
		    ro_err == EFAULT);
	test_assert(none_from.sun_family == 0);
	test_assert(*page == sizeof(struct sockaddr_un));
	say("NULL length: %s; negative length: %s\n", strerror(null_err), strerror(neg_err));
	say("length in a PROT_NONE page: %s, address untouched\n", strerror(none_err));
	say("length in a read-only page: %s\n", strerror(ro_err));
	say("EXIT-SUCCESS\n");
	return 0;
}
