// SPDX-License-Identifier: MIT
/*
 * timer_loop: computation interrupted by a 1 ms interval timer (ITIMER_PROF,
 * which only counts while the program computes, so the signals land in user
 * code, not in a syscall). The handler records where it landed (the loop
 * counter and the running value); the program prints the 40 landing points,
 * which differ from run to run. Replay must deliver each signal at exactly
 * the same point: the same list. A cheap syscall every 64 iterations keeps
 * the replay's search for each point short (a signal in a loop without any
 * syscall is found by stopping at every execution of its instruction).
 */
#include "util.h"

#include <signal.h>
#include <sys/time.h>

#define SIGNALS 40

static volatile unsigned long counter;
static volatile int nsig;
static unsigned long where[SIGNALS], value[SIGNALS];
static unsigned long x = 88172645463325252ul;

static void on_prof(int sig)
{
	(void)sig;
	if (nsig < SIGNALS) {
		where[nsig] = counter;
		value[nsig] = x;
		nsig++;
	}
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_prof, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_interval = { .tv_usec = 1000 }, .it_value = { .tv_usec = 1000 } };
	struct itimerval off = { 0 };

	say("pid %d\n", (int)getpid());
	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
	while (nsig < SIGNALS) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if ((++counter & 63) == 0)
			getppid();
	}
	setitimer(ITIMER_PROF, &off, NULL);
	for (int i = 0; i < SIGNALS; i++)
		say("signal %d at counter %lu value %lx\n", i, where[i], value[i]);
	say("EXIT-SUCCESS\n");
	return 0;
}
