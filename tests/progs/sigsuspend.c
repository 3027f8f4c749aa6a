// SPDX-License-Identifier: MIT
/*
 * sigsuspend: the classic race-free wait. SIGUSR1 is blocked, sent to
 * ourselves (so it is pending), then rt_sigsuspend() with an empty mask lets
 * it in: the handler runs under the temporary mask and the old mask is back
 * afterwards. Then a SIGALRM from a 10 ms timer, blocked outside sigsuspend.
 * Prints the pid, the handler's view and the masks, which replay must match.
 */
#include "util.h"

#include <signal.h>
#include <sys/time.h>

static volatile sig_atomic_t got_usr1, got_alrm;
static volatile int usr1_blocked_in_handler = -1;

static void on_usr1(int sig)
{
	sigset_t now;
	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &now);
	usr1_blocked_in_handler = sigismember(&now, SIGUSR1);
	got_usr1 = 1;
}

static void on_alrm(int sig)
{
	(void)sig;
	got_alrm = 1;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct itimerval it = { .it_value = { .tv_usec = 10000 } };
	sigset_t block, empty, after;

	say("pid %d\n", (int)getpid());
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_alrm;
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGALRM);
	sigemptyset(&empty);
	test_assert(sigprocmask(SIG_BLOCK, &block, NULL) == 0);

	kill(getpid(), SIGUSR1);
	test_assert(sigsuspend(&empty) == -1 && errno == EINTR);
	sigprocmask(SIG_BLOCK, NULL, &after);
	say("usr1 %d, blocked in handler %d, blocked after %d\n", (int)got_usr1,
	    usr1_blocked_in_handler, sigismember(&after, SIGUSR1));

	setitimer(ITIMER_REAL, &it, NULL);
	while (!got_alrm)
		sigsuspend(&empty);
	sigprocmask(SIG_BLOCK, NULL, &after);
	say("alrm %d, blocked after %d\n", (int)got_alrm, sigismember(&after, SIGALRM));
	say("EXIT-SUCCESS\n");
	return 0;
}
