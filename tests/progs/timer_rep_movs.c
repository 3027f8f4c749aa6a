/* SPDX-License-Identifier: MIT */
/*
 * timer_rep_movs: a 1 ms ITIMER_PROF interval timer interrupts a loop that
 * spends nearly all its time in `rep movsb` (1 MiB copies) and `rep stosb`,
 * so most signals land between two iterations of a string instruction,
 * with rcx, rsi and rdi part way. No breakpoint can stop there again (it
 * fires before the first iteration only): the recorder must move such a
 * point past the instruction's end. The handler records how far the copy
 * had got; the program prints the 40 landing points.
 */
#include "util.h"

#include <signal.h>
#include <sys/time.h>

#define SIGNALS 40
#define LEN (1u << 20)

static unsigned char src[LEN], dst[LEN];
static volatile int nsig;
static volatile unsigned long round_no;
static unsigned long where[SIGNALS], first[SIGNALS];

static void on_prof(int sig)
{
	(void)sig;
	if (nsig < SIGNALS) {
		where[nsig] = round_no;
		first[nsig] = dst[LEN - 1];
		nsig++;
	}
}

static void copy(void *to, const void *from, size_t n)
{
	__asm__ volatile("rep movsb" : "+D"(to), "+S"(from), "+c"(n) : : "memory");
}

static void fill(void *to, int c, size_t n)
{
	__asm__ volatile("rep stosb" : "+D"(to), "+c"(n) : "a"(c) : "memory");
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_prof, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_interval = { .tv_usec = 1000 },
				.it_value = { .tv_usec = 1000 } };
	struct itimerval off = { 0 };

	alarm(20);
	test_assert(sigaction(SIGPROF, &sa, NULL) == 0);
	test_assert(setitimer(ITIMER_PROF, &it, NULL) == 0);
	while (nsig < SIGNALS) {
		fill(src, (int)(round_no & 0xff), LEN);
		copy(dst, src, LEN);
		round_no++;
	}
	test_assert(setitimer(ITIMER_PROF, &off, NULL) == 0);
	for (int i = 0; i < SIGNALS; i++)
		say("signal %d in round %lu, last byte %lu\n", i, where[i], first[i]);
	say("EXIT-SUCCESS\n");
	return 0;
}
