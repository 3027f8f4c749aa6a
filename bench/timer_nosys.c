// SPDX-License-Identifier: MIT
/*
 * timer_nosys: tests/progs/timer_loop.c without its getppid() call: a loop
 * with no syscalls at all, interrupted by 40 ITIMER_PROF signals that land
 * in user code. Each is a state-identified point; replay finds it with an
 * in-tracee trap, or (REWIND_TRAPS=0) by stopping at every execution of
 * its instruction (bench/traps.sh).
 */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

#define SIGNALS 40

static volatile unsigned long counter;
static volatile int nsig;
static unsigned long where[SIGNALS];

static void on_prof(int sig)
{
	(void)sig;
	if (nsig < SIGNALS)
		where[nsig++] = counter;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_prof, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_interval = { .tv_usec = 1000 }, .it_value = { .tv_usec = 1000 } };
	struct itimerval off = { 0 };
	unsigned long x = 88172645463325252ul;

	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
	while (nsig < SIGNALS) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		++counter;
	}
	setitimer(ITIMER_PROF, &off, NULL);
	for (int i = 0; i < SIGNALS; i++)
		printf("signal %d at counter %lu\n", i, where[i]);
	printf("x %lx\n", x);
	return 0;
}
