/*
 * Micro-benchmark: 200000 getppid() calls, one ptrace round trip each when
 * recorded. getppid has no memory output, so this isolates the fixed
 * per-syscall cost of the recorder and of the replayer.
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CALLS 200000

int main(void)
{
	long sum = 0;

	/* syscall() rather than getppid(): never cached by libc. */
	for (int i = 0; i < CALLS; i++)
		sum += syscall(SYS_getppid);
	printf("%d getppid calls, sum %ld\n", CALLS, sum);
	return 0;
}
