/* SPDX-License-Identifier: MIT */
/*
 * exec_into: takes a token from getrandom(), prints it and passes it to
 * leave(), which execs gdb_calls, the test program beside this one: a
 * different program, with its own symbols. For the gdb test exec_symbols
 * (tests/gdb/): at the exec gdb must load gdb_calls' symbols, and going
 * back across it, this program's again. Built without optimization so that
 * leave()'s argument is visible.
 */
#pragma GCC optimize("O0")
#include "util.h"

#include <sys/random.h>

__attribute__((noinline)) static void leave(long token)
{
	char path[4200];

	path_beside(path, sizeof(path), "gdb_calls");
	say("exec gdb_calls with token %ld\n", token);
	execl(path, "gdb_calls", (char *)NULL);
	test_assert(!"execl failed");
}

int main(void)
{
	unsigned int r;

	alarm(20);
	test_assert(getrandom(&r, sizeof(r), 0) == (ssize_t)sizeof(r));
	say("token %ld\n", (long)(r % 100000));
	leave((long)(r % 100000));
	return 1;
}
