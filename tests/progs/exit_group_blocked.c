/* SPDX-License-Identifier: MIT */
/*
 * exit_group_blocked: main starts 3 threads that block for good: one in
 * read() of a pipe nobody writes, one in pthread_cond_wait() on a condition
 * nobody signals, one in a 100 s nanosleep(). Each posts a semaphore just
 * before it blocks; main waits for all three, sleeps 20 ms more, prints
 * EXIT-SUCCESS and calls exit(0): exit_group must take the blocked threads
 * down with the process.
 */
#include "util.h"

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>

static sem_t ready;
static pid_t tids[3];
static int pipe_fds[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int signalled;

static void *block_read(void *arg)
{
	char c;

	(void)arg;
	tids[0] = gettid();
	test_assert(sem_post(&ready) == 0);
	(void)read(pipe_fds[0], &c, 1);
	test_assert(!"read returned");
	return NULL;
}

static void *block_cond(void *arg)
{
	(void)arg;
	tids[1] = gettid();
	test_assert(pthread_mutex_lock(&lock) == 0);
	test_assert(sem_post(&ready) == 0);
	while (!signalled)
		test_assert(pthread_cond_wait(&never, &lock) == 0);
	test_assert(!"condition signalled");
	return NULL;
}

static void *block_sleep(void *arg)
{
	struct timespec ts = { .tv_sec = 100 };

	(void)arg;
	tids[2] = gettid();
	test_assert(sem_post(&ready) == 0);
	(void)nanosleep(&ts, NULL);
	test_assert(!"nanosleep returned");
	return NULL;
}

int main(void)
{
	void *(*const fns[3])(void *) = { block_read, block_cond, block_sleep };
	static const char *const what[3] = { "read", "pthread_cond_wait", "nanosleep" };
	struct timespec ts = { .tv_nsec = 20 * 1000000L };
	pthread_t t;

	alarm(20);
	say("pid %d\n", (int)getpid());
	test_assert(pipe2(pipe_fds, O_CLOEXEC) == 0);
	test_assert(sem_init(&ready, 0, 0) == 0);
	for (int i = 0; i < 3; i++) {
		test_assert(pthread_create(&t, NULL, fns[i], NULL) == 0);
		while (sem_wait(&ready) != 0)
			test_assert(errno == EINTR);
		say("thread %d (tid %d) blocks in %s\n", i, (int)tids[i], what[i]);
	}
	while (nanosleep(&ts, &ts) != 0)
		test_assert(errno == EINTR);
	say("EXIT-SUCCESS\n");
	exit(0);
}
