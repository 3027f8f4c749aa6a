// SPDX-License-Identifier: MIT
/*
 * gdb_threads: three threads, started one after the other, each calls
 * work(n) once with its number and the tid it got; main joins them. For
 * tests/gdb/threads.gdb: gdb lists every thread, stops in each, switches
 * threads, and goes back to an earlier thread's stop.
 */
#include "util.h"

#include <pthread.h>

static volatile int done;

__attribute__((noinline)) static void work(int n, int tid)
{
	done += n;
	say("tid%d %d\n", n, tid);
}

static void *run(void *arg)
{
	work((int)(long)arg, (int)gettid());
	return NULL;
}

int main(void)
{
	pthread_t t[3];
	say("pid %d\n", (int)getpid());
	for (long i = 0; i < 3; i++) {
		test_assert(pthread_create(&t[i], NULL, run, (void *)(i + 1)) == 0);
		/* One at a time: the order of the calls is the order of the threads. */
		test_assert(pthread_join(t[i], NULL) == 0);
	}
	say("done %d\n", done);
	say("EXIT-SUCCESS\n");
	return 0;
}
