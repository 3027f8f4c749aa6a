/* SPDX-License-Identifier: MIT */
/*
 * record: run a program under ptrace and write everything nondeterministic
 * it observes into a trace (see trace.h): syscall results and the memory
 * the kernel wrote, signals, rdtsc results, and the address space after
 * each exec (file mappings are saved into the trace). The vDSO is patched
 * so its time functions make real syscalls; rdtsc traps (PR_SET_TSC).
 * Tracer and tracee are pinned to one CPU.
 *
 * rec_run() is a top loop: it reports its own errors on stderr (one line)
 * and returns -1 for them; otherwise 0 with the program's wait status.
 */
#ifndef REWIND_RECORD_RECORD_H
#define REWIND_RECORD_RECORD_H

#include "base/base.h"

/* The page rewind maps into every recorded address space (syscall instruction, scratch). */
#define REWIND_PAGE_ADDR 0x70000000ull
#define REWIND_PAGE_SIZE 4096ull
#define REWIND_PAGE_SYSCALL (REWIND_PAGE_ADDR + 0)
#define REWIND_PAGE_SCRATCH (REWIND_PAGE_ADDR + 0x100)
/*
 * The scratch pool mapped with it (private, anonymous, writable): one
 * slot per thread, where the recorder redirects reads into shared memory.
 * Neither the trace's mappings nor state digests include it.
 */
#define REWIND_POOL_ADDR 0x70100000ull
#define REWIND_POOL_SLOT (1ull << 20)
#define REWIND_POOL_SIZE (64 * REWIND_POOL_SLOT)

struct rec_opts {
	const char *trace_dir; /* created by the writer; must not exist */
	const char *exe;       /* absolute path of the program */
	char **argv;
	char **envp;
	bool wait_all;        /* -w: until every process exits, not only the initial one */
	uint64_t slice_us;    /* preempt a thread computing this long while another can run
	                       * (0: the default, 50 ms) */
	bool chaos;           /* randomized slices and choices of the next thread */
};

struct rec_result {
	int wait_status;    /* valid when the program ended */
	bool ended;
	uint64_t events;
	uint64_t trace_bytes;
};

int rec_run(const struct rec_opts *o, struct rec_result *ret);

/*
 * Shared with replay: map the rewind page and the scratch pool into a task
 * stopped after an exec. *ret_pool (if ret_pool): whether the pool could be
 * mapped (its range may be taken); the page must be.
 */
struct task;
int rec_map_rewind_page(struct task *t, bool *ret_pool);
/*
 * Shared with replay: the two fds a pipe/pipe2/socketpair event wrote (its
 * recorded outputs), in fds; NULL for another event or if not recorded.
 */
struct trace_event;
const int *rec_new_fd_pair(const struct trace_event *ev, int fds[2]);
/*
 * Shared with replay: the memory a syscall blocked since its entry (entry:
 * registers there) may still write (sc_inflight_outputs), in *ret (xmalloc'd,
 * NULL when none) and *n. A state point's digest leaves these out in the
 * other threads of the address space: the kernel writes them while those run
 * at record time, at the syscall's exit event at replay. Read through t.
 */
struct sc_desc;
struct task_range;
struct user_regs_struct;
void rec_inflight_ranges(struct task *t, const struct sc_desc *d,
			 const struct user_regs_struct *entry, struct task_range **ret, size_t *n);
/* Patch the vDSO of the task so its functions make syscalls. */
int rec_patch_vdso(struct task *t, uint64_t start, uint64_t end);

#endif /* REWIND_RECORD_RECORD_H */
