/* SPDX-License-Identifier: MIT */
/*
 * thread_exec: a thread other than the main one calls execve while the main
 * thread waits in pause(), a second thread is blocked in read() on a pipe
 * and a third computes without syscalls. The kernel kills those three, and
 * the exec'ing thread takes over the main thread's pid. The new program
 * (this one again, with the argument "after") checks that its pid is the
 * old one and prints values the kernel chose (times, pids). Recording must
 * hand the pid over the same way the kernel did, and replay again.
 */
#include "util.h"

#include <pthread.h>
#include <sys/syscall.h>

static int pipe_fds[2];
static volatile unsigned long spins;

static void *blocked(void *arg)
{
	char c;
	(void)arg;
	test_assert(read(pipe_fds[0], &c, 1) == 1); /* never: the exec kills it first */
	return NULL;
}

static void *compute(void *arg)
{
	(void)arg;
	for (;;) {
		spins = spins * 3 + 1;
		PAD();
	}
	return NULL;
}

static void *run(void *arg)
{
	char pid[32], *self = arg;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL); /* the others get to their places */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	say("thread %ld of %s execs at %lld ns\n", (long)syscall(SYS_gettid), pid,
	    (long long)ts_ns(CLOCK_MONOTONIC) % 1000000);
	execl("/proc/self/exe", self, "after", pid, (char *)NULL);
	say_err("execl: %s\n", strerror(errno));
	_exit(1);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc == 3 && !strcmp(argv[1], "after")) {
		int pid = getpid(), tid = (int)syscall(SYS_gettid);
		say("after the exec: pid %d tid %d (the old pid: %s) at %lld ns\n", pid, tid,
		    argv[2], (long long)ts_ns(CLOCK_MONOTONIC) % 1000000);
		test_assert(pid == atoi(argv[2]) && tid == pid);
		say("EXIT-SUCCESS\n");
		return 0;
	}
	alarm(20);
	say("pid %d\n", (int)getpid());
	test_assert(pipe(pipe_fds) == 0);
	test_assert(pthread_create(&t, NULL, blocked, NULL) == 0);
	test_assert(pthread_create(&t, NULL, compute, NULL) == 0);
	test_assert(pthread_create(&t, NULL, run, argv[0]) == 0);
	for (;;)
		pause();
}
