/* SPDX-License-Identifier: MIT */
/*
 * hooks_net.c: recvmsg and recvmmsg. The kernel writes back into the user
 * msghdr (msg_namelen, msg_controllen, msg_flags) and fills the buffers it
 * points to: the name up to msg_namelen, the iovecs up to the bytes
 * received, the control buffer up to msg_controllen; all of it only on
 * success, so failed calls report nothing. (sendmmsg only writes
 * msg_len: its row reports the whole mmsghdr entries instead.)
 */
#include <errno.h>
#include <sys/socket.h>
#include <time.h>

#include "syscalls/syscalls_int.h"

_Static_assert(sizeof(struct sc_kmsghdr) == sizeof(struct msghdr), "struct msghdr layout");
_Static_assert(sizeof(struct sc_kmmsghdr) == sizeof(struct mmsghdr), "struct mmsghdr layout");

/*
 * The kernel reports the full address length even when the buffer was
 * shorter; no address is longer than a sockaddr_storage.
 */
#define SC_SOCKADDR_MAX sizeof(struct sockaddr_storage)

/* The buffers of a msghdr (already read, as updated) that received nbytes. */
static int report_msg_buffers(struct sc_call *call, const struct sc_kmsghdr *m, uint64_t nbytes)
{
	int err;

	if (m->namelen)
		err = sc_report(call, m->name, MIN((uint64_t)m->namelen, SC_SOCKADDR_MAX));
	else
		err = 0;
	if (!err)
		err = sc_report_iov(call, m->iov, m->iovlen, nbytes);
	if (!err)
		err = sc_report(call, m->control, MIN(m->controllen, SC_ARG_LEN_MAX));
	return err;
}

int sc_hook_recvmsg(struct sc_call *call, const char **ret_what)
{
	struct sc_kmsghdr m;
	uint64_t addr = call->args[1];
	int err;

	(void)ret_what;
	if (!addr || call->ret < 0)
		return 0;
	/* msg_namelen, msg_controllen and msg_flags are written back. */
	err = sc_report(call, addr, sizeof(m));
	if (err)
		return err;
	err = sc_read(call, addr, &m, sizeof(m));
	if (err)
		return err < 0 ? err : 0;
	return report_msg_buffers(call, &m, (uint64_t)call->ret);
}

int sc_hook_recvmmsg(struct sc_call *call, const char **ret_what)
{
	struct sc_kmmsghdr mm;
	uint64_t vec = call->args[1];
	uint64_t n;
	int err;

	(void)ret_what;
	if (call->ret <= 0 || !vec)
		return 0;
	/* The remaining time is written back to the timeout. */
	err = sc_report(call, call->args[4], sizeof(struct timespec));
	if (err)
		return err;
	n = MIN((uint64_t)call->ret, SC_IOV_MAX);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t addr = vec + i * sizeof(mm);

		err = sc_read(call, addr, &mm, sizeof(mm));
		if (err)
			return err < 0 ? err : 0;
		err = sc_report(call, addr, sizeof(mm));
		if (!err)
			err = report_msg_buffers(call, &mm.hdr, mm.len);
		if (err)
			return err;
	}
	return 0;
}
