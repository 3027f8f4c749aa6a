/* SPDX-License-Identifier: MIT */
/*
 * env_argv: print argv, some environment variables (REWIND_TEST_VAR is set
 * by tests/run.sh to a different value on every run, replays included, so a
 * replay that reads the live environment is caught), the size of the whole
 * environment, and getpid/getppid/getuid/getgid/geteuid.
 */
#include "util.h"

int main(int argc, char **argv, char **envp)
{
	static const char *const vars[] = { "REWIND_TEST_VAR", "PATH", "HOME", "REWIND_UNSET_VAR" };
	uint64_t h = FNV1A_INIT;
	size_t i, n = 0;

	say("argc %d\n", argc);
	for (i = 0; i < (size_t)argc; i++)
		say("argv[%zu] = \"%s\"\n", i, argv[i]);
	test_assert(argv[argc] == NULL);
	for (i = 0; i < ARRAY_LEN(vars); i++) {
		const char *v = getenv(vars[i]);

		say("%s=%s\n", vars[i], v ? v : "(unset)");
	}
	for (i = 0; envp[i]; i++) {
		h = fnv1a(h, envp[i], strlen(envp[i]));
		n++;
	}
	say("%zu environment entries, checksum %016llx\n", n, (unsigned long long)h);
	say("pid %d ppid %d uid %d euid %d gid %d\n", (int)getpid(), (int)getppid(),
	    (int)getuid(), (int)geteuid(), (int)getgid());
	say("EXIT-SUCCESS\n");
	return 0;
}
