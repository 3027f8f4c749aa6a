/* SPDX-License-Identifier: MIT */
/*
 * fork_tree_pipes: the parent forks 3 children and each child forks one
 * grandchild. Data flows up through pipes: each grandchild sends its pid,
 * its parent's pid and a value to its child; the child checks the pids,
 * doubles the value, adds its own pid and the grandchild's exit status, and
 * sends that up; the parent reads the children in a fixed order, checks and
 * prints what they sent, then reaps them in order and prints their exit
 * statuses. Only the parent writes to stdout.
 */
#include "util.h"

#include <fcntl.h>
#include <sys/wait.h>

#define CHILDREN 3

/* Read until EOF into @buf (NUL-terminated); returns the length. */
static size_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		test_assert(r >= 0);
		if (r == 0)
			break;
		len += (size_t)r;
		test_assert(len < size - 1);
	}
	buf[len] = '\0';
	return len;
}

static void __attribute__((noreturn)) grandchild(int i, int down)
{
	char msg[128];
	int n;

	n = snprintf(msg, sizeof(msg), "grandchild %d parent %d value %d", (int)getpid(),
		     (int)getppid(), (i + 1) * 100);
	write_all(down, msg, (size_t)n);
	_exit(20 + i);
}

static void __attribute__((noreturn)) child(int i, int up)
{
	char in[256], out[512];
	int down[2], gpid, gppid, value, st, n;
	pid_t gc;

	test_assert(pipe2(down, O_CLOEXEC) == 0);
	gc = fork();
	test_assert(gc >= 0);
	if (gc == 0) {
		test_assert(close(down[0]) == 0);
		test_assert(close(up) == 0);
		grandchild(i, down[1]);
	}
	test_assert(close(down[1]) == 0);
	read_all(down[0], in, sizeof(in));
	test_assert(close(down[0]) == 0);
	test_assert(waitpid(gc, &st, 0) == gc);
	test_assert(WIFEXITED(st) && WEXITSTATUS(st) == 20 + i);
	test_assert(sscanf(in, "grandchild %d parent %d value %d", &gpid, &gppid, &value) == 3);
	test_assert(gpid == gc && gppid == getpid() && value == (i + 1) * 100);
	n = snprintf(out, sizeof(out), "child %d parent %d value %d (grandchild exit %d: %s)",
		     (int)getpid(), (int)getppid(), 2 * value, WEXITSTATUS(st), in);
	write_all(up, out, (size_t)n);
	_exit(10 + i);
}

int main(void)
{
	int up[CHILDREN][2];
	pid_t pid[CHILDREN];

	alarm(20);
	say("pid %d\n", (int)getpid());
	for (int i = 0; i < CHILDREN; i++) {
		test_assert(pipe2(up[i], O_CLOEXEC) == 0);
		pid[i] = fork();
		test_assert(pid[i] >= 0);
		if (pid[i] == 0) {
			test_assert(close(up[i][0]) == 0);
			child(i, up[i][1]);
		}
		test_assert(close(up[i][1]) == 0);
	}
	for (int i = 0; i < CHILDREN; i++) {
		char buf[512];
		int cpid, cppid, value;

		read_all(up[i][0], buf, sizeof(buf));
		test_assert(close(up[i][0]) == 0);
		test_assert(sscanf(buf, "child %d parent %d value %d", &cpid, &cppid, &value) == 3);
		test_assert(cpid == pid[i] && cppid == getpid() && value == (i + 1) * 200);
		say("from child %d: %s\n", i, buf);
	}
	for (int i = 0; i < CHILDREN; i++) {
		int st;

		test_assert(waitpid(pid[i], &st, 0) == pid[i]);
		test_assert(WIFEXITED(st) && WEXITSTATUS(st) == 10 + i);
		say("child %d (pid %d) exited with status %d\n", i, (int)pid[i], WEXITSTATUS(st));
	}
	errno = 0;
	test_assert(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	say("no children left: ECHILD\n");
	say("EXIT-SUCCESS\n");
	return 0;
}
