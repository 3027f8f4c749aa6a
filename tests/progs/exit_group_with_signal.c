/* SPDX-License-Identifier: MIT */
/*
 * exit_group_with_signal: the process kills itself with SIGKILL, which
 * cannot be caught: record and replay must both exit with 128+9 = 137.
 */
#include "util.h"

#include <signal.h>

int main(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };

	say("pid %d, time %lld\n", (int)getpid(), ts_ns(CLOCK_REALTIME));
	/* Even with SIGTERM ignored and SIGKILL "caught" (refused), SIGKILL kills. */
	test_assert(sigaction(SIGTERM, &sa, NULL) == 0);
	errno = 0;
	test_assert(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	say("EXIT-SUCCESS\n");
	kill(getpid(), SIGKILL);
	say("still alive\n");
	return 1;
}
