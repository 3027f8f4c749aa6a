/* SPDX-License-Identifier: MIT */
/*
 * aslr: print the addresses of a stack variable, a malloc block (small and
 * large), main, a libc function, an anonymous mmap, the vDSO and the
 * auxiliary vector's AT_RANDOM bytes. With ASLR these differ every run;
 * replay must reproduce the recorded ones.
 */
#include "util.h"

#include <sys/auxv.h>

int main(int argc, char **argv)
{
	int local = argc;
	void *small = malloc(32), *large = malloc(1 << 20);
	void *anon = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const unsigned char *at_random = (const void *)getauxval(AT_RANDOM);

	test_assert(small && large && anon != MAP_FAILED && at_random);
	say("pid %d\n", (int)getpid());
	say("stack %p\n", (void *)&local);
	say("argv %p envp %p\n", (void *)argv, (void *)environ);
	say("malloc small %p large %p\n", small, large);
	say("main %p\n", (void *)main);
	say("libc printf %p\n", (void *)printf);
	say("mmap %p\n", anon);
	say("vdso %p\n", (void *)getauxval(AT_SYSINFO_EHDR));
	say("AT_RANDOM %s\n", hex(at_random, 16));
	say("AT_PHDR %p AT_ENTRY %p\n", (void *)getauxval(AT_PHDR), (void *)getauxval(AT_ENTRY));
	free(small);
	free(large);
	test_assert(munmap(anon, 8192) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
