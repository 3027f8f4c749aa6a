// SPDX-License-Identifier: MIT
/*
 * wait_mask: ppoll, pselect and epoll_pwait with a signal mask. SIGALRM is
 * blocked; each wait unblocks it through its mask argument and is
 * interrupted by a 10 ms timer. The handler sees the wait's mask in effect;
 * the old mask is back after the call. Prints the pid, the elapsed time and
 * what the handler and the program saw: replay must match.
 */
#include "util.h"

#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t got;
static volatile int blocked_in_handler = -1;

static void on_alrm(int sig)
{
	sigset_t now;
	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &now);
	blocked_in_handler = sigismember(&now, SIGUSR2);
	got++;
}

static void arm(void)
{
	struct itimerval it = { .it_value = { .tv_usec = 10000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static void report(const char *what, int rc)
{
	sigset_t now;
	struct timespec ts;
	sigprocmask(SIG_BLOCK, NULL, &now);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	say("%s: rc %d errno %s, handler ran %d, SIGUSR2 blocked in handler %d, SIGALRM "
	    "blocked after %d, t %ld.%09ld\n", what, rc, rc < 0 && errno == EINTR ? "EINTR" : "-",
	    (int)got, blocked_in_handler, sigismember(&now, SIGALRM), (long)ts.tv_sec,
	    ts.tv_nsec);
	got = 0;
	blocked_in_handler = -1;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alrm };
	sigset_t block, wait_mask;
	struct timespec one_s = { .tv_sec = 1 };
	struct epoll_event ev;
	int ep, rc;

	say("pid %d\n", (int)getpid());
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	/* During the wait: SIGALRM open, SIGUSR2 blocked (the handler checks). */
	sigemptyset(&wait_mask);
	sigaddset(&wait_mask, SIGUSR2);

	arm();
	rc = ppoll(NULL, 0, &one_s, &wait_mask);
	report("ppoll", rc);

	arm();
	rc = pselect(0, NULL, NULL, NULL, &one_s, &wait_mask);
	report("pselect", rc);

	ep = epoll_create1(EPOLL_CLOEXEC);
	test_assert(ep >= 0);
	arm();
	rc = epoll_pwait(ep, &ev, 1, 1000, &wait_mask);
	report("epoll_pwait", rc);
	say("EXIT-SUCCESS\n");
	return 0;
}
