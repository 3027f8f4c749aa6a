/* SPDX-License-Identifier: MIT */
/*
 * timer_noloop: like timer_loop, computation interrupted by a 1 ms
 * ITIMER_PROF interval timer, but the loop makes no syscall at all between
 * two signals. The handler records where it landed (the loop counter and the
 * running value); the program prints the 40 landing points, which differ
 * from run to run. Replay must deliver each signal at exactly the same point
 * with no syscall nearby to count from.
 */
#include "util.h"

#include <signal.h>
#include <sys/time.h>

#define SIGNALS 40

static volatile unsigned long counter;
static volatile int nsig;
static unsigned long where[SIGNALS], value[SIGNALS];
static volatile unsigned long x = 88172645463325252ul;

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
	struct itimerval it = { .it_interval = { .tv_usec = 1000 },
				.it_value = { .tv_usec = 1000 } };
	struct itimerval off = { 0 };

	alarm(20);
	say("pid %d\n", (int)getpid());
	test_assert(sigaction(SIGPROF, &sa, NULL) == 0);
	test_assert(setitimer(ITIMER_PROF, &it, NULL) == 0);
	while (nsig < SIGNALS) {
		unsigned long v = x;

		v ^= v << 13;
		v ^= v >> 7;
		v ^= v << 17;
		x = v;
		counter++;
		PAD();
	}
	test_assert(setitimer(ITIMER_PROF, &off, NULL) == 0);
	for (int i = 0; i < SIGNALS; i++)
		say("signal %d at counter %lu value %lx\n", i, where[i], value[i]);
	say("EXIT-SUCCESS\n");
	return 0;
}
