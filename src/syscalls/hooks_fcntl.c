/* SPDX-License-Identifier: MIT */
/*
 * hooks_fcntl.c: the outputs of fcntl(fd, cmd, arg), by command. Every
 * command the kernel knows is listed, with what it writes at arg; an unknown
 * command is unsupported unless the kernel rejected it too (-EINVAL, -EBADF).
 * F_DUPFD and F_DUPFD_CLOEXEC return a new fd: the row cannot say so
 * (SC_RET_FD is per syscall), so the recorder must check the command.
 */
#include <errno.h>
#include <fcntl.h>

#include "syscalls/syscalls_int.h"

/* Newer than some <fcntl.h>: values from the kernel's uapi. */
#ifndef F_GETOWNER_UIDS
#define F_GETOWNER_UIDS 17
#endif
#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif
#ifndef F_DUPFD_QUERY
#define F_DUPFD_QUERY 1027
#endif
#ifndef F_CREATED_QUERY
#define F_CREATED_QUERY 1028
#endif
#ifndef F_CANCELLK
#define F_CANCELLK 1029
#endif
#ifndef F_GET_RW_HINT
#define F_GET_RW_HINT 1035
#define F_SET_RW_HINT 1036
#define F_GET_FILE_RW_HINT 1037
#define F_SET_FILE_RW_HINT 1038
#endif

int sc_hook_fcntl(struct sc_call *call, const char **ret_what)
{
	int cmd = (int)call->args[1];
	uint64_t arg = call->args[2];

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_DUPFD_QUERY:
	case F_CREATED_QUERY:
	case F_GETFD:
	case F_SETFD:
	case F_GETFL:
	case F_SETFL:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
	case F_SETOWN:
	case F_GETOWN:
	case F_SETOWN_EX:
	case F_SETSIG:
	case F_GETSIG:
	case F_SETLEASE:
	case F_GETLEASE:
	case F_NOTIFY:
	case F_CANCELLK:
	case F_SETPIPE_SZ:
	case F_GETPIPE_SZ:
	case F_ADD_SEALS:
	case F_GET_SEALS:
	case F_SET_RW_HINT:
	case F_SET_FILE_RW_HINT:
		return 0;
	case F_GETLK:
	case F_OFD_GETLK:
		return sc_report(call, arg, sizeof(struct flock));
	case F_GETOWN_EX:
		return sc_report(call, arg, sizeof(struct f_owner_ex));
	case F_GETOWNER_UIDS:
		return sc_report(call, arg, 2 * sizeof(uid_t));
	case F_GET_RW_HINT:
	case F_GET_FILE_RW_HINT:
		return sc_report(call, arg, sizeof(uint64_t));
	}
	if (call->ret == -EINVAL || call->ret == -EBADF)
		return 0;
	return sc_unsupported(ret_what, "fcntl %d", cmd);
}
