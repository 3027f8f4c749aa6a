/* SPDX-License-Identifier: MIT */
/*
 * hooks_ipc.c: System V IPC. msgrcv writes the message type and the text;
 * msgctl, semctl and shmctl write a struct whose type depends on the
 * command. glibc's structs have the kernel's 64-bit layouts on x86-64
 * (checked below). x86-64 takes no IPC_64 flag, but it is masked off in
 * case a caller passes one: the kernel would reject the command anyway.
 */
#include <errno.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "syscalls/syscalls_int.h"

#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif
#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#define SC_IPC_64 0x0100

/* The kernel's msqid64_ds, msginfo, semid64_ds, seminfo, shmid64_ds, shminfo64, shm_info. */
_Static_assert(sizeof(struct msqid_ds) == 120, "msqid64_ds");
_Static_assert(sizeof(struct msginfo) == 32, "msginfo");
_Static_assert(sizeof(struct semid_ds) == 104, "semid64_ds");
_Static_assert(sizeof(struct seminfo) == 40, "seminfo");
_Static_assert(sizeof(struct shmid_ds) == 112, "shmid64_ds");
_Static_assert(sizeof(struct shminfo) == 72, "shminfo64");
_Static_assert(sizeof(struct shm_info) == 48, "shm_info");

/*
 * msgrcv(id, msgp, msgsz, msgtyp, flags): a long mtype, then the result
 * bytes of mtext (never more than msgsz).
 */
int sc_hook_msgrcv(struct sc_call *call, const char **ret_what)
{
	(void)ret_what;
	if (call->ret < 0)
		return 0;
	return sc_report(call, call->args[1],
			 sizeof(long) + MIN((uint64_t)call->ret, call->args[2]));
}

/* msgctl(id, cmd, buf) */
int sc_hook_msgctl(struct sc_call *call, const char **ret_what)
{
	int cmd = (int)call->args[1] & ~SC_IPC_64;
	uint64_t buf = call->args[2];

	switch (cmd) {
	case IPC_RMID:
	case IPC_SET:
		return 0;
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return sc_report(call, buf, sizeof(struct msqid_ds));
	case IPC_INFO:
	case MSG_INFO:
		return sc_report(call, buf, sizeof(struct msginfo));
	}
	if (call->ret == -EINVAL)
		return 0;
	return sc_unsupported(ret_what, "msgctl %d", cmd);
}

/*
 * semctl(id, num, cmd, arg): arg is the union semun, passed by value; its
 * pointer members are what the kernel writes through. GETALL writes one
 * unsigned short per semaphore of the set, a count the call does not show.
 */
int sc_hook_semctl(struct sc_call *call, const char **ret_what)
{
	int cmd = (int)call->args[2] & ~SC_IPC_64;
	uint64_t arg = call->args[3];

	switch (cmd) {
	case IPC_RMID:
	case IPC_SET:
	case GETPID:
	case GETVAL:
	case GETNCNT:
	case GETZCNT:
	case SETVAL:
	case SETALL:
		return 0;
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return sc_report(call, arg, sizeof(struct semid_ds));
	case IPC_INFO:
	case SEM_INFO:
		return sc_report(call, arg, sizeof(struct seminfo));
	case GETALL:
		if (call->ret < 0)
			return 0;
		return sc_unsupported(ret_what, "semctl GETALL");
	}
	if (call->ret == -EINVAL)
		return 0;
	return sc_unsupported(ret_what, "semctl %d", cmd);
}

/* shmctl(id, cmd, buf) */
int sc_hook_shmctl(struct sc_call *call, const char **ret_what)
{
	int cmd = (int)call->args[1] & ~SC_IPC_64;
	uint64_t buf = call->args[2];

	switch (cmd) {
	case IPC_RMID:
	case IPC_SET:
	case SHM_LOCK:
	case SHM_UNLOCK:
		return 0;
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return sc_report(call, buf, sizeof(struct shmid_ds));
	case IPC_INFO:
		return sc_report(call, buf, sizeof(struct shminfo));
	case SHM_INFO:
		return sc_report(call, buf, sizeof(struct shm_info));
	}
	if (call->ret == -EINVAL)
		return 0;
	return sc_unsupported(ret_what, "shmctl %d", cmd);
}
