/* SPDX-License-Identifier: MIT */
/* record: private to the module. */
#ifndef REWIND_RECORD_RECORD_INT_H
#define REWIND_RECORD_RECORD_INT_H

#include "base/buf.h"
#include "record/record.h"
#include "syscalls/syscalls.h"
#include "task/task.h"
#include "trace/trace.h"

/* An address space (shared by CLONE_VM clones): which slots of its scratch pool are taken. */
struct rec_mm {
	int refs;      /* the live tasks in it */
	bool pool;     /* rec_map_rewind_page() could map the pool */
	bool shared_file; /* it has had a read-only shared mapping of a file (mprotect checks) */
	uint64_t used; /* bit i: slot i belongs to a task */
};

/* Data a redirected call reads into the pool, and the program's buffers it goes to. */
struct rec_redirect_data {
	uint64_t at;           /* in the pool, one run (the iovecs' back to back); 0: none */
	struct sc_kiovec *iov; /* the program's buffers (xmalloc'd) */
	size_t niov;
};

/* One message of a redirected recvmsg or recvmmsg. */
struct rec_redirect_msg {
	struct sc_kmsghdr orig; /* the program's msghdr, as read at the entry */
	struct rec_redirect_data data;
};

/*
 * A syscall redirected to its task's slot of the scratch pool
 * (scratch_redirect): what scratch_copy_back() needs at its exit stop.
 */
struct rec_redirect {
	bool on;       /* the call's arguments point into the pool (the program's: entry_regs) */
	struct rec_redirect_data data; /* read, pread64, recvfrom, the readv family */
	uint64_t msg;  /* recvmsg: the pool's copy of the msghdr, recvmmsg: of the mmsghdr
	                * array; 0: another call */
	struct rec_redirect_msg *msgs; /* then: one a message (xmalloc'd) */
	size_t nmsg;
	uint64_t name, namelen; /* recvfrom: the pool's address buffer (r8) and its length
	                         * (r9); 0: no address */
	uint64_t timeout; /* recvmmsg: the pool's copy of the timeout (r8); 0: none */
	uint64_t borrowed; /* slots of the pool taken for the call besides the task's own
	                    * (bits of its rec_mm's used), for one too long for a slot */
};

/* A file descriptor table (shared by CLONE_FILES clones): which fds are stdout/stderr. */
struct rec_files {
	int refs;
	struct sc_stdio stdio;
};

enum rt_state {
	RT_STOPPED,  /* in a ptrace stop that is handled: resuming it is next */
	RT_NEW_STOP, /* in a ptrace stop not yet handled */
	RT_USER,     /* resumed into user code (only the current task) */
	RT_KERNEL,   /* resumed inside a syscall (or exec/exit): perhaps blocked there */
	RT_DEAD,
};

/* One recorded thread. */
struct rtask {
	struct task t;
	pid_t tgid;
	struct rec_files *files;
	enum rt_state state;
	bool new_child;     /* auto-attached: its first stop (a SIGSTOP) is ours */
	bool sigstop_sent;  /* we sent it a SIGSTOP to preempt it */

	/* The syscall between its entry and exit stops. */
	const struct sc_desc *sc;
	struct user_regs_struct entry_regs;
	bool forced;
	int64_t forced_ret;
	bool entered;       /* an EV_ENTER or EV_CLONE announced it: its event has EVF_ENTERED */
	struct task_range *inflight; /* then: what the kernel may write meanwhile */
	size_t ninflight;
	struct rec_mm *mm;  /* its address space */
	int slot;           /* its slot of the scratch pool, -1: none yet */
	struct rec_redirect redirect; /* its syscall's buffers, redirected to the slot */

	/* Registers at the last syscall boundary; a signal that finds the same ones is there. */
	struct user_regs_struct boundary_regs;
	bool boundary_valid;

	int deliver_sig;    /* passed with the next resume */
	bool frame_next;    /* deliver it with a single step and record the handler's frame */
};

struct recorder {
	const struct rec_opts *o;
	struct trace_writer *w;
	uint64_t num; /* number of the last event written */
	struct trace_event ev;

	struct rtask **tasks;
	size_t ntasks, tasks_alloc;
	size_t nlive;
	struct rtask *cur;      /* the task whose stops are handled, or which runs user code */
	pid_t first_tgid;       /* the initial process */
	uint64_t slice_end_ns;  /* preempt the current task after this, if another can run */
	uint64_t last_write_ns; /* when the last event was written (flush after 100 ms idle) */
	bool want_switch;       /* sched_yield or a preemption: run another task next */
	bool ended;
	int end_status;
	uint64_t rng;           /* --chaos */

	/* Outputs of the current event. */
	struct trace_mem *mem;
	size_t nmem, mem_alloc;
	struct buf membuf;
	size_t *mem_off;
	size_t mem_off_alloc;
	struct trace_map *maps;
	size_t nmaps, maps_alloc;
	struct buf mapbuf;
	size_t *map_off;
	size_t map_off_alloc;
	char **map_strs;
	size_t nmap_strs, map_strs_alloc;
};

/* record.c: a signal the instruction itself raised (a fault), not a sent one. */
bool rec_is_fault(const siginfo_t *si);

/* mm.c */
int rec_snapshot_exec(struct recorder *r);
/*
 * After a successful mprotect adding PROT_WRITE to [addr, addr+len): -ENOTSUP
 * (*ret_what says why) if a shared mapping of a file now lies there writable.
 */
int rec_check_mprotect(struct recorder *r, uint64_t addr, uint64_t len, const char **ret_what);
int rec_mmap_file(struct recorder *r, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		  int fd, uint64_t offset, const char **ret_what);
void rec_maps_reset(struct recorder *r);
void rec_maps_finish(struct recorder *r);

/* points.c: move a state-identified signal point to an instruction a trap can find. */
int rec_settle_point(struct recorder *r, struct user_regs_struct **regs);

#endif /* REWIND_RECORD_RECORD_INT_H */
