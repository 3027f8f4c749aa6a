/* SPDX-License-Identifier: MIT */
/*
 * child_crash: one child dereferences NULL (SIGSEGV), another calls abort()
 * (SIGABRT); both turn core dumps off first with RLIMIT_CORE 0. The parent
 * waits for each in turn and prints WIFSIGNALED and WTERMSIG, then exits 0.
 */
#include "util.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static void no_core(void)
{
	struct rlimit rl = { 0, 0 };

	test_assert(setrlimit(RLIMIT_CORE, &rl) == 0);
}

static void __attribute__((noreturn)) segv(void)
{
	/* Volatile both ways: the compiler can neither see NULL nor drop the store. */
	volatile int *volatile p = NULL;

	no_core();
	*p = 1;
	_exit(100);
}

static void __attribute__((noreturn)) do_abort(void)
{
	no_core();
	abort();
}

static void run(const char *what, void (*fn)(void), int want_sig)
{
	pid_t pid;
	int st;

	pid = fork();
	test_assert(pid >= 0);
	if (pid == 0)
		fn();
	test_assert(waitpid(pid, &st, 0) == pid);
	say("%s child %d: WIFSIGNALED %d WTERMSIG %d (%s)\n", what, (int)pid, !!WIFSIGNALED(st),
	    WIFSIGNALED(st) ? WTERMSIG(st) : 0, WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "-");
	test_assert(WIFSIGNALED(st) && WTERMSIG(st) == want_sig);
}

int main(void)
{
	alarm(20);
	say("pid %d\n", (int)getpid());
	run("null pointer", segv, SIGSEGV);
	run("abort", do_abort, SIGABRT);
	say("EXIT-SUCCESS\n");
	return 0;
}
