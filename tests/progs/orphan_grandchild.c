/* SPDX-License-Identifier: MIT */
/*
 * orphan_grandchild: the child forks a grandchild and exits at once. The
 * parent reaps the child and only then lets the grandchild go on (by
 * closing a "go" pipe), so the grandchild is surely an orphan by then,
 * reparented to init or to the nearest subreaper. The grandchild sleeps
 * 50 ms, writes its pid and getppid() into a pipe whose read end the parent
 * holds, and exits; the parent reads until EOF and prints what it got.
 * Where the orphan went varies with the system; that it left the dead child
 * does not.
 */
#include "util.h"

#include <fcntl.h>
#include <sys/wait.h>

static void __attribute__((noreturn)) grandchild(int go, int out)
{
	struct timespec ts = { .tv_nsec = 50 * 1000000L };
	char msg[128], c;
	ssize_t r;
	int n;

	do
		r = read(go, &c, 1);
	while (r < 0 && errno == EINTR);
	test_assert(r == 0);
	while (nanosleep(&ts, &ts) != 0)
		test_assert(errno == EINTR);
	n = snprintf(msg, sizeof(msg), "grandchild %d ppid %d", (int)getpid(), (int)getppid());
	write_all(out, msg, (size_t)n);
	_exit(0);
}

int main(void)
{
	int go[2], out[2], st, gpid = 0, gppid = 0;
	char buf[128];
	size_t len = 0;
	pid_t child;

	alarm(20);
	say("pid %d\n", (int)getpid());
	test_assert(pipe2(go, O_CLOEXEC) == 0);
	test_assert(pipe2(out, O_CLOEXEC) == 0);
	child = fork();
	test_assert(child >= 0);
	if (child == 0) {
		pid_t g = fork();

		test_assert(g >= 0);
		if (g == 0) {
			test_assert(close(go[1]) == 0);
			test_assert(close(out[0]) == 0);
			grandchild(go[0], out[1]);
		}
		_exit(0);
	}
	test_assert(close(go[0]) == 0);
	test_assert(close(out[1]) == 0);
	test_assert(waitpid(child, &st, 0) == child);
	test_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	say("child %d exited with status %d\n", (int)child, WEXITSTATUS(st));
	test_assert(close(go[1]) == 0);

	for (;;) {
		ssize_t r = read(out[0], buf + len, sizeof(buf) - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		test_assert(r >= 0);
		if (r == 0)
			break;
		len += (size_t)r;
		test_assert(len < sizeof(buf) - 1);
	}
	buf[len] = '\0';
	test_assert(close(out[0]) == 0);
	test_assert(sscanf(buf, "grandchild %d ppid %d", &gpid, &gppid) == 2);
	test_assert(gpid > 0 && gppid > 0 && gppid != child && gpid != child);
	say("read: %s\n", buf);
	say("the grandchild was reparented away from the dead child: %s\n",
	    gppid != child ? "yes" : "no");
	say("EXIT-SUCCESS\n");
	return 0;
}
