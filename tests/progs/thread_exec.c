/* SPDX-License-Identifier: MIT */
/*
 * thread_exec: a second thread calls execve while the main thread waits in
 * pause(). The kernel kills the main thread, and the exec'ing thread takes
 * over its pid. rewind does not record that hand-over yet: it must say so
 * in one line and stop, not hang (tests/errors/thread_exec.sh).
 */
#include "util.h"

#include <pthread.h>

static void *run(void *arg)
{
	(void)arg;
	say("thread execs\n");
	execl("/bin/echo", "echo", "EXIT-SUCCESS", (char *)NULL);
	say_err("execl: %s\n", strerror(errno));
	_exit(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	alarm(20);
	say("pid %d\n", (int)getpid());
	test_assert(pthread_create(&t, NULL, run, NULL) == 0);
	for (;;)
		pause();
}
