/* SPDX-License-Identifier: MIT */
/*
 * threads_recvmmsg_observed: threads_recvmsg_observed for recvmmsg(). A
 * reader thread blocks in recvmmsg() for two datagrams on a datagram
 * socketpair, its mmsghdr array, the buffers, names and control buffers
 * of both messages and (even rounds) its timeout all in global memory;
 * main sends the next two datagrams with one sendmmsg() (from a socket
 * bound to an abstract name, an fd passed by SCM_RIGHTS with each) and
 * watches without syscalls, counting passes until any of them changes
 * (data, name, control data, msg_len, msg_namelen, msg_controllen,
 * msg_flags, the time left), then until all have. The recorder gives the
 * call a copy of the array in its scratch slot, the messages' buffers
 * there too, and copies everything to the program's at the call's exit,
 * an event in the recorded order, so main sees it all at the same pass in
 * the recording and in every replay (the second count is 0). The counts
 * are racy (slice=5000) and printed.
 *
 * Last, a timeout in a PROT_NONE page fails with EFAULT before any
 * datagram is taken, as without the redirection, and a datagram longer
 * than the buffers, with three fds for room for two and a name buffer of
 * five bytes, comes back alone (MSG_WAITFORONE) with MSG_TRUNC and
 * MSG_CTRUNC, the second entry untouched.
 */
#include "util.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#define ROUNDS 6
#define CHUNK 3000
#define LONG_MSG 5000
#define NAME_SHORT 5
#define UNSET 0x7eadbeef

/* Room for two fds in rounds, where one comes (the kernel writes CMSG_SPACE of it). */
union ctl {
	char buf[CMSG_SPACE(sizeof(int)) + 8];
	struct cmsghdr align;
};

/* One receive: two messages, everything the kernel writes. */
struct recv2 {
	struct mmsghdr mm[2];
	struct iovec iov[2];
	unsigned char data[2][CHUNK];
	struct sockaddr_un from[2];
	union ctl ctl[2];
	struct timespec left;
	int got, fds;
};

static int sv[2];
static volatile struct recv2 rx[ROUNDS + 1];
static socklen_t melen;
static int page_err;

/* Has anything of round k arrived? */
static int changed(int k)
{
	volatile struct recv2 *x = &rx[k];

	for (int j = 0; j < 2; j++)
		if (x->data[j][0] == 2 * k + j + 1 || x->from[j].sun_family == AF_UNIX ||
		    x->ctl[j].align.cmsg_type == SCM_RIGHTS || x->mm[j].msg_len != UNSET ||
		    x->mm[j].msg_hdr.msg_namelen == melen || x->mm[j].msg_hdr.msg_flags != UNSET ||
		    x->mm[j].msg_hdr.msg_controllen != sizeof(x->ctl[j].buf))
			return 1;
	return k % 2 == 0 && x->left.tv_sec != 10;
}

/* Has all of it? */
static int all_there(int k)
{
	volatile struct recv2 *x = &rx[k];

	for (int j = 0; j < 2; j++)
		if (x->data[j][0] != 2 * k + j + 1 || x->from[j].sun_family != AF_UNIX ||
		    x->ctl[j].align.cmsg_type != SCM_RIGHTS || x->mm[j].msg_len != CHUNK ||
		    x->mm[j].msg_hdr.msg_namelen != melen || x->mm[j].msg_hdr.msg_flags == UNSET ||
		    x->mm[j].msg_hdr.msg_controllen != CMSG_SPACE(sizeof(int)))
			return 0;
	return k % 2 || x->left.tv_sec != 10;
}

/*
 * Point round k's mmsghdr array at its buffers, with room for namelen
 * bytes of name and controllen of control data, the fields the kernel
 * writes set to UNSET.
 */
static void setup(int k, socklen_t namelen, size_t controllen)
{
	struct recv2 *x = (struct recv2 *)&rx[k];

	for (int j = 0; j < 2; j++) {
		x->iov[j] = (struct iovec){ x->data[j], CHUNK };
		x->mm[j].msg_hdr = (struct msghdr){ .msg_name = &x->from[j],
						    .msg_namelen = namelen,
						    .msg_iov = &x->iov[j],
						    .msg_iovlen = 1,
						    .msg_control = x->ctl[j].buf,
						    .msg_controllen = controllen,
						    .msg_flags = UNSET };
		x->mm[j].msg_len = UNSET;
	}
	x->left = (struct timespec){ 10, 0 };
}

/* Close the fds that round k's received messages brought, counting them. */
static void close_fds(int k)
{
	struct recv2 *x = (struct recv2 *)&rx[k];

	for (int j = 0; j < x->got; j++) {
		struct msghdr *m = &x->mm[j].msg_hdr;

		for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
			test_assert(cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS);
			for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
				test_assert(fd >= 0 && close(fd) == 0);
				x->fds++;
			}
		}
	}
}

