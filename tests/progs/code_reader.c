/* SPDX-License-Identifier: MIT */
/*
 * code_reader: hot() called 100,000 times, a getppid() syscall every 1,000
 * calls (100 event intervals). At call 50,000 the program copies the first
 * bytes of hot()'s code into code_seen and prints their sum. hot() starts
 * with an 11-byte add, so a conditional breakpoint there is carried by an
 * in-tracee trap (a jmp patched over it): for the gdb test
 * cond_code_reader, the program must still see the bytes it was built with.
 */
#pragma GCC optimize("O0")
#include "util.h"

#include <stdint.h>

#define CALLS 100000
#define PER_EVENT 1000
#define READ_AT 50000

volatile long total;
unsigned char code_seen[16];

__attribute__((noinline)) static void hot(int k)
{
	__asm__ volatile("addq $0x12345678, total(%%rip)" ::: "memory", "cc");
	total += k;
}

int main(void)
{
	const volatile unsigned char *code = (const volatile unsigned char *)(uintptr_t)hot;
	unsigned sum = 0;

	for (int k = 0; k < CALLS; k++) {
		if (k % PER_EVENT == 0)
			(void)getppid();
		hot(k);
		if (k == READ_AT) {
			for (unsigned i = 0; i < sizeof(code_seen); i++) {
				code_seen[i] = code[i];
				sum += code_seen[i];
			}
			say("codesum %u\n", sum);
		}
	}
	say("total %ld\n", total);
	say("EXIT-SUCCESS\n");
	return 0;
}
