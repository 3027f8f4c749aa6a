/* SPDX-License-Identifier: MIT */
/*
 * hooks_misc.c: the remaining irregular syscalls, whose output sizes are
 * computed from arguments in ways the effect vocabulary cannot say: select
 * and pselect6, mincore, get_mempolicy, sysfs, name_to_handle_at, futex,
 * seccomp, quotactl and quotactl_fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/futex.h>
#include <linux/quota.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/time.h>
#include <time.h>

#include "syscalls/syscalls_int.h"

#ifndef AT_HANDLE_MNT_ID_UNIQUE
#define AT_HANDLE_MNT_ID_UNIQUE 0x001
#endif
/* The largest fd table (the default fs.nr_open): select writes no more bits. */
#define SC_SELECT_MAX_FDS (1U << 20)
/* sysfs(2, index, buf) copies a filesystem type name: none is this long. */
#define SC_FSTYPE_MAX 256

/*
 * The three fd_sets of select/pselect6, each nfds bits rounded up to whole
 * longs, written back only on success; and the remaining time, written back
 * whatever the result.
 */
static int report_select(struct sc_call *call, uint64_t timeout_size)
{
	int nfds = (int)call->args[0];
	uint64_t bytes;
	int err;

	err = sc_report(call, call->args[4], timeout_size);
	if (err || call->ret < 0 || nfds <= 0)
		return err;
	bytes = ALIGN_UP((uint64_t)MIN((unsigned int)nfds, SC_SELECT_MAX_FDS), 64) / 8;
	for (int i = 1; i <= 3 && !err; i++)
		err = sc_report(call, call->args[i], bytes);
	return err;
}

/* select(nfds, readfds, writefds, exceptfds, struct timeval *timeout) */
int sc_hook_select(struct sc_call *call, const char **ret_what)
{
	(void)ret_what;
	return report_select(call, sizeof(struct timeval));
}

/* pselect6(nfds, readfds, writefds, exceptfds, struct timespec *timeout, sigmask) */
int sc_hook_pselect6(struct sc_call *call, const char **ret_what)
{
	(void)ret_what;
	return report_select(call, sizeof(struct timespec));
}

/* mincore(addr, length, vec): one byte per page of length. */
int sc_hook_mincore(struct sc_call *call, const char **ret_what)
{
	uint64_t len = call->args[1];
	uint64_t pages = len / SC_PAGE_SIZE + (len % SC_PAGE_SIZE != 0);

	(void)ret_what;
	return sc_report(call, call->args[2], MIN(pages, SC_ARG_LEN_MAX));
}

/*
 * get_mempolicy(int *mode, unsigned long *nodemask, maxnode, addr, flags):
 * the kernel writes ALIGN(maxnode - 1, 64) / 8 bytes of nodemask (zeroing
 * what it has no nodes for), and fails beyond a page.
 */
int sc_hook_get_mempolicy(struct sc_call *call, const char **ret_what)
{
	uint64_t maxnode = call->args[2];
	uint64_t bytes = maxnode ? ALIGN_UP(maxnode - 1, 64) / 8 : 0;
	int err;

	(void)ret_what;
	err = sc_report(call, call->args[0], sizeof(int));
	if (!err)
		err = sc_report(call, call->args[1], MIN(bytes, SC_PAGE_SIZE));
	return err;
}

/* sysfs(option, arg1, arg2): option 2 copies a NUL-terminated name to arg2. */
int sc_hook_sysfs(struct sc_call *call, const char **ret_what)
{
	uint64_t buf = call->args[2];
	uint64_t len = 0;
	char c = 1;

	(void)ret_what;
	if (call->args[0] != 2 || call->ret < 0 || !buf)
		return 0;
	while (c && len < SC_FSTYPE_MAX) {
		int err = sc_read(call, buf + len, &c, 1);

		if (err)
			return err;
		len++;
	}
	return sc_report(call, buf, len);
}

/*
 * name_to_handle_at(dfd, path, struct file_handle *handle, mount_id, flags):
 * handle_bytes (then the handle) is written back; on -EOVERFLOW only the
 * header, with the size needed. mount_id is an int, or a u64 with
 * AT_HANDLE_MNT_ID_UNIQUE.
 */