static void *reader(void *arg)
{
	struct timespec *none = arg;

	for (int k = 0; k < ROUNDS; k++) {
		setup(k, sizeof(struct sockaddr_un), sizeof(union ctl));
		rx[k].got = recvmmsg(sv[1], (struct mmsghdr *)rx[k].mm, 2, MSG_CMSG_CLOEXEC,
				     k % 2 ? NULL : (struct timespec *)&rx[k].left);
		test_assert(rx[k].got == 2);
		close_fds(k);
	}
	setup(ROUNDS, NAME_SHORT, CMSG_SPACE(sizeof(int)));
	test_assert(recvmmsg(sv[1], (struct mmsghdr *)rx[ROUNDS].mm, 2, 0, none) == -1);
	page_err = errno;
	rx[ROUNDS].got = recvmmsg(sv[1], (struct mmsghdr *)rx[ROUNDS].mm, 2,
				  MSG_CMSG_CLOEXEC | MSG_WAITFORONE, NULL);
	test_assert(rx[ROUNDS].got == 1);
	close_fds(ROUNDS);
	return NULL;
}

/* Send n datagrams of len bytes, filled with first, first + 1..., nfds copies of fd 0 with each. */
static void send_some(int n, int first, size_t len, int nfds)
{
	static unsigned char chunk[2][LONG_MSG];
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} out[2];
	struct mmsghdr mm[2];
	struct iovec v[2];
	int pass[3] = { 0, 0, 0 };

	memset(out, 0, sizeof(out));
	for (int j = 0; j < n; j++) {
		struct cmsghdr *cm;

		memset(chunk[j], first + j, len);
		v[j] = (struct iovec){ chunk[j], len };
		mm[j] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &v[j], .msg_iovlen = 1,
						       .msg_control = out[j].buf,
						       .msg_controllen =
							       CMSG_SPACE(nfds * sizeof(int)) } };
		cm = CMSG_FIRSTHDR(&mm[j].msg_hdr);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), pass, nfds * sizeof(int));
	}
	test_assert(sendmmsg(sv[0], mm, n, 0) == n);
}

int main(void)
{
	long passes[ROUNDS], more[ROUNDS];
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	int len = snprintf(me.sun_path + 1, sizeof(me.sun_path) - 1, "rewind-recvmmsg-%d",
			   (int)getpid());
	struct timespec *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile struct recv2 *last = &rx[ROUNDS];
	pthread_t t;

	alarm(30);
	melen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
	test_assert(none != MAP_FAILED);
	test_assert(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0);
	test_assert(bind(sv[0], (struct sockaddr *)&me, melen) == 0);
	test_assert(pthread_create(&t, NULL, reader, none) == 0);
	for (int k = 0; k < ROUNDS; k++) {
		struct timespec ms = { 0, 2000000 };
		/* Let the reader block in recvmmsg() before the datagrams come. */
		nanosleep(&ms, NULL);
		send_some(2, 2 * k + 1, CHUNK, 1);
		passes[k] = spin_until(changed, k);
		more[k] = spin_until(all_there, k);
	}
	send_some(1, 'z', LONG_MSG, 3);
	test_assert(pthread_join(t, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++)
		say("round %d: something seen after %ld passes, all of it %ld passes later\n", k,
		    passes[k], more[k]);
	for (int k = 0; k < ROUNDS; k++) {
		volatile struct recv2 *x = &rx[k];

		say("round %d: %d messages of %u and %u bytes from @%s, fds %d, %s\n", k, x->got,
		    x->mm[0].msg_len, x->mm[1].msg_len, (const char *)x->from[1].sun_path + 1,
		    x->fds, k % 2 ? "no timeout" : "time left under 10 s");
		test_assert(k % 2 || (x->left.tv_sec < 10 && x->left.tv_sec >= 0));
	}
	say("timeout in a PROT_NONE page: %s\n", strerror(page_err));
	say("long datagram: %d message of %u bytes, namelen %u, controllen %zu, flags %#x, "
	    "fds %d; second entry: msg_len %#x\n",
	    last->got, last->mm[0].msg_len, (unsigned)last->mm[0].msg_hdr.msg_namelen,
	    (size_t)last->mm[0].msg_hdr.msg_controllen, (unsigned)last->mm[0].msg_hdr.msg_flags,
	    last->fds, last->mm[1].msg_len);
	test_assert(page_err == EFAULT && last->mm[0].msg_len == CHUNK &&
		    last->mm[0].msg_hdr.msg_namelen == melen &&
		    !memcmp((const void *)&last->from[0], &me, NAME_SHORT) &&
		    last->from[0].sun_path[NAME_SHORT - 2] == 0 &&
		    (last->mm[0].msg_hdr.msg_flags & MSG_TRUNC) &&
		    (last->mm[0].msg_hdr.msg_flags & MSG_CTRUNC) && last->fds == 2 &&
		    last->data[0][CHUNK - 1] == 'z' && last->mm[1].msg_len == UNSET);
	say("EXIT-SUCCESS\n");
	return 0;
}
