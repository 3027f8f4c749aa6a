/* SPDX-License-Identifier: MIT */
/*
 * syscalls: one table of every x86-64 syscall (syscall_table.def), saying
 * for each what replay must do with it and which tracee memory the kernel
 * writes. The recorder asks sc_outputs() for the ranges to save after a
 * syscall returns; the replayer asks sc_lookup()->replay for how to replay it.
 *
 * Contract:
 * - sc_lookup(nr) returns the row for any nr in 0..SC_MAX_NR-1 that the
 *   kernel headers define, NULL for numbers that are not syscalls.
 * - sc_outputs() reports every byte range the kernel may have written for a
 *   successful (or failed) call. Over-reporting is safe (replay writes back
 *   bytes equal to what memory already holds); under-reporting is a fidelity
 *   bug. It never touches tracee memory except through call->read.
 * - A row whose replay class is SC_UNSUPPORTED makes the recorder stop with
 *   "unsupported syscall NAME (NR)". So does sc_outputs() returning -ENOTSUP
 *   (an ioctl or fcntl request we do not know how to record).
 * This module depends only on base.
 */
#ifndef REWIND_SYSCALLS_SYSCALLS_H
#define REWIND_SYSCALLS_SYSCALLS_H

#include "base/base.h"

#define SC_MAX_NR 512

/* What replay does with the syscall. */
enum sc_replay {
	SC_EMU,         /* skip it; set the recorded result and write recorded memory */
	SC_EXEC,        /* run it for real (same args); result must equal the recording */
	SC_MMAP,        /* mmap family and brk: rebuilt at the recorded address (replay hooks) */
	SC_EXECVE,      /* execve/execveat: address space rebuilt from the recording */
	SC_EXIT,        /* exit/exit_group: run for real */
	SC_SIGRETURN,   /* rt_sigreturn: run for real, registers come from the frame */
	SC_CLONE,       /* clone/fork/vfork: run for real after its EV_CLONE (no exit signal, no
	                 * vfork wait; the recorded tids patched in); a failed one is emulated */
	SC_UNSUPPORTED, /* recording stops with a clear error */
	SC_REPLAY__COUNT
};

enum sc_flags {
	SC_RET_FD = 1 << 0,     /* on success the result is a new file descriptor */
	SC_NO_RECORD_EXEC = 1 << 1, /* recorder makes it fail with -ENOSYS instead (rseq) */
	SC_CLOSES_FD = 1 << 2,  /* close(): arg 0 no longer names an fd */
	SC_DUPS_FD = 1 << 3,    /* dup/dup2/dup3: result is a copy of arg 0 */
	SC_WRITES_FD = 1 << 4,  /* write/writev/pwrite..: arg 0 is written; replay echoes fds 1, 2 */
};

/* Effect kinds: what the kernel writes into tracee memory. */
enum sc_eff_kind {
	E_NONE,
	E_OUT,      /* a = pointer arg, n = fixed size in bytes (if pointer != 0) */
	E_OUT_RET,  /* a = pointer arg; result bytes (if result > 0), at most arg b */
	E_OUT_ARG,  /* a = pointer arg, b = arg holding the byte count (capped by the result if
	             * the flag E_CAP_RET is set in c) */
	E_OUT_ARGN, /* a = pointer arg, b = arg holding an element count, n = element size */
	E_OUT_PLEN, /* a = pointer arg, b = arg pointing to a socklen_t/int length (value after
	             * the call, capped at its value before is not needed: over-report is safe) */
	E_IOV_RET,  /* a = iovec array arg, b = count arg; fill iovecs up to result bytes */
	E_IOV_ALL,  /* a = iovec array arg, b = count arg; every iovec whole */
	E_HOOK,     /* the row's hook computes the outputs */
	E_KIND__COUNT
};

/*
 * struct iovec, struct msghdr and struct mmsghdr as the tracee holds them: addresses are
 * not our pointers (the recorder's scratch redirection rewrites them too).
 */
struct sc_kiovec {
	uint64_t base;
	uint64_t len;
};

