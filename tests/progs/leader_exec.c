/* SPDX-License-Identifier: MIT */
/*
 * leader_exec: the main thread calls execve while one thread is blocked in
 * read() on a pipe and another waits on a condition variable (futex). The
 * kernel kills both and waits until they are reaped before the exec ends:
 * the recorder used to wait for the execve and never resume their exit
 * stops (a hang). The new program (this one again, "after") prints values
 * the kernel chose. No thread computes, so this replays without traps too
 * (thread_exec covers the exec from another thread).
 */
#include "util.h"

#include <pthread.h>
#include <sys/syscall.h>

static int pipe_fds[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static volatile int ready;

static void *blocked(void *arg)
{
	char c;
	(void)arg;
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	test_assert(read(pipe_fds[0], &c, 1) == 1); /* never: the exec kills it first */
	return NULL;
}

static void *waiting(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pthread_cond_wait(&never, &lock);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	char pid[32];
	struct timespec ts = { 0, 5 * 1000 * 1000 };

	if (argc == 3 && !strcmp(argv[1], "after")) {
		say("after the exec: pid %d (the old pid: %s) at %lld ns\n", (int)getpid(), argv[2],
		    (long long)ts_ns(CLOCK_MONOTONIC) % 1000000);
		test_assert(getpid() == atoi(argv[2]));
		say("EXIT-SUCCESS\n");
		return 0;
	}
	alarm(20);
	test_assert(pipe(pipe_fds) == 0);
	test_assert(pthread_create(&t, NULL, blocked, NULL) == 0);
	test_assert(pthread_create(&t, NULL, waiting, NULL) == 0);
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 2)
		nanosleep(&ts, NULL);
	nanosleep(&ts, NULL); /* they block */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	say("main thread of %s execs at %lld ns\n", pid, (long long)ts_ns(CLOCK_MONOTONIC) % 1000000);
	execl("/proc/self/exe", argv[0], "after", pid, (char *)NULL);
	say_err("execl: %s\n", strerror(errno));
	return 1;
}
