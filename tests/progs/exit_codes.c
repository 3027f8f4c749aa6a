/* SPDX-License-Identifier: MIT */
/*
 * exit_codes: print argv, then exit with the status given in argv[1]
 * (0..255). Used with several statuses in tests/table.in.
 */
#include "util.h"

int main(int argc, char **argv)
{
	int i, status;

	test_assert(argc >= 2);
	say("pid %d argc %d\n", (int)getpid(), argc);
	for (i = 0; i < argc; i++)
		say("argv[%d] = \"%s\"\n", i, argv[i]);
	status = (int)strtol(argv[1], NULL, 10);
	test_assert(status >= 0 && status <= 255);
	say("exiting with %d\n", status);
	say("EXIT-SUCCESS\n");
	exit(status);
}
