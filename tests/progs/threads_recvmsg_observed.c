/* SPDX-License-Identifier: MIT */
/*
 * threads_recvmsg_observed: threads_read_observed for recvmsg(). A reader
 * thread blocks in recvmsg() on a datagram socketpair, its msghdr, its two
 * iovecs' buffers, its name and its control buffer all in global memory;
 * main sends the next datagram (from a socket bound to an abstract name,
 * with an fd passed by SCM_RIGHTS) and watches without syscalls, counting
 * passes until the data shows up, then until the name and the control
 * data have too. The recorder gives the call a msghdr in its scratch slot
 * and copies data, name, control data and the msghdr fields the kernel
 * updates to the program's at the call's exit, an event in the recorded
 * order, so main sees them at the same pass in the recording and in every
 * replay. The counts are racy (slice=5000) and printed. A last datagram,
 * longer than the buffers and with three fds for room for two, comes back
 * with MSG_TRUNC and MSG_CTRUNC.
 */
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#define ROUNDS 6
#define HEAD 1000
#define TAIL 3096
#define CHUNK (HEAD + TAIL)
#define LONG_MSG 5000

union ctl {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

static int sv[2];
static volatile unsigned char head[HEAD];
static volatile unsigned char tail[TAIL];
static struct iovec iov[ROUNDS + 1][2];
static struct msghdr mh[ROUNDS + 1];
static volatile struct sockaddr_un from[ROUNDS + 1];
static volatile union ctl ctl[ROUNDS + 1];
static ssize_t got[ROUNDS + 1];
static int got_fd[ROUNDS + 1];

/* Receive datagram k into the globals; count the fds it brought and close them. */
static void receive(int k, int flags)
{
	struct cmsghdr *cm;

	iov[k][0] = (struct iovec){ (unsigned char *)head, HEAD };
	iov[k][1] = (struct iovec){ (unsigned char *)tail, TAIL };
	mh[k] = (struct msghdr){ .msg_name = (struct sockaddr_un *)&from[k],
				 .msg_namelen = sizeof(from[k]),
				 .msg_iov = iov[k],
				 .msg_iovlen = 2,
				 .msg_control = (char *)ctl[k].buf,
				 .msg_controllen = sizeof(ctl[k].buf) };
	got[k] = recvmsg(sv[1], &mh[k], MSG_CMSG_CLOEXEC | flags);
	test_assert(got[k] > 0);
	for (cm = CMSG_FIRSTHDR(&mh[k]); cm; cm = CMSG_NXTHDR(&mh[k], cm)) {
		test_assert(cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS);
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			test_assert(fd >= 0 && close(fd) == 0);
			got_fd[k]++;
		}
	}
}

static void *reader(void *arg)
{
	(void)arg;
	for (int k = 0; k < ROUNDS; k++)
		receive(k, 0);
	receive(ROUNDS, MSG_TRUNC);
	return NULL;
}

/* Send len bytes of chunk from sv[0] with nfds copies of fd 0 passed along. */
static void send_chunk(const unsigned char *chunk, size_t len, int nfds)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} out;
	int pass[3] = { 0, 0, 0 };
	struct iovec v = { (void *)chunk, len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = out.buf,
			    .msg_controllen = CMSG_SPACE(nfds * sizeof(int)) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	memset(&out, 0, sizeof(out));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(cm), pass, nfds * sizeof(int));
	test_assert(sendmsg(sv[0], &m, 0) == (ssize_t)len);
}

/* Has datagram k's data arrived? Its address and its fd? */
static int head_there(int k)
{
	return head[0] == k + 1;
}

static int rest_there(int k)
{
	return from[k].sun_family == AF_UNIX && ctl[k].align.cmsg_type == SCM_RIGHTS;
}

int main(void)
{
	static unsigned char chunk[LONG_MSG];
	long passes[ROUNDS], more[ROUNDS];
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	int len = snprintf(me.sun_path + 1, sizeof(me.sun_path) - 1, "rewind-recvmsg-%d",
			   (int)getpid());
	pthread_t t;

	alarm(30);
	test_assert(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0);
	test_assert(bind(sv[0], (struct sockaddr *)&me,
			 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) == 0);
	test_assert(pthread_create(&t, NULL, reader, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++) {
		struct timespec ms = { 0, 2000000 };
		/* Let the reader block in recvmsg() before the datagram comes. */
		nanosleep(&ms, NULL);
		memset(chunk, k + 1, sizeof(chunk));
		send_chunk(chunk, CHUNK, 1);
		passes[k] = spin_until(head_there, k);
		more[k] = spin_until(rest_there, k);
	}
	memset(chunk, 'z', sizeof(chunk));
	send_chunk(chunk, LONG_MSG, 3);
	test_assert(pthread_join(t, NULL) == 0);
	for (int k = 0; k < ROUNDS; k++)
		say("datagram %d seen after %ld passes, its name and control data %ld passes later\n",
		    k, passes[k], more[k]);
	for (int k = 0; k <= ROUNDS; k++)
		say("datagram %d: %zd bytes, from @%s (namelen %u), controllen %zu, flags %#x, "
		    "fds %d\n",
		    k, got[k], (const char *)from[k].sun_path + 1, (unsigned)mh[k].msg_namelen,
		    (size_t)mh[k].msg_controllen, (unsigned)mh[k].msg_flags, got_fd[k]);
	test_assert(got[ROUNDS] == LONG_MSG && (mh[ROUNDS].msg_flags & MSG_TRUNC) &&
		    (mh[ROUNDS].msg_flags & MSG_CTRUNC) && head[0] == 'z' && tail[TAIL - 1] == 'z');
	say("EXIT-SUCCESS\n");
	return 0;
}
