/* SPDX-License-Identifier: MIT */
/*
 * exec_chain: the program re-executes itself with execve three times, with
 * argv[1] counting down "2", "1", "0" and argv[2] carrying the initial pid;
 * every level prints its pid, which must stay the same. The last level
 * fork+execve's /bin/sh -c 'echo sh says $$; /bin/true', waits for it, prints
 * its status and EXIT-SUCCESS. The shell writes while the parent waits, so
 * its line always comes between the parent's lines.
 */
#include "util.h"

#include <sys/wait.h>

extern char **environ;

static long parse(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	test_assert(errno == 0 && end != s && *end == '\0');
	return v;
}

int main(int argc, char **argv)
{
	long level = 3, initial = getpid();
	char level_s[16], pid_s[32];
	const char *self;
	pid_t sh;
	int st;

	alarm(20);
	if (argc > 1) {
		test_assert(argc == 3);
		level = parse(argv[1]);
		initial = parse(argv[2]);
	}
	test_assert(level >= 0 && level <= 3);
	test_assert(initial == getpid());
	say("level %ld: pid %d\n", level, (int)getpid());
	if (level > 0) {
		char *const args[] = { argv[0], level_s, pid_s, NULL };

		/* argv[0] if it is a path, else the running binary. */
		self = strchr(argv[0], '/') ? argv[0] : "/proc/self/exe";
		(void)snprintf(level_s, sizeof(level_s), "%ld", level - 1);
		(void)snprintf(pid_s, sizeof(pid_s), "%ld", initial);
		execve(self, args, environ);
		test_assert(!"execve failed");
	}

	sh = fork();
	test_assert(sh >= 0);
	if (sh == 0) {
		char *const args[] = { "sh", "-c", "echo sh says $$; /bin/true", NULL };

		execve("/bin/sh", args, environ);
		_exit(127);
	}
	test_assert(waitpid(sh, &st, 0) == sh);
	test_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	say("sh (pid %d) exited with status %d\n", (int)sh, WEXITSTATUS(st));
	say("EXIT-SUCCESS\n");
	return 0;
}
