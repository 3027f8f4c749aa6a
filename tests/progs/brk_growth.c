/* SPDX-License-Identifier: MIT */
/*
 * brk_growth: move the program break with sbrk() and brk(), then malloc
 * many small blocks (which grows the heap through brk) and print the break
 * and block addresses. Replay must put the break at the recorded addresses.
 */
#include "util.h"

int main(void)
{
	char *start, *cur, *blocks[20000];
	uint64_t sum = FNV1A_INIT;
	size_t i;

	start = sbrk(0);
	say("pid %d\n", (int)getpid());
	say("initial break %p\n", (void *)start);
	test_assert(sbrk(4096) == start);
	cur = sbrk(0);
	say("after sbrk(4096): %p\n", (void *)cur);
	test_assert(cur == start + 4096);
	memset(start, 0x11, 4096);
	test_assert(sbrk(-4096) == cur);
	test_assert(sbrk(0) == start);
	test_assert(brk(start + 100000) == 0);
	say("after brk(+100000): %p\n", sbrk(0));
	test_assert(brk(start) == 0);
	say("after brk(start): %p\n", sbrk(0));

	for (i = 0; i < ARRAY_LEN(blocks); i++) {
		size_t sz = 16 + (i * 37) % 200;

		blocks[i] = malloc(sz);
		test_assert(blocks[i]);
		memset(blocks[i], (int)(i & 0xff), sz);
		if (i % 4000 == 0)
			say("block %zu at %p, break %p\n", i, (void *)blocks[i], sbrk(0));
	}
	say("final break %p (grew by %td)\n", sbrk(0), (char *)sbrk(0) - start);
	for (i = 0; i < ARRAY_LEN(blocks); i++) {
		sum = fnv1a(sum, blocks[i], 16);
		free(blocks[i]);
	}
	say("checksum %016llx\n", (unsigned long long)sum);
	say("EXIT-SUCCESS\n");
	return 0;
}
