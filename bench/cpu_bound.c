/*
 * CPU-bound workload: a sieve of Eratosthenes over the first 2^26 integers,
 * repeated a few times, then one line of output. Almost no syscalls: the
 * time goes to user-space computation, so recording should cost ~nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT (1u << 26)
#define ROUNDS 3

int main(void)
{
	unsigned char *composite = malloc(LIMIT);
	unsigned long count = 0, sum = 0;

	if (!composite)
		return 1;
	for (int round = 0; round < ROUNDS; round++) {
		memset(composite, 0, LIMIT);
		count = sum = 0;
		for (unsigned long i = 2; i < LIMIT; i++) {
			if (composite[i])
				continue;
			count++;
			sum += i;
			for (unsigned long j = i * i; j < LIMIT; j += i)
				composite[j] = 1;
		}
	}
	printf("primes below %u: %lu, sum %lu\n", LIMIT, count, sum);
	free(composite);
	return 0;
}
