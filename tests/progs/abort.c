/* SPDX-License-Identifier: MIT */
/*
 * abort: print something, then abort(). The process dies by SIGABRT, so
 * `rewind record` and `rewind replay -a` must both exit with 128+6 = 134.
 */
#include "util.h"

int main(void)
{
	say("pid %d, time %lld\n", (int)getpid(), ts_ns(CLOCK_REALTIME));
	say_err("about to abort\n");
	say("EXIT-SUCCESS\n");
	abort();
}
