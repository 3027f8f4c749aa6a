/* SPDX-License-Identifier: MIT */
/*
 * vfork_exec: vfork() and execve of /bin/echo (the parent is suspended until
 * the child has exec'd, then waits for it); posix_spawn of /bin/true and
 * /bin/false; posix_spawn of /bin/echo with its stdout redirected into a
 * pipe by a file action, read back and printed by the parent. Prints the
 * exit statuses. Everything the children write comes while the parent
 * waits for them, so the order of the lines is fixed.
 */
#include "util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

static char *const echo_args[] = { "echo", "hello from a vfork child", NULL };

static int spawn_wait(const char *path, char *const args[],
		      const posix_spawn_file_actions_t *actions)
{
	pid_t pid;
	int st;

	test_assert(posix_spawn(&pid, path, actions, NULL, args, environ) == 0);
	test_assert(pid > 0);
	test_assert(waitpid(pid, &st, 0) == pid);
	test_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

int main(void)
{
	char *const true_args[] = { "true", NULL };
	char *const false_args[] = { "false", NULL };
	char *const piped_args[] = { "echo", "through a pipe", NULL };
	posix_spawn_file_actions_t fa;
	char buf[128];
	int p[2], st;
	ssize_t n;
	pid_t pid;

	alarm(20);
	say("pid %d\n", (int)getpid());

	pid = vfork();
	if (pid == 0) {
		execve("/bin/echo", echo_args, environ);
		_exit(127);
	}
	test_assert(pid > 0);
	test_assert(waitpid(pid, &st, 0) == pid);
	test_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	say("vfork child %d: exit status %d\n", (int)pid, WEXITSTATUS(st));

	st = spawn_wait("/bin/true", true_args, NULL);
	test_assert(st == 0);
	say("posix_spawn /bin/true: exit status %d\n", st);
	st = spawn_wait("/bin/false", false_args, NULL);
	test_assert(st == 1);
	say("posix_spawn /bin/false: exit status %d\n", st);

	test_assert(pipe2(p, O_CLOEXEC) == 0);
	test_assert(posix_spawn_file_actions_init(&fa) == 0);
	test_assert(posix_spawn_file_actions_adddup2(&fa, p[1], 1) == 0);
	st = spawn_wait("/bin/echo", piped_args, &fa);
	test_assert(posix_spawn_file_actions_destroy(&fa) == 0);
	test_assert(close(p[1]) == 0);
	n = read(p[0], buf, sizeof(buf) - 1);
	test_assert(n > 0);
	buf[n] = '\0';
	test_assert(close(p[0]) == 0);
	test_assert(st == 0 && strcmp(buf, "through a pipe\n") == 0);
	say("posix_spawn /bin/echo into a pipe: exit status %d, read %zd bytes: %s", st, n, buf);
	say("EXIT-SUCCESS\n");
	return 0;
}
