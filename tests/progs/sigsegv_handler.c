/* SPDX-License-Identifier: MIT */
/*
 * sigsegv_handler: synchronous signals. Dereference bad pointers (NULL+16
 * and a PROT_NONE page) inside sigsetjmp, with a SIGSEGV handler that prints
 * si_addr and si_code and siglongjmps out; then an integer division by a
 * volatile zero raises SIGFPE (FPE_INTDIV) the same way.
 */
#include "util.h"

#include <setjmp.h>
#include <signal.h>

static sigjmp_buf env;
static volatile int caught_sig, caught_code;
static void *volatile caught_addr;

static void handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	caught_sig = sig;
	caught_code = si->si_code;
	caught_addr = si->si_addr;
	siglongjmp(env, 1);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_NODEFER };
	size_t ps = page_size();
	int *volatile bad = (int *)16;
	volatile int zero = 0, ten = 10;
	char *none;
	int i;

	say("pid %d\n", (int)getpid());
	test_assert(sigaction(SIGSEGV, &sa, NULL) == 0);
	test_assert(sigaction(SIGFPE, &sa, NULL) == 0);
	none = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_assert(none != MAP_FAILED);
	say("PROT_NONE page at %p\n", (void *)none);

	for (i = 0; i < 3; i++) {
		static const int want_code[] = { SEGV_MAPERR, SEGV_ACCERR, SEGV_ACCERR };
		int *volatile target = i == 0 ? bad : (int *)(none + (i == 1 ? 8 : ps - 4));

		if (sigsetjmp(env, 1) == 0) {
			say("dereferencing %p\n", (void *)target);
			*target = 1;
			test_assert(!"no fault");
		}
		say("caught signal %d code %d addr %p\n", caught_sig, caught_code, caught_addr);
		test_assert(caught_sig == SIGSEGV && caught_addr == (void *)target);
		test_assert(caught_code == want_code[i]);
	}

	if (sigsetjmp(env, 1) == 0) {
		say("dividing by zero\n");
		ten = ten / zero;
		test_assert(!"no fault");
	}
	say("caught signal %d code %d at pc %p\n", caught_sig, caught_code, caught_addr);
	test_assert(caught_sig == SIGFPE && caught_code == FPE_INTDIV);
	test_assert(caught_addr != NULL);
	say("EXIT-SUCCESS\n");
	return 0;
}
