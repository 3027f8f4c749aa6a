/* SPDX-License-Identifier: MIT */
/*
 * spawn_exec: calls hot(k) 2,000 times; at call 1,000 it forks a child
 * that execs /bin/true, waits for it and calls after_child(); at the end
 * it execs gdb_calls (beside it). For the gdb test spawn_exec_bps, where
 * the process gdb debugs has a conditional breakpoint (a trap) and a plain
 * one (an int3) while it forks, and another process execs: the fork must
 * run with the traps taken out and put back, the child's exec must leave
 * the parent's breakpoints alone, and gdb must go on seeing the parent's
 * program, forwards and backwards.
 */
#pragma GCC optimize("O0")
#include "util.h"

#include <sys/random.h>
#include <sys/wait.h>

#define CALLS 2000
#define SPAWN_AT 1000

volatile long total;

__attribute__((noinline)) static void hot(int k)
{
	__asm__ volatile("addq $0x12345678, total(%%rip)" ::: "memory", "cc");
	total += k;
}

__attribute__((noinline)) static void after_child(int status)
{
	say("child status %d\n", status);
}

int main(void)
{
	char path[4200];
	unsigned int r;

	alarm(20);
	test_assert(getrandom(&r, sizeof(r), 0) == (ssize_t)sizeof(r));
	say("token %ld\n", (long)(r % 100000));
	for (int k = 0; k < CALLS; k++) {
		hot(k);
		if (k == SPAWN_AT) {
			int status;
			pid_t pid = fork();
			test_assert(pid >= 0);
			if (pid == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			test_assert(waitpid(pid, &status, 0) == pid);
			after_child(status);
		}
	}
	path_beside(path, sizeof(path), "gdb_calls");
	say("total %ld\n", total);
	execl(path, "gdb_calls", (char *)NULL);
	test_assert(!"execl failed");
	return 1;
}
