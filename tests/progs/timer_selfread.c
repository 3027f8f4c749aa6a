/* SPDX-License-Identifier: MIT */
/*
 * timer_selfread: a loop without syscalls, interrupted by a 1 ms
 * ITIMER_PROF interval timer, that reads its own code: every eighth pass
 * folds the first bytes of spin() into its running value. The signals land
 * in spin(), and their points end on its 7-byte add, where replay finds
 * them with an in-tracee trap (a jmp over the add). The program must still
 * read the bytes it was built with: a jmp there would change the value it
 * prints, and the registers at the next event.
 */
#include "util.h"

#include <signal.h>
#include <stdint.h>
#include <sys/time.h>

#define SIGNALS 8
#define FOLD 192

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

/* Short instructions in the loop, then one long enough to carry a trap. */
__attribute__((noinline)) static unsigned long spin(unsigned long v, unsigned long k)
{
	unsigned long j = 400;
	do {
		v *= k;
		v ^= v >> 29;
		__asm__ volatile("" : "+r"(v));
	} while (--j);
	__asm__ volatile("addq $0x12345678, %0" : "+r"(v));
	return v;
}

__attribute__((noinline)) static unsigned long fold_code(unsigned long v)
{
	const volatile unsigned char *p = (const volatile unsigned char *)(uintptr_t)spin;
	for (int i = 0; i < FOLD; i++)
		v = v * 131 + p[i];
	return v;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_prof, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_interval = { .tv_usec = 1000 },
				.it_value = { .tv_usec = 1000 } };
	struct itimerval off = { 0 };
	unsigned long sum = 0, k = 0x9e3779b97f4a7c15ul;

	alarm(20);
	say("pid %d\n", (int)getpid());
	/* The bytes read must be spin()'s, and all of it. */
	for (int i = 0; i < FOLD; i++)
		sum += ((const unsigned char *)(uintptr_t)spin)[i];
	say("code sum %lu\n", sum);
	test_assert(sigaction(SIGPROF, &sa, NULL) == 0);
	test_assert(setitimer(ITIMER_PROF, &it, NULL) == 0);
	while (nsig < SIGNALS) {
		x = spin(x, k);
		if (++counter % 8 == 0)
			x = fold_code(x);
		PAD();
	}
	test_assert(setitimer(ITIMER_PROF, &off, NULL) == 0);
	for (int i = 0; i < SIGNALS; i++)
		say("signal %d at counter %lu value %lx\n", i, where[i], value[i]);
	say("EXIT-SUCCESS\n");
	return 0;
}
