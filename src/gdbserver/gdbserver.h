/* SPDX-License-Identifier: MIT */
/*
 * gdbserver: the GDB Remote Serial Protocol server over a replay session.
 * gdb connects (loopback TCP), reads registers and memory, sets
 * breakpoints and watchpoints, and runs the replay forwards (c, s, vCont),
 * restarts it (vRun) and asks monitor commands (qRcmd). Writes to registers
 * or memory are refused: a replay cannot change what the program did.
 *
 * gdb_serve() is a top loop: it reports its own errors (one line) and
 * returns -1 for them, 0 when gdb detached or hung up.
 */
#ifndef REWIND_GDBSERVER_GDBSERVER_H
#define REWIND_GDBSERVER_GDBSERVER_H

#include "replay/replay.h"

struct gdb_opts {
	struct rep_opts replay; /* trace and self_exe */
	uint64_t start_event;   /* run forward until this event is next (0: the start) */
};

/* Listen on 127.0.0.1:port (0: any free port); *ret_port gets the port. Returns the fd. */
int gdb_listen(int port, int *ret_port);
/* Accept one connection on lfd and serve it until gdb detaches. */
int gdb_serve(int lfd, const struct gdb_opts *o);

#endif /* REWIND_GDBSERVER_GDBSERVER_H */
