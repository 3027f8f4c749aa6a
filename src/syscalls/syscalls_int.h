/* SPDX-License-Identifier: MIT */
/*
 * syscalls_int.h: private to src/syscalls/. The helpers that syscalls.c and
 * the hooks_*.c files share (reporting a range, reading tracee memory the
 * kernel used, walking iovec arrays, naming an unsupported request), the
 * kernel ABI structures that glibc declares differently or not at all, and
 * the hook functions that syscall_table.def names.
 */
#ifndef REWIND_SYSCALLS_SYSCALLS_INT_H
#define REWIND_SYSCALLS_SYSCALLS_INT_H

#include "syscalls/syscalls.h"

/*
 * One past the highest user address on x86-64 with 5-level paging: nothing
 * at or above it is tracee memory the kernel could have written.
 */
#define SC_USER_END (1ULL << 56)
/*
 * The largest output whose size comes from the arguments alone (no result to
 * cap it). No syscall writes more than this through one such pointer; the
 * cap keeps a garbage length in a failed call from naming gigabytes.
 */
#define SC_ARG_LEN_MAX (64ULL << 20)
#define SC_PAGE_SIZE 4096ULL

/* struct sigaction as the kernel reads and writes it (8-byte mask). */
struct sc_ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* struct termios as the kernel copies it (glibc's has 32 c_cc and speeds). */
struct sc_ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

/* struct termio (TCGETA). */
struct sc_ktermio {
	uint16_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[8];
};

/* struct ustat (glibc dropped <ustat.h>). */
struct sc_kustat {
	int32_t f_tfree;
	uint64_t f_tinode;
	char f_fname[6];
	char f_fpack[6];
};

/*
 * Report [addr, addr+len) through call->out. Skips a NULL address or an
 * empty range and clips at SC_USER_END. 0 or -errno from call->out.
 */
int sc_report(struct sc_call *call, uint64_t addr, uint64_t len);

/*
 * Read tracee memory the kernel used for this call. 0 on success, -errno on
 * failure; but when the call itself failed, memory that cannot be read means
 * there is nothing there to report, so that returns 1 ("skip this output")
 * rather than an error. -ESRCH is always returned.
 */
int sc_read(struct sc_call *call, uint64_t addr, void *dst, size_t len);

/*
 * Report the buffers of the iovec array at iov (cnt entries, at most
 * SC_IOV_MAX) in order, up to limit bytes in all (UINT64_MAX: every one
 * whole). 0 or -errno.
 */
int sc_report_iov(struct sc_call *call, uint64_t iov, uint64_t cnt, uint64_t limit);

/*
 * Name an unsupported request: sets *ret_what (if ret_what) to the formatted
 * text, kept in static storage until the next call, and returns -ENOTSUP.
 */
int sc_unsupported(const char **ret_what, const char *fmt, ...) PRINTF(2, 3);

/* Hooks: one per irregular syscall, named by syscall_table.def. */
typedef int sc_hook_fn(struct sc_call *call, const char **ret_what);
/* hooks_ioctl.c */
sc_hook_fn sc_hook_ioctl;
/* hooks_fcntl.c */
sc_hook_fn sc_hook_fcntl;
/* hooks_net.c */
sc_hook_fn sc_hook_recvmsg, sc_hook_recvmmsg;
/* hooks_ipc.c */
sc_hook_fn sc_hook_msgrcv, sc_hook_msgctl, sc_hook_semctl, sc_hook_shmctl;
/* hooks_prctl.c */
sc_hook_fn sc_hook_prctl, sc_hook_arch_prctl, sc_hook_keyctl;
/* hooks_misc.c */
sc_hook_fn sc_hook_select, sc_hook_pselect6, sc_hook_mincore, sc_hook_get_mempolicy;
sc_hook_fn sc_hook_sysfs, sc_hook_name_to_handle_at, sc_hook_futex, sc_hook_seccomp;
sc_hook_fn sc_hook_clone;
sc_hook_fn sc_hook_quotactl, sc_hook_quotactl_fd;

#endif /* REWIND_SYSCALLS_SYSCALLS_INT_H */
