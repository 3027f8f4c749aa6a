/* SPDX-License-Identifier: MIT */
/*
 * ioctl_tty: isatty() on fds 0..2 and a pipe, TIOCGWINSZ and TCGETS on
 * stdout (printing whatever the result is: under tests/run.sh stdout is a
 * file, so ENOTTY; at a terminal, the window size), FIONREAD on a pipe.
 */
#include "util.h"

#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
	struct winsize ws = { 0 };
	struct termios tio;
	int fd, r, p[2], avail = -1;

	say("pid %d\n", (int)getpid());
	for (fd = 0; fd < 3; fd++) {
		errno = 0;
		r = isatty(fd);
		say("isatty(%d) = %d errno %d\n", fd, r, r ? 0 : errno);
	}
	test_assert(pipe(p) == 0);
	errno = 0;
	test_assert(isatty(p[0]) == 0 && errno == ENOTTY);
	say("isatty(pipe) = 0 errno %d\n", errno);

	errno = 0;
	r = ioctl(1, TIOCGWINSZ, &ws);
	say("TIOCGWINSZ = %d errno %d rows %u cols %u\n", r, r ? errno : 0, ws.ws_row, ws.ws_col);
	errno = 0;
	r = tcgetattr(1, &tio);
	say("TCGETS = %d errno %d", r, r ? errno : 0);
	if (r == 0)
		say(" iflag %#x oflag %#x cflag %#x lflag %#x", tio.c_iflag, tio.c_oflag,
		    tio.c_cflag, tio.c_lflag);
	say("\n");

	test_assert(write(p[1], "abc", 3) == 3);
	test_assert(ioctl(p[0], FIONREAD, &avail) == 0);
	say("FIONREAD %d\n", avail);
	test_assert(avail == 3);
	say("EXIT-SUCCESS\n");
	return 0;
}