int sc_hook_name_to_handle_at(struct sc_call *call, const char **ret_what)
{
	uint64_t handle = call->args[2];
	bool unique = call->args[4] & AT_HANDLE_MNT_ID_UNIQUE;
	uint32_t bytes;
	int err;

	(void)ret_what;
	if ((call->ret < 0 && call->ret != -EOVERFLOW) || !handle)
		return 0;
	if (call->ret < 0)
		return sc_report(call, handle, 2 * sizeof(uint32_t));
	err = sc_read(call, handle, &bytes, sizeof(bytes));
	if (err)
		return err;
	err = sc_report(call, handle, 2 * sizeof(uint32_t) + MIN(bytes, MAX_HANDLE_SZ));
	if (err)
		return err;
	return sc_report(call, call->args[3], unique ? sizeof(uint64_t) : sizeof(int));
}

/*
 * futex(uaddr, op, val, timeout/val2, uaddr2, val3): the PI operations
 * write the futex word (owner tid, waiters bit), FUTEX_WAKE_OP and the
 * requeue-PI operations the word at uaddr2. The rest only read.
 */
int sc_hook_futex(struct sc_call *call, const char **ret_what)
{
	uint64_t uaddr = call->args[0];
	uint64_t uaddr2 = call->args[4];
	int err;

	(void)ret_what;
	switch ((int)call->args[1] & FUTEX_CMD_MASK) {
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_TRYLOCK_PI:
	case FUTEX_UNLOCK_PI:
		return sc_report(call, uaddr, sizeof(uint32_t));
	case FUTEX_WAKE_OP:
	case FUTEX_CMP_REQUEUE_PI:
		return sc_report(call, uaddr2, sizeof(uint32_t));
	case FUTEX_WAIT_REQUEUE_PI:
		err = sc_report(call, uaddr, sizeof(uint32_t));
		if (!err)
			err = sc_report(call, uaddr2, sizeof(uint32_t));
		return err;
	}
	return 0;
}

/*
 * clone(flags, stack, parent_tid, child_tid, tls): with CLONE_PIDFD the
 * parent gets a pidfd in the int at parent_tid. Replay runs the clone for
 * real without it (the fd would be a real one) and writes the recorded int.
 */
int sc_hook_clone(struct sc_call *call, const char **ret_what)
{
	(void)ret_what;
	if (!(call->args[0] & CLONE_PIDFD) || call->ret <= 0)
		return 0;
	return sc_report(call, call->args[2], sizeof(int));
}

/* seccomp(op, flags, args): SECCOMP_GET_NOTIF_SIZES fills a struct at args. */
int sc_hook_seccomp(struct sc_call *call, const char **ret_what)
{
	(void)ret_what;
	if (call->args[0] != SECCOMP_GET_NOTIF_SIZES)
		return 0;
	return sc_report(call, call->args[2], sizeof(struct seccomp_notif_sizes));
}

/* quotactl(cmd, special, id, addr) and quotactl_fd(fd, cmd, id, addr): by subcommand. */
static int report_quotactl(struct sc_call *call, uint32_t cmd, const char **ret_what)
{
	uint64_t addr = call->args[3];
	uint32_t subcmd = cmd >> SUBCMDSHIFT;

	switch (subcmd) {
	case Q_SYNC:
	case Q_QUOTAON:
	case Q_QUOTAOFF:
	case Q_SETINFO:
	case Q_SETQUOTA:
	case Q_XQUOTAON:
	case Q_XQUOTAOFF:
	case Q_XSETQLIM:
	case Q_XQUOTARM:
	case Q_XQUOTASYNC:
		return 0;
	case Q_GETFMT:
		return sc_report(call, addr, sizeof(uint32_t));
	case Q_GETINFO:
		return sc_report(call, addr, sizeof(struct if_dqinfo));
	case Q_GETQUOTA:
		return sc_report(call, addr, sizeof(struct if_dqblk));
	case Q_GETNEXTQUOTA:
		return sc_report(call, addr, sizeof(struct if_nextdqblk));
	case Q_XGETQUOTA:
	case Q_XGETNEXTQUOTA:
		return sc_report(call, addr, sizeof(struct fs_disk_quota));
	case Q_XGETQSTAT:
		return sc_report(call, addr, sizeof(struct fs_quota_stat));
	case Q_XGETQSTATV:
		return sc_report(call, addr, sizeof(struct fs_quota_statv));
	}
	if (call->ret < 0)
		return 0;
	return sc_unsupported(ret_what, "quotactl 0x%x", subcmd);
}

int sc_hook_quotactl(struct sc_call *call, const char **ret_what)
{
	return report_quotactl(call, (uint32_t)call->args[0], ret_what);
}

int sc_hook_quotactl_fd(struct sc_call *call, const char **ret_what)
{
	return report_quotactl(call, (uint32_t)call->args[1], ret_what);
}
