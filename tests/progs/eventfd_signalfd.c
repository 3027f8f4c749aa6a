/* SPDX-License-Identifier: MIT */
/*
 * eventfd_signalfd: an eventfd (counter semantics and EFD_SEMAPHORE), and a
 * signalfd that receives a blocked SIGUSR1 sent with kill() and a SIGUSR2
 * sent with sigqueue() carrying a value: print ssi_signo/ssi_code/ssi_pid.
 */
#include "util.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

int main(void)
{
	struct signalfd_siginfo si;
	uint64_t v;
	sigset_t set;
	int efd, sfd, pid = (int)getpid(), i;

	say("pid %d\n", pid);
	efd = eventfd(3, EFD_CLOEXEC | EFD_NONBLOCK);
	test_assert(efd >= 0);
	v = (uint64_t)pid;
	test_assert(write(efd, &v, sizeof(v)) == sizeof(v));
	test_assert(read(efd, &v, sizeof(v)) == sizeof(v));
	say("eventfd counter %llu\n", (unsigned long long)v);
	test_assert(v == (uint64_t)pid + 3);
	errno = 0;
	test_assert(read(efd, &v, sizeof(v)) == -1 && errno == EAGAIN);
	say("empty eventfd: errno %d\n", errno);
	test_assert(close(efd) == 0);

	efd = eventfd(2, EFD_CLOEXEC | EFD_SEMAPHORE);
	test_assert(efd >= 0);
	for (i = 0; i < 2; i++) {
		test_assert(read(efd, &v, sizeof(v)) == sizeof(v));
		say("semaphore read %llu\n", (unsigned long long)v);
	}
	test_assert(close(efd) == 0);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	test_assert(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	test_assert(sfd >= 0);
	test_assert(kill(pid, SIGUSR1) == 0);
	test_assert(sigqueue(pid, SIGUSR2, (union sigval){ .sival_int = pid ^ 0x5555 }) == 0);
	for (i = 0; i < 2; i++) {
		test_assert(read(sfd, &si, sizeof(si)) == sizeof(si));
		say("signalfd: signo %u code %d pid %u int %d\n", si.ssi_signo, si.ssi_code,
		    si.ssi_pid, si.ssi_int);
		test_assert(si.ssi_pid == (uint32_t)pid);
	}
	test_assert(close(sfd) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
