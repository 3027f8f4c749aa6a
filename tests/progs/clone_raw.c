/* SPDX-License-Identifier: MIT */
/*
 * clone_raw: glibc's clone() wrapper used directly.
 * - A thread: CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|
 *   CLONE_SYSVSEM|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID on a malloc'd
 *   stack, without a TLS of its own (so it calls nothing that touches TLS:
 *   only syscall(), which sets errno only on failure). The kernel stores its
 *   tid in ptid before clone returns, and clears ctid and futex-wakes it when
 *   the thread exits: main waits for it that way (with a timeout).
 * - A process: no CLONE_VM, SIGCHLD as exit signal, CLONE_PARENT_SETTID: it
 *   sends its pid through a pipe and exits 42; main reaps it with waitpid.
 * Prints the ptid values and the checks made on them.
 */
#include "util.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define STACK_SIZE (256 * 1024)

static atomic_int ctid;
static pid_t thread_ptid;
static volatile long thread_tid, thread_sum;

static int thread_fn(void *arg)
{
	long sum = 0;

	for (long i = 1; i <= (long)arg; i++)
		sum += i;
	thread_sum = sum;
	thread_tid = syscall(SYS_gettid);
	return 0;
}

static int process_fn(void *arg)
{
	int fd = (int)(long)arg;
	long pid = syscall(SYS_getpid);

	if (syscall(SYS_write, fd, &pid, sizeof(pid)) != sizeof(pid))
		return 1;
	return 42;
}

static void clone_thread(void)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			  CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	char *stack = malloc(STACK_SIZE);
	long long deadline;
	int tid, v;

	test_assert(stack);
	atomic_store(&ctid, -1);
	tid = clone(thread_fn, stack + STACK_SIZE, flags, (void *)1000L, &thread_ptid, NULL,
		    &ctid);
	test_assert(tid > 0);
	test_assert(thread_ptid == tid);
	say("thread: clone returned %d, ptid %d\n", tid, (int)thread_ptid);

	deadline = ts_ns(CLOCK_MONOTONIC) + 10 * 1000000000LL;
	while ((v = atomic_load(&ctid)) != 0) {
		struct timespec ts = { .tv_nsec = 100 * 1000000L };
		long r = syscall(SYS_futex, &ctid, FUTEX_WAIT, v, &ts, NULL, 0);

		test_assert(r == 0 || errno == EAGAIN || errno == EINTR || errno == ETIMEDOUT);
		test_assert(ts_ns(CLOCK_MONOTONIC) < deadline);
	}
	test_assert(thread_tid == tid && thread_sum == 500500);
	say("thread: tid %ld, sum %ld, ctid cleared to %d at exit\n", thread_tid, thread_sum,
	    atomic_load(&ctid));
	free(stack);
}

static void clone_process(void)
{
	char *stack = malloc(STACK_SIZE);
	pid_t ptid = 0;
	long child_pid = 0;
	int p[2], pid, st;

	test_assert(stack);
	test_assert(pipe2(p, O_CLOEXEC) == 0);
	pid = clone(process_fn, stack + STACK_SIZE, SIGCHLD | CLONE_PARENT_SETTID,
		    (void *)(long)p[1], &ptid, NULL, NULL);
	test_assert(pid > 0);
	test_assert(ptid == pid);
	say("process: clone returned %d, ptid %d\n", pid, (int)ptid);
	test_assert(close(p[1]) == 0);
	test_assert(read(p[0], &child_pid, sizeof(child_pid)) == sizeof(child_pid));
	test_assert(close(p[0]) == 0);
	test_assert(child_pid == pid);
	test_assert(waitpid(pid, &st, 0) == pid);
	test_assert(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	say("process: its getpid() %ld, exit status %d\n", child_pid, WEXITSTATUS(st));
	free(stack);
}

int main(void)
{
	alarm(20);
	say("pid %d\n", (int)getpid());
	clone_thread();
	clone_process();
	say("EXIT-SUCCESS\n");
	return 0;
}
