/* SPDX-License-Identifier: MIT */
/*
 * socketpair_unix: an AF_UNIX SOCK_STREAM socketpair: send/recv, MSG_PEEK,
 * sendmsg/recvmsg with SCM_RIGHTS passing a file descriptor (of an unlinked
 * temp file) to ourselves and reading through the received fd, and a
 * SOCK_DGRAM pair with message boundaries and MSG_TRUNC.
 */
#include "util.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(void)
{
	int sv[2], dg[2], fd, got_fd, n;
	char buf[256], msg[128], path[4096];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;

	say("pid %d\n", (int)getpid());
	test_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	n = snprintf(msg, sizeof(msg), "hello %lld", ts_ns(CLOCK_REALTIME));
	test_assert(send(sv[0], msg, (size_t)n, 0) == n);
	memset(buf, 0, sizeof(buf));
	test_assert(recv(sv[1], buf, 5, MSG_PEEK) == 5);
	say("peek: %s\n", buf);
	memset(buf, 0, sizeof(buf));
	test_assert(recv(sv[1], buf, sizeof(buf), 0) == n);
	say("recv: %s\n", buf);

	/* Pass an fd through the socket. */
	snprintf(path, sizeof(path), "%s/rewind-scm-%d", tmp_base(), (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	test_assert(fd >= 0);
	test_assert(unlink(path) == 0);
	write_all(fd, msg, (size_t)n);
	iov = (struct iovec){ "F", 1 };
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	test_assert(sendmsg(sv[0], &mh, 0) == 1);

	memset(&ctl, 0, sizeof(ctl));
	iov = (struct iovec){ buf, sizeof(buf) };
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	test_assert(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC) == 1 && buf[0] == 'F');
	cm = CMSG_FIRSTHDR(&mh);
	test_assert(cm && cm->cmsg_type == SCM_RIGHTS);
	memcpy(&got_fd, CMSG_DATA(cm), sizeof(int));
	say("sent fd %d, received fd %d\n", fd, got_fd);
	test_assert(got_fd != fd && got_fd >= 0);
	memset(buf, 0, sizeof(buf));
	test_assert(pread(got_fd, buf, sizeof(buf), 0) == n);
	say("read through received fd: %s\n", buf);
	test_assert(close(got_fd) == 0 && close(fd) == 0);
	test_assert(close(sv[0]) == 0);
	test_assert(recv(sv[1], buf, sizeof(buf), 0) == 0);
	say("EOF after peer close\n");
	test_assert(close(sv[1]) == 0);

	test_assert(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, dg) == 0);
	test_assert(send(dg[0], msg, (size_t)n, 0) == n);
	test_assert(send(dg[0], "two", 3, 0) == 3);
	memset(buf, 0, sizeof(buf));
	test_assert(recv(dg[1], buf, 4, MSG_TRUNC) == n);
	say("datagram truncated to 4: %.4s (was %d)\n", buf, n);
	test_assert(recv(dg[1], buf, sizeof(buf), 0) == 3);
	say("second datagram: %.3s\n", buf);
	test_assert(close(dg[0]) == 0 && close(dg[1]) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
