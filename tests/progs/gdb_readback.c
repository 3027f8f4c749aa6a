/* SPDX-License-Identifier: MIT */
/*
 * gdb_readback: read() from a pipe into the same buffer three times, with
 * different random contents each time, for the gdb tests syscall_backwards
 * and syscall_backwards_direct (tests/gdb/): going back over a read() must
 * show the previous read's bytes in the buffer again. The first two reads
 * go through a function of the program, the third calls read() directly.
 * Built without optimization (see the pragma).
 *
 * The gdb scripts use the line numbers of the lines marked "line N": keep
 * them where they are when editing.
 */
#pragma GCC optimize("O0")
#include "util.h"

#include <sys/random.h>

char buf[64];

static void send_msg(int fd, const char *what, const unsigned char *r)
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "%s-%s", what, hex(r, 4));

	write_all(fd, msg, (size_t)n + 1);
}

__attribute__((noinline)) static ssize_t read_into(int fd)
{
	return read(fd, buf, sizeof(buf));
}

int main(void)
{
	unsigned char r[12];
	ssize_t n1, n2, n3;
	int p[2];

	test_assert(pipe(p) == 0);
	test_assert(getrandom(r, sizeof(r), 0) == (ssize_t)sizeof(r));
	say("pid %d\n", (int)getpid());
	send_msg(p[1], "first", r);
	n1 = read_into(p[0]);
	say("first %s\n", buf);
	send_msg(p[1], "second", r + 4);
	n2 = read_into(p[0]); /* line 46: the read syscall_backwards goes back over */
	say("second %s\n", buf); /* line 47: syscall_backwards starts here */
	send_msg(p[1], "third", r + 8);
	n3 = read(p[0], buf, sizeof(buf)); /* line 49: syscall_backwards_direct goes back over this */
	say("third %s\n", buf); /* line 50: syscall_backwards_direct starts here */
	say("lengths %zd %zd %zd\n", n1, n2, n3);
	test_assert(n1 > 0 && n2 > 0 && n3 > 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
