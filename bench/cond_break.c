// SPDX-License-Identifier: MIT
/*
 * cond_break: a function f(int i) called 100,000 times, each call after one
 * time() syscall (or, with the argument "pure", with no syscall at all), for
 * timing `break f if i == 99999` under rewind replay (bench/traps.sh). Built with -O1, f's first instruction (where gdb
 * puts the breakpoint) is a 7-byte RIP-relative load, which an in-tracee
 * trap can take; a 1- to 4-byte first instruction (`push %rbx`, as in most
 * functions that call others) cannot, and the breakpoint stays an int3.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

static volatile long sink;

__attribute__((noinline)) void f(int i)
{
	sink = sink * 31 + i;
}

int main(int argc, char **argv)
{
	int pure = argc > 1 && !strcmp(argv[1], "pure");

	for (int i = 0; i < 100000; i++) {
		if (!pure)
			sink += (long)time(NULL) & 1;
		f(i);
	}
	printf("%ld\n", sink != 0 ? 1L : 0L);
	return 0;
}
