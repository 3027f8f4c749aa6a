/* SPDX-License-Identifier: MIT */
/*
 * ticker: print a line every millisecond, argv[1] times (default 10000,
 * about 10 s), each with a counter and the time. The first line is
 * "pid N" so that a test that kills the recorder can find and reap us.
 * tests/errors/killed_recorder.sh records it and kills the recorder midway.
 */
#include "util.h"

int main(int argc, char **argv)
{
	struct timespec ms = { 0, 1000000 };
	long i, n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;

	say("pid %d\n", (int)getpid());
	for (i = 0; i < n; i++) {
		say("tick %ld %lld\n", i, ts_ns(CLOCK_REALTIME));
		test_assert(nanosleep(&ms, NULL) == 0);
	}
	say("EXIT-SUCCESS\n");
	return 0;
}
