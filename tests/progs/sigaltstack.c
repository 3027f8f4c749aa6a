/* SPDX-License-Identifier: MIT */
/*
 * sigaltstack: a SA_ONSTACK handler runs on an alternate signal stack,
 * first for raise(SIGUSR1), then for the SIGSEGV of a stack overflow from
 * unbounded recursion (only an alternate stack can handle that). The
 * handler checks that its locals live on the alternate stack and that
 * sigaltstack() reports SS_ONSTACK, and prints the addresses.
 */
#include "util.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>

static char *alt;
static size_t alt_size;
static volatile int on_alt, onstack_flag, hits;
static void *volatile local_addr;
static sigjmp_buf env;

static void handler(int sig)
{
	char local;
	stack_t cur;

	hits++;
	local_addr = &local;
	on_alt = &local >= alt && &local < alt + alt_size;
	onstack_flag = sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_ONSTACK);
	if (sig == SIGSEGV)
		siglongjmp(env, 1);
}

static int recurse(volatile char *prev, int depth)
{
	volatile char frame[1024];

	if (depth > 100000000)
		return 0;
	frame[0] = (char)depth;
	frame[1023] = prev ? prev[0] : 0;
	return recurse(frame, depth + 1) + frame[1023];
}

int main(void)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_ONSTACK | SA_NODEFER };
	struct rlimit rl = { .rlim_cur = 1 << 20, .rlim_max = RLIM_INFINITY };
	stack_t ss;
	char here;

	say("pid %d, main stack near %p\n", (int)getpid(), (void *)&here);
	alt_size = 64 * 1024;
	alt = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_assert(alt != MAP_FAILED);
	ss = (stack_t){ .ss_sp = alt, .ss_size = alt_size };
	test_assert(sigaltstack(&ss, NULL) == 0);
	say("alternate stack %p..%p\n", (void *)alt, (void *)(alt + alt_size));
	test_assert(sigaction(SIGUSR1, &sa, NULL) == 0);
	test_assert(sigaction(SIGSEGV, &sa, NULL) == 0);

	test_assert(raise(SIGUSR1) == 0);
	say("raise: handler local at %p, on alt %d, SS_ONSTACK %d\n", local_addr, on_alt,
	    onstack_flag);
	test_assert(hits == 1 && on_alt && onstack_flag);

	/* A 1 MB stack limit keeps the overflow quick. */
	test_assert(setrlimit(RLIMIT_STACK, &rl) == 0 || errno == EPERM);
	if (sigsetjmp(env, 1) == 0) {
		say("recursing\n");
		say("never: %d\n", recurse(NULL, 0));
		test_assert(!"no overflow");
	}
	say("overflow: handler local at %p, on alt %d, SS_ONSTACK %d\n", local_addr, on_alt,
	    onstack_flag);
	test_assert(hits == 2 && on_alt && onstack_flag);
	test_assert(sigaltstack(NULL, &ss) == 0);
	test_assert(!(ss.ss_flags & SS_ONSTACK));
	say("EXIT-SUCCESS\n");
	return 0;
}
