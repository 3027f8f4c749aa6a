/* SPDX-License-Identifier: MIT */
/*
 * replay: run a recorded program again from its trace, bit for bit.
 * Syscalls are skipped (PTRACE_SYSEMU) and their recorded results and
 * memory writes applied; those that shape the address space or signal
 * state run for real (mmap family at the recorded addresses, from the
 * files saved in the trace); after each exec the address space is rebuilt
 * from the recording; signals are delivered at their recorded points;
 * rdtsc results come from the trace. At every event the registers are
 * compared with the recording: any difference is a divergence, reported
 * with the event number and register, and the tracee is killed before it
 * can run a syscall for real.
 *
 * rep_run() is a top loop: it reports its own errors (one line) and
 * returns -1 for them.
 */
#ifndef REWIND_REPLAY_REPLAY_H
#define REWIND_REPLAY_REPLAY_H

#include "base/base.h"

struct rep_opts {
	const char *trace_dir;
	bool echo;       /* write the program's stdout/stderr bytes to ours */
	bool mark;       /* prefix each echoed write with [rewind PID EVENT] */
	const char *self_exe; /* an executable to exec before rebuilding (our own binary) */
};

struct rep_result {
	int wait_status; /* as recorded and reproduced */
	char *prog;      /* argv[0] of the recording; caller frees */
	uint64_t events;
};

int rep_run(const struct rep_opts *o, struct rep_result *ret);

#endif /* REWIND_REPLAY_REPLAY_H */
