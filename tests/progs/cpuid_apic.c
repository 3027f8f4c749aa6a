/* SPDX-License-Identifier: MIT */
/*
 * cpuid_apic: CPUID leaf 1 names the CPU that runs it (the initial APIC id,
 * EBX bits 31..24), and the dynamic loader keeps that leaf in memory. The
 * program makes one getpid() syscall per unit of that id, so a replay on a
 * CPU with another id takes another path: the replay must run on the
 * recording's CPU (tests/errors/replay_cpu.sh).
 */
#include "util.h"

#include <cpuid.h>

int main(void)
{
	unsigned a, b, c, d;
	unsigned id;

	test_assert(__get_cpuid(1, &a, &b, &c, &d));
	id = b >> 24;
	for (unsigned i = 0; i < id && i < 64; i++)
		(void)getpid();
	say("apic id %u\n", id);
	say("EXIT-SUCCESS\n");
	return 0;
}
