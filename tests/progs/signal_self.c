/* SPDX-License-Identifier: MIT */
/*
 * signal_self: signals a process sends itself. raise(SIGUSR1) (tgkill,
 * SI_TKILL) and kill(getpid(), SIGUSR2) (SI_USER) run SA_SIGINFO handlers
 * that record si_code and si_pid; then SIGUSR1 is blocked with
 * sigprocmask, raised twice, seen in sigpending(), and delivered once when
 * unblocked.
 */
#include "util.h"

#include <signal.h>

static volatile int count[NSIG], last_code, last_pid;

static void handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	count[sig]++;
	last_code = si->si_code;
	last_pid = si->si_pid;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	sigset_t set, old, pending;
	int pid = (int)getpid();

	say("pid %d\n", pid);
	test_assert(sigaction(SIGUSR1, &sa, NULL) == 0);
	test_assert(sigaction(SIGUSR2, &sa, NULL) == 0);

	test_assert(raise(SIGUSR1) == 0);
	say("after raise: SIGUSR1 count %d code %d pid %d\n", count[SIGUSR1], last_code, last_pid);
	test_assert(count[SIGUSR1] == 1 && last_code == SI_TKILL && last_pid == pid);

	test_assert(kill(pid, SIGUSR2) == 0);
	say("after kill: SIGUSR2 count %d code %d pid %d\n", count[SIGUSR2], last_code, last_pid);
	test_assert(count[SIGUSR2] == 1 && last_code == SI_USER && last_pid == pid);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	test_assert(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	test_assert(raise(SIGUSR1) == 0);
	test_assert(raise(SIGUSR1) == 0);
	test_assert(sigpending(&pending) == 0);
	say("blocked: count %d, pending %d\n", count[SIGUSR1], sigismember(&pending, SIGUSR1));
	test_assert(count[SIGUSR1] == 1 && sigismember(&pending, SIGUSR1) == 1);
	test_assert(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	say("unblocked: count %d code %d\n", count[SIGUSR1], last_code);
	test_assert(count[SIGUSR1] == 2);

	/* An ignored signal is discarded; a default-ignored one too. */
	test_assert(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
	test_assert(raise(SIGUSR2) == 0);
	test_assert(raise(SIGWINCH) == 0);
	say("ignored: SIGUSR2 count %d\n", count[SIGUSR2]);
	test_assert(count[SIGUSR2] == 1);
	say("EXIT-SUCCESS\n");
	return 0;
}
