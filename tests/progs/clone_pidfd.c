/* SPDX-License-Identifier: MIT */
/*
 * clone_pidfd: clone(CLONE_PIDFD) gives the parent a pidfd in the int at
 * parent_tid; the parent polls it until the child exits and reaps the child
 * with waitid(P_PIDFD). Replay runs the clone for real without CLONE_PIDFD,
 * so the int must come from the recording (it used to stay -1, and replay
 * diverged at the waitid that passes it).
 */
#define _GNU_SOURCE
#include "util.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int main(void)
{
	int pidfd = -1;
	struct pollfd p;
	siginfo_t si;
	long pid;

	alarm(20);
	say("pid %d\n", (int)getpid());
	pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
	test_assert(pid >= 0);
	if (pid == 0)
		_exit(7);
	test_assert(pidfd >= 0);
	say("child %ld, pidfd %d\n", pid, pidfd);
	p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	test_assert(poll(&p, 1, 10000) == 1 && (p.revents & POLLIN));
	memset(&si, 0, sizeof(si));
	test_assert(waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) == 0);
	test_assert(si.si_pid == pid && si.si_code == CLD_EXITED);
	say("child %d exited with status %d\n", (int)si.si_pid, si.si_status);
	test_assert(close(pidfd) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
