/* SPDX-License-Identifier: MIT */
/*
 * trap: in-tracee conditional traps. The instruction at an address is
 * replaced by a 5-byte `jmp rel32` to a trampoline that rewind writes into
 * pages it maps into the tracee; the trampoline compares the live registers
 * (and simple memory operands) with a condition and executes `int3` only
 * when it holds. Otherwise it runs a relocated copy of the instruction and
 * jumps back, at native speed: a hot loop no longer costs one ptrace stop
 * per execution of the instruction (DESIGN.md, "Time without a PMU").
 *
 * Contract:
 * - All actions return 0 or -errno. -ENOTSUP means "no trap here": the
 *   instruction is shorter than 5 bytes, cannot be relocated (RIP-relative
 *   target out of range, a system instruction...), the condition has a term
 *   the trampoline cannot evaluate, no trampoline page fits within +-2 GiB,
 *   or traps are off (REWIND_TRAPS=0). Callers then fall back to a hardware
 *   or int3 breakpoint. -ESRCH: the tracee vanished.
 * - Only a single instruction of at least 5 bytes is patched, so no other
 *   instruction starts inside the patched bytes and no branch lands in them.
 * - The trampoline writes no memory of the program (not even below rsp): it
 *   saves rax and the arithmetic flags in a private data page of its own,
 *   which is safe because one tracee thread runs user code at a time.
 * - At a trap stop every register equals the state at the target address,
 *   except rip (inside the trampoline). trap_hit() recognizes the stop and
 *   names the target; resuming from the stop as it is (rip untouched) runs
 *   the instruction once and goes on, as if no trap existed.
 * - The pages are private anonymous mappings (a fork()ed checkpoint copies
 *   them) placed where the program does not allocate: just below the
 *   executable for its code, just above the highest mapping below the stack
 *   for library code. trap_ranges() lists them so that the state digest
 *   leaves them out and the replayer can notice a recorded mmap that would
 *   overlap them (then trap_detach() first).
 * - Before a checkpoint (fork) or when the address space changes behind the
 *   set's back, trap_detach(): original bytes back, pages unmapped, traps
 *   remembered as not inserted; trap_attach() puts them back.
 * - A set belongs to one address space; it never prints.
 */
#ifndef REWIND_TRAP_TRAP_H
#define REWIND_TRAP_TRAP_H

#include <sys/user.h>

#include "base/base.h"
#include "task/task.h"

/* The shortest instruction that can be patched: a jmp rel32. */
#define TRAP_MIN_INSN 5
#define TRAP_MAX_NODES 40
/* At most this many addresses for trap_insert_point() to keep out of its copy. */
#define TRAP_MAX_AVOID 16

enum trap_op {
	TRAP_EQ,
	TRAP_NE,
	TRAP_LT,  /* signed */
	TRAP_LE,
	TRAP_GT,
	TRAP_GE,
	TRAP_LTU, /* unsigned */
	TRAP_LEU,
	TRAP_GTU,
	TRAP_GEU,
	TRAP_OP__COUNT
};

enum trap_node_kind {
	TRAP_TERM,
	TRAP_AND, /* the two nodes before it, postfix */
	TRAP_OR,
	TRAP_NODE__COUNT
};

/* A base "register" for memory terms whose address is the constant disp. */
#define TRAP_REG_NONE 0xff

/*
 * One node of a condition in postfix order. A term compares a value with
 * a 64-bit constant: the value is register reg (a user_regs_struct index:
 * the general registers r15..rdi, rsp, and eflags for its arithmetic flags,
 * EQ/NE only), or with mem the size bytes at reg + disp; either taken as its
 * low size bytes and sign- (sext) or zero-extended to 64 bits.
 */
struct trap_node {
	enum trap_node_kind kind;
	enum trap_op op;
	uint8_t reg;
	bool mem;
	uint8_t size; /* 1, 2, 4 or 8 */
	bool sext;
	int64_t disp; /* mem: fits in 32 bits unless reg is TRAP_REG_NONE */
	uint64_t value;
};

/* A condition: nodes in postfix order; n == 0 is "always". */
struct trap_cond {
	unsigned n;
	struct trap_node node[TRAP_MAX_NODES];
};

/* Append a term (reg op value on 64-bit registers). Returns false when full. */
bool trap_cond_reg(struct trap_cond *c, unsigned reg, enum trap_op op, uint64_t value);
bool trap_cond_push(struct trap_cond *c, const struct trap_node *n);
/*
 * The condition "every register the trampoline sees equals want": the
 * general registers, rsp and the arithmetic flags (not rip: implied by the
 * address; not orig_rax or the segment registers). now (may be NULL): the
 * registers at insertion; those that differ from want are compared first.
 */
void trap_cond_regs(struct trap_cond *c, const struct user_regs_struct *want,
		    const struct user_regs_struct *now);
/* Evaluate c on regs with memory from read (1, 2, 4, 8 bytes); -EFAULT if a read fails. */
int trap_cond_eval(const struct trap_cond *c, const struct user_regs_struct *regs,
		   int (*read)(void *arg, uint64_t addr, void *dst, size_t len), void *arg,
		   bool *ret);

/* Traps are on unless the environment says REWIND_TRAPS=0. */
bool trap_enabled(void);

enum trap_insn_class {
	TRAP_INSN_PATCHABLE, /* at least 5 bytes and relocatable */
	TRAP_INSN_SHORT,     /* an ordinary instruction we will not patch */
	TRAP_INSN_BARRIER,   /* syscall, sysenter, int n, int3, rdtsc(p), cpuid, pushf...: never step it */
	TRAP_INSN_BAD,       /* does not decode */
	TRAP_INSN_REP,       /* a rep-prefixed string instruction (rep movsb...): a stop may fall
	                      * between two of its iterations, where no breakpoint stops again */
	TRAP_INSN__COUNT
};
/* Classify the instruction at the start of code[0..len) (len up to 15 is enough). */
enum trap_insn_class trap_classify(const uint8_t *code, size_t len, size_t *ret_len);
/* The instruction at addr in the task can carry a trap (reads its bytes). */
bool trap_patchable(struct task *t, uint64_t addr);