struct sc_kmsghdr {
	uint64_t name;
	uint32_t namelen;
	uint32_t pad;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	uint32_t pad2;
};
/* struct mmsghdr (recvmmsg, sendmmsg): the kernel writes len, the bytes of the message. */
struct sc_kmmsghdr {
	struct sc_kmsghdr hdr;
	uint32_t len;
	uint32_t pad;
};
_Static_assert(sizeof(struct sc_kiovec) == 16, "struct iovec layout");
_Static_assert(sizeof(struct sc_kmsghdr) == 56, "struct msghdr layout");
_Static_assert(sizeof(struct sc_kmmsghdr) == 64, "struct mmsghdr layout");
/* UIO_MAXIOV: the kernel rejects longer iovec arrays. */
#define SC_IOV_MAX 1024

/* Flags for sc_effect.c (added with the table; the enum above is unchanged). */
enum sc_eff_flags {
	E_CAP_RET = 1 << 0, /* E_OUT_ARG, E_OUT_ARGN: count capped at the result (none if < 0) */
};

struct sc_effect {
	uint8_t kind; /* enum sc_eff_kind */
	uint8_t a, b; /* argument indexes 0..5 */
	uint8_t c;    /* kind-specific flags */
	uint32_t n;   /* byte size (E_OUT) or element size (E_OUT_ARGN) */
};

#define SC_MAX_EFFECTS 3

/* One syscall in progress, as the recorder sees it at syscall exit. */
struct sc_call {
	long nr;
	uint64_t args[6];
	int64_t ret;
	void *priv; /* owned by the caller of sc_outputs() */
	/* Read tracee memory; 0 or -errno. */
	int (*read)(struct sc_call *call, uint64_t addr, void *dst, size_t len);
	/* Report that [addr, addr+len) may have been written by the kernel. 0 or -errno. */
	int (*out)(struct sc_call *call, uint64_t addr, uint64_t len);
};

struct sc_desc {
	const char *name;
	int16_t nr;
	uint8_t nargs;
	uint8_t replay; /* enum sc_replay */
	uint16_t flags; /* enum sc_flags */
	struct sc_effect eff[SC_MAX_EFFECTS];
	/* For E_HOOK rows: report outputs through call->out. 0, -ENOTSUP (unsupported
	 * request: the recorder stops with an error naming it) or -errno. */
	int (*hook)(struct sc_call *call, const char **ret_what);
};

const struct sc_desc *sc_lookup(long nr);
/* Name of nr, or "syscall_NNN" (static storage) for unknown numbers. */
const char *sc_name(long nr);
/*
 * Report the memory outputs of a finished call (call->ret set). On -ENOTSUP,
 * *ret_what (if ret_what) names what is unsupported, e.g. "ioctl 0x5401".
 */
int sc_outputs(const struct sc_desc *d, struct sc_call *call, const char **ret_what);
/*
 * The ranges the kernel may write while the call is still in progress (it
 * blocked; call->ret is overwritten): all an SC_EMU row can report for any
 * result. Other rows report nothing (what they write, replay runs for real).
 * 0 or sc_outputs()'s error.
 */
int sc_inflight_outputs(const struct sc_desc *d, struct sc_call *call);

/*
 * Which of the program's fds are its recording-time stdout and stderr:
 * replay writes what goes to them to the terminal. Follows close, the dup
 * family, fcntl(F_DUPFD) and syscalls returning new fds.
 */
#define SC_STDIO_FDS 1024
struct sc_stdio {
	unsigned char of[SC_STDIO_FDS]; /* fd -> 1 (stdout), 2 (stderr) or 0 */
};
void sc_stdio_init(struct sc_stdio *s);
/* newfds: the two fds pipe/pipe2/socketpair wrote (NULL if unknown). */
void sc_stdio_update(struct sc_stdio *s, const struct sc_desc *d, const uint64_t args[6],
		     int64_t ret, const int *newfds);
static inline int sc_stdio_of(const struct sc_stdio *s, uint64_t fd)
{
	return fd < SC_STDIO_FDS ? s->of[fd] : 0;
}

#endif /* REWIND_SYSCALLS_SYSCALLS_H */