struct trap_set;
struct trap_set *trap_set_new(void);
/* Frees the bookkeeping only; trap_detach() first to clean the tracee. NULL is fine. */
void trap_set_free(struct trap_set *s);

/*
 * Patch a trap at addr with condition cond (copied) into the stopped task.
 * *ret_id names it. 0, -ENOTSUP (see above), -EEXIST (a trap is there),
 * -errno. The task must be in a stop from which remote syscalls can run
 * when a page must be mapped (task_remote_syscall()).
 */
int trap_insert(struct trap_set *s, struct task *t, uint64_t addr, const struct trap_cond *cond,
		int *ret_id);
/*
 * The same for a state point (cond from trap_cond_regs()), found on the
 * fastest path the code allows:
 * - The instructions after addr, up to and including a jcc or jmp (at most
 *   8), also run from a copy in the trampoline, so a loop through addr
 *   takes one extra jump per pass instead of two. The copy stops before an
 *   address in avoid[0..navoid) (breakpoints that must still be hit),
 *   before any other trap, and it is not made at all from a writable
 *   mapping (code the program could rewrite) or when navoid exceeds
 *   TRAP_MAX_AVOID.
 * - When the arithmetic flags are dead at addr (written by the copied
 *   instructions before anything reads them), the first test is a plain
 *   `cmp` that clobbers them; at a match, trap_hit() reports the flags the
 *   condition wants, which is exact since nothing reads the ones the
 *   program had. Until the copy rewrites the flags, trap_locate() has no
 *   honest value for them and returns false (trap_step_out()).
 * Pass no_dead_flags when a stop may land inside the copy for another
 * reason than a trap hit (a watchpoint).
 */
int trap_insert_point(struct trap_set *s, struct task *t, uint64_t addr,
		      const struct trap_cond *cond, const uint64_t *avoid, size_t navoid,
		      bool no_dead_flags, int *ret_id);
/* Put the original bytes back and free the trap. Unknown ids are ignored. */
int trap_remove(struct trap_set *s, struct task *t, int id);
/* The trap at addr, or -1. */
int trap_find(const struct trap_set *s, uint64_t addr);
enum trap_hit_kind {
	TRAP_HIT_NONE,
	TRAP_HIT,            /* the int3: the condition holds */
	TRAP_HIT_FAULT,      /* a memory term faulted: count it as true, evaluate it yourself */
	TRAP_HIT_INSN_FAULT, /* the relocated instruction faulted: the program's own fault */
	TRAP_HIT__COUNT
};
/*
 * Is this stop (signal sig, registers *regs) a trap's? A SIGTRAP with rip
 * just after a trampoline's int3, or a SIGSEGV/SIGBUS with rip inside a
 * trampoline. Unless TRAP_HIT_NONE, *regs is corrected to the program's
 * state at the trapped instruction (rip = its address, rax and the flags
 * from the save area where the trampoline had them) and *ret_id names the
 * trap. The task's registers are not written: the caller decides.
 */
enum trap_hit_kind trap_hit(struct trap_set *s, struct task *t, int sig,
			    struct user_regs_struct *regs, int *ret_id);
/*
 * For any stop with rip inside a trampoline (an interrupt, a watchpoint):
 * correct *regs to the program's state (rip at the trapped instruction, or
 * just after it once it ran). False when rip is not in a trampoline or is
 * in the middle of a rewritten call or branch.
 */
bool trap_locate(struct trap_set *s, struct task *t, struct user_regs_struct *regs);
/*
 * A stopped task whose rip is in a trampoline where trap_locate() fails
 * (flags clobbered, a rewritten branch): single-step it (at most 64 steps,
 * no signal) until it can be located, then *regs as trap_locate() gives it
 * (the task's registers are not written). 0, -ENOENT (not in a trampoline,
 * or still not located), -EINTR (another stop came: t->stop says which),
 * -errno.
 */
int trap_step_out(struct trap_set *s, struct task *t, struct user_regs_struct *regs);
/*
 * Where to resume to execute the trapped instruction once and go on with
 * the trap in place: its relocated copy (registers must be the target's).
 */
uint64_t trap_continue_addr(const struct trap_set *s, int id);
/* Overwrite the patched bytes inside [addr, addr+len) of buf with the original ones. */
void trap_hide(const struct trap_set *s, uint64_t addr, void *buf, size_t len);
/* The trampoline pages mapped in the tracee: *ret_n ranges, borrowed until the next call. */
const struct task_range *trap_ranges(const struct trap_set *s, size_t *ret_n);
/* Does [start, end) overlap a trampoline page or a patched instruction? */
bool trap_overlaps(const struct trap_set *s, uint64_t start, uint64_t end);
/* How many traps are inserted. */
size_t trap_count(const struct trap_set *s);
/*
 * Original bytes back, pages unmapped (remote munmap), traps kept as not
 * inserted. With forget, the traps are dropped too (exec: a new program).
 */
int trap_detach(struct trap_set *s, struct task *t, bool forget);
/* Re-insert the traps trap_detach() kept; those that no longer fit are dropped. */
int trap_attach(struct trap_set *s, struct task *t);
/*
 * After the address space changed (munmap, mmap over code): forget traps
 * whose jmp is gone and pages that vanished (their traps with them).
 */
void trap_recheck(struct trap_set *s, struct task *t);

#endif /* REWIND_TRAP_TRAP_H */
