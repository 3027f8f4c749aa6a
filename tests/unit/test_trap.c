// SPDX-License-Identifier: MIT
/*
 * Unit tests for in-tracee conditional traps (src/trap/). The tracee is a
 * fork of this test binary running trap_loop, a loop written in assembly
 * so that the patched instructions are known: a 10-byte movabs, a
 * RIP-relative add, a call rel32, a jcc rel32 and a 3-byte inc. The child
 * stops itself (SIGSTOP) before and after the loop; the parent patches
 * traps in between and checks where they stop and that the loop's result
 * is the one it computes itself without traps.
 */
#include "harness.h" /* before project headers: base/banned.h renames libc functions */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trap/trap.h"

/*
 * trap_loop(n, buf): for i in 0..n-1: buf[0] = i; r8 = const; rax += r8;
 * counter += i (RIP-relative); rbx += the return address trap_leaf sees;
 * i++. Returns rax + rbx + counter. The other registers start at 0, so two
 * runs pass through the same states.
 */
/* Callee-saved registers saved and zeroed (runs then pass through equal states), and back. */
#define SAVE_CLEAR                                                                          \
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n" \
	"	xor %ebx, %ebx\n	xor %ebp, %ebp\n	xor %r12d, %r12d\n"                    \
	"	xor %r13d, %r13d\n	xor %r14d, %r14d\n	xor %r15d, %r15d\n"
#define RESTORE_RET \
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n	ret\n"

__asm__(".text\n"
	".globl trap_loop\n.hidden trap_loop\n"
	"trap_loop:\n"
	SAVE_CLEAR
	"	xor %r9d, %r9d\n"
	"	xor %r10d, %r10d\n"
	"	xor %r11d, %r11d\n"
	"	xor %eax, %eax\n"
	"	xor %ecx, %ecx\n"
	"	movq $0, trap_counter(%rip)\n"
	"trap_loop_top:\n"
	"	mov %rcx, (%rsi)\n"
	".globl trap_at_movabs\n.hidden trap_at_movabs\n"
	"trap_at_movabs:\n"
	"	movabs $0x1122334455667788, %r8\n"
	"	add %r8, %rax\n"
	".globl trap_at_riprel\n.hidden trap_at_riprel\n"
	"trap_at_riprel:\n"
	"	addq %rcx, trap_counter(%rip)\n"
	".globl trap_at_call\n.hidden trap_at_call\n"
	"trap_at_call:\n"
	"	call trap_leaf\n"
	".globl trap_at_short\n.hidden trap_at_short\n"
	"trap_at_short:\n"
	"	inc %rcx\n"
	"	cmp %rdi, %rcx\n"
	".globl trap_at_jcc\n.hidden trap_at_jcc\n"
	"trap_at_jcc:\n"
	"	{disp32} jne trap_loop_top\n"
	"	add %rbx, %rax\n"
	"	add trap_counter(%rip), %rax\n"
	RESTORE_RET
	"trap_leaf:\n"
	"	mov (%rsp), %rdx\n"
	"	add %rdx, %rbx\n"
	"	ret\n"
	".data\n"
	".globl trap_counter\n.hidden trap_counter\n"
	"trap_counter: .quad 0\n"
	".text\n"
	/* trap_spin(n): a spin-wait's shape; the flags are dead at trap_at_spin. */
	".globl trap_spin\n.hidden trap_spin\n"
	"trap_spin:\n"
	SAVE_CLEAR
	"	xor %ecx, %ecx\n"
	"	xor %r8d, %r8d\n"
	"	xor %r9d, %r9d\n"
	"	xor %r10d, %r10d\n"
	"	xor %r11d, %r11d\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	"trap_spin_top:\n"
	"	add $1, %rax\n"
	".globl trap_at_spin\n.hidden trap_at_spin\n"
	"trap_at_spin:\n"
	"	mov trap_counter(%rip), %rdx\n"
	"	cmp %rdi, %rax\n"
	"	jne trap_spin_top\n"
	RESTORE_RET
	/* trap_spin2(n): the same, but the back edge goes to the trapped instruction. */
	".globl trap_spin2\n.hidden trap_spin2\n"
	"trap_spin2:\n"
	SAVE_CLEAR
	"	xor %ecx, %ecx\n"
	"	xor %r8d, %r8d\n"
	"	xor %r9d, %r9d\n"
	"	xor %r10d, %r10d\n"
	"	xor %r11d, %r11d\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	".globl trap_at_spin2\n.hidden trap_at_spin2\n"
	"trap_at_spin2:\n"
	"	{disp32} lea 1(%rax), %rax\n" /* 7 bytes, no flags */
	"	add trap_counter(%rip), %rdx\n"
	"	cmp %rdi, %rax\n"
	"	jne trap_at_spin2\n"
	"	mov %rdx, %rax\n"
	RESTORE_RET);

uint64_t trap_loop(uint64_t n, uint64_t *buf);
uint64_t trap_spin(uint64_t n, uint64_t *buf);
uint64_t trap_spin2(uint64_t n, uint64_t *buf);
extern char trap_at_spin[], trap_at_spin2[];
/* What the child runs between its two SIGSTOPs. */
static uint64_t (*child_loop)(uint64_t, uint64_t *) = trap_loop;
extern char trap_at_movabs[], trap_at_riprel[], trap_at_call[], trap_at_short[], trap_at_jcc[];

#define N 200000
#define RCX 11
#define R8 9
#define RSP 19

static uint64_t child_result;
static uint64_t child_buf[2];

static void child(uint64_t n)
{
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		_exit(99);
	raise(SIGSTOP);
	child_result = child_loop(n, child_buf);
	raise(SIGSTOP);
	_exit(0);
}

/* A child stopped before its loop. */
static void start(struct task *t, uint64_t n)
{
	pid_t pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		child(n);
	task_init(t, pid);
	ASSERT_EQ(task_wait(t), 0);
	ASSERT_EQ(t->stop, TS_SIGNAL);
	ASSERT_EQ(t->sig, SIGSTOP);
	ASSERT_EQ(ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL), 0);
}

/* Resume (suppressing the stop's signal) and wait for the next stop. */
static void cont(struct task *t)
{
	ASSERT_EQ(task_step(t, TR_CONT, 0), 0);
	ASSERT_EQ(t->stop, TS_SIGNAL);
}

/* Run to the final SIGSTOP and check the loop's result against our own run. */
static void finish(struct task *t, uint64_t n)
{
	uint64_t buf[2], want = child_loop(n, buf), got = 0;
	for (;;) {
		cont(t);
		if (t->sig == SIGSTOP)
			break;
		ASSERT_EQ(t->sig, 0); /* unexpected stop */
	}
	ASSERT_EQ(task_read(t, (uint64_t)&child_result, &got, sizeof(got)), 0);
	EXPECT_EQ(got, want);
	task_kill(t);
	task_release(t);
}

static uint64_t reg(struct task *t, unsigned i)
{
	struct user_regs_struct *r;
	if (task_regs(t, &r))
		return (uint64_t)-1;
	return *task_reg_ptr(r, i);
}

/* Continue to the next trap stop and return the corrected registers. */
static int next_hit(struct trap_set *s, struct task *t, struct user_regs_struct *out,
		    bool *faulted)
{
	struct user_regs_struct *r;
	int id = -1;
	cont(t);
	if (t->sig == SIGSTOP)
		return -1; /* the end of the loop */
	if (task_regs(t, &r))
		return -2;
	*out = *r;
	enum trap_hit_kind k = trap_hit(s, t, t->sig, out, &id);
	if (k == TRAP_HIT_NONE)
		return -3;
	*faulted = k != TRAP_HIT;
	return id;
}

TEST(register_condition_stops_at_the_matching_iteration)
{
	struct trap_set *s = trap_set_new();
	struct trap_cond c = { 0 };
	struct user_regs_struct regs;
	struct task t;
	bool faulted;
	int id;

	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	start(&t, N);
	ASSERT_TRUE(trap_cond_reg(&c, RCX, TRAP_EQ, 99999));
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_movabs, &c, &id), 0);
	ASSERT_EQ(trap_count(s), 1u);
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), id);
	EXPECT_FALSE(faulted);
	EXPECT_EQ(regs.rip, (uint64_t)trap_at_movabs);
	EXPECT_EQ(regs.rcx, 99999u);
	/* At the stop, every register but rip is the program's. */
	EXPECT_EQ(reg(&t, RCX), 99999u);
	EXPECT_NE(reg(&t, 16), (uint64_t)trap_at_movabs);
	/* Resuming from the stop as it is runs on: no other iteration matches. */
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), -1);
	ASSERT_EQ(task_read(&t, (uint64_t)&child_result, &regs.rax, 8), 0);
	ASSERT_EQ(trap_detach(s, &t, true), 0);
	uint64_t buf[2];
	EXPECT_EQ(regs.rax, trap_loop(N, buf));
	task_kill(&t);
	task_release(&t);
	trap_set_free(s);
}

TEST(full_register_state_and_flags)
{
	struct trap_set *s = trap_set_new();
	struct trap_cond c;
	struct user_regs_struct regs, want;
	struct task t;
	bool faulted;
	int id;

	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	/* Learn the state at iteration 1234 with a plain trap (no condition) on rcx. */
	start(&t, N);
	c = (struct trap_cond){ 0 };
	ASSERT_TRUE(trap_cond_reg(&c, RCX, TRAP_EQ, 1234));
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_riprel, &c, &id), 0);
	ASSERT_EQ(next_hit(s, &t, &want, &faulted), id);
	ASSERT_EQ(trap_detach(s, &t, true), 0);
	task_kill(&t);
	task_release(&t);
	/* A fresh run: the trap on all registers stops there and only there. */
	start(&t, N);
	trap_cond_regs(&c, &want, NULL);
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_riprel, &c, &id), 0);
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), id);
	EXPECT_EQ(regs.rcx, 1234u);
	EXPECT_EQ(regs.rax, want.rax);
	EXPECT_EQ(regs.eflags & 0x8d5, want.eflags & 0x8d5);
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), -1);
	task_kill(&t);
	task_release(&t);
	trap_set_free(s);
}

/*
 * A condition led by one register equal to a constant gets the flag-free
 * test first (lea + jrcxz). rbp and r13 need another lea encoding (a disp8)
 * and r13 a REX.B: r13 == 0 && rcx == 777 stops at iteration 777 whichever
 * register leads, and r13 == 1 or rbp == 1 never stops.
 */
TEST(flag_free_first_test_with_rbp_and_r13)
{
	static const unsigned lead[] = { 2 /* r13 */, 4 /* rbp */, 9 /* r8 */ };
	struct trap_set *s = trap_set_new();
	struct user_regs_struct regs;
	struct task t;
	bool faulted;
	int id;

	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	for (size_t k = 0; k < ARRAY_SIZE(lead); k++) {
		struct trap_cond c = { 0 }, never = { 0 };
		/* r13 and rbp stay 0; r8 holds the movabs constant after it. */
		uint64_t v = lead[k] == 9 ? 0x1122334455667788ull : 0;
		start(&t, N);
		ASSERT_TRUE(trap_cond_reg(&c, (uint8_t)lead[k], TRAP_EQ, v));
		ASSERT_TRUE(trap_cond_reg(&c, RCX, TRAP_EQ, 777));
		ASSERT_TRUE(trap_cond_push(&c, &(struct trap_node){ .kind = TRAP_AND }));
		ASSERT_TRUE(trap_cond_reg(&never, (uint8_t)lead[k], TRAP_EQ, v + 1));
		ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_riprel, &c, &id), 0);
		ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_call, &never, &id), 0);
		ASSERT_EQ(next_hit(s, &t, &regs, &faulted), 0);
		EXPECT_FALSE(faulted);
		EXPECT_EQ(regs.rcx, 777u);
		EXPECT_EQ(regs.rip, (uint64_t)trap_at_riprel);
		ASSERT_EQ(trap_detach(s, &t, true), 0);
		task_kill(&t);
		task_release(&t);
		trap_set_free(s);
		s = trap_set_new();
	}
	trap_set_free(s);
}

TEST(non_matching_traps_leave_the_results_alone)
{
	struct trap_set *s = trap_set_new();
	struct trap_cond never = { 0 };
	struct task t;
	int id;

	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	start(&t, N);
	ASSERT_TRUE(trap_cond_reg(&never, RCX, TRAP_GTU, 1ull << 40));
	/* movabs, RIP-relative add, call rel32, jcc rel32: all relocated. */
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_movabs, &never, &id), 0);
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_riprel, &never, &id), 0);
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_call, &never, &id), 0);
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_jcc, &never, &id), 0);
	EXPECT_EQ(trap_count(s), 4u);
	finish(&t, N);
	trap_set_free(s);
}

TEST(memory_reads_show_the_original_bytes)
{
	struct trap_set *s = trap_set_new();
	struct trap_cond c = { 0 };
	uint8_t raw[32], shown[32];
	struct task t;
	int id;

	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	start(&t, N);
	ASSERT_TRUE(trap_cond_reg(&c, RCX, TRAP_EQ, N + 5));
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_riprel, &c, &id), 0);
	ASSERT_EQ(task_read(&t, (uint64_t)trap_at_movabs, raw, sizeof(raw)), 0);
	EXPECT_NE(memcmp(raw, trap_at_movabs, sizeof(raw)), 0);
	memcpy(shown, raw, sizeof(shown));
	trap_hide(s, (uint64_t)trap_at_movabs, shown, sizeof(shown));
	EXPECT_EQ(memcmp(shown, trap_at_movabs, sizeof(shown)), 0);
	/* A read that starts inside the patched bytes. */
	ASSERT_EQ(task_read(&t, (uint64_t)trap_at_riprel + 2, raw, 8), 0);
	trap_hide(s, (uint64_t)trap_at_riprel + 2, raw, 8);
	EXPECT_EQ(memcmp(raw, trap_at_riprel + 2, 8), 0);
	EXPECT_TRUE(trap_overlaps(s, (uint64_t)trap_at_riprel + 4, (uint64_t)trap_at_riprel + 5));
	EXPECT_FALSE(trap_overlaps(s, (uint64_t)trap_at_movabs, (uint64_t)trap_at_movabs + 4));
	finish(&t, N);
	trap_set_free(s);
}

TEST(short_instructions_and_barriers_are_refused)
{
	struct trap_set *s = trap_set_new();
	struct trap_cond c = { 0 };
	static const uint8_t syscall_insn[] = { 0x0f, 0x05 }, rdtsc[] = { 0x0f, 0x31 },
			     movabs[] = { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 },
			     leaq_rip[] = { 0x48, 0x8d, 0x05, 0x10, 0, 0, 0 },
			     xbegin[] = { 0xc7, 0xf8, 0, 0, 0, 0 };
	struct task t;
	size_t len;
	int id;

	EXPECT_EQ(trap_classify(syscall_insn, 2, &len), TRAP_INSN_BARRIER);
	EXPECT_EQ(trap_classify(rdtsc, 2, &len), TRAP_INSN_BARRIER);
	EXPECT_EQ(trap_classify(movabs, sizeof(movabs), &len), TRAP_INSN_PATCHABLE);
	EXPECT_EQ(len, 10u);
	EXPECT_EQ(trap_classify(leaq_rip, sizeof(leaq_rip), &len), TRAP_INSN_PATCHABLE);
	EXPECT_EQ(trap_classify(xbegin, sizeof(xbegin), &len), TRAP_INSN_SHORT);
	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	start(&t, 10);
	EXPECT_FALSE(trap_patchable(&t, (uint64_t)trap_at_short));
	EXPECT_TRUE(trap_patchable(&t, (uint64_t)trap_at_movabs));
	ASSERT_TRUE(trap_cond_reg(&c, RCX, TRAP_EQ, 5));
	EXPECT_EQ(trap_insert(s, &t, (uint64_t)trap_at_short, &c, &id), -ENOTSUP);
	/* rip is not a register a condition can name. */
	struct trap_cond bad = { 0 };
	ASSERT_TRUE(trap_cond_reg(&bad, 16, TRAP_EQ, 5));
	EXPECT_EQ(trap_insert(s, &t, (uint64_t)trap_at_movabs, &bad, &id), -ENOTSUP);
	EXPECT_EQ(trap_count(s), 0u);
	finish(&t, 10);
	trap_set_free(s);
}

TEST(memory_condition_and_or)
{
	struct trap_set *s = trap_set_new();
	struct trap_cond c = { 0 };
	struct user_regs_struct regs;
	struct task t;
	bool faulted;
	int id;

	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	start(&t, N);
	/* (rcx > 10 && (int)buf[0] == 20) || rcx == 7, buf[0] = rcx written just before. */
	ASSERT_TRUE(trap_cond_reg(&c, RCX, TRAP_GT, 10));
	ASSERT_TRUE(trap_cond_push(&c, &(struct trap_node){ .kind = TRAP_TERM, .op = TRAP_EQ,
							     .reg = 13 /* rsi */, .mem = true,
							     .size = 4, .sext = true, .value = 20 }));
	ASSERT_TRUE(trap_cond_push(&c, &(struct trap_node){ .kind = TRAP_AND }));
	ASSERT_TRUE(trap_cond_reg(&c, RCX, TRAP_EQ, 7));
	ASSERT_TRUE(trap_cond_push(&c, &(struct trap_node){ .kind = TRAP_OR }));
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_movabs, &c, &id), 0);
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), id);
	EXPECT_EQ(regs.rcx, 7u);
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), id);
	EXPECT_EQ(regs.rcx, 20u);
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), -1);
	task_kill(&t);
	task_release(&t);
	trap_set_free(s);
}

TEST(faulting_memory_term_counts_as_a_hit)
{
	struct trap_set *s = trap_set_new();
	struct trap_cond c = { 0 };
	struct user_regs_struct regs, *r;
	struct task t;
	bool faulted = false;
	int id;

	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	start(&t, N);
	/* [rdi] with rdi = N: an unmapped page. */
	ASSERT_TRUE(trap_cond_push(&c, &(struct trap_node){ .kind = TRAP_TERM, .op = TRAP_EQ,
							     .reg = 14 /* rdi */, .mem = true,
							     .size = 8, .value = 1 }));
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_riprel, &c, &id), 0);
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), id);
	EXPECT_TRUE(faulted);
	EXPECT_EQ(regs.rip, (uint64_t)trap_at_riprel);
	EXPECT_EQ(regs.rcx, 0u);
	EXPECT_EQ(regs.rax, 0x1122334455667788u); /* restored from the save area */
	/* Go on from the relocated instruction with the program's registers. */
	ASSERT_EQ(task_regs(&t, &r), 0);
	regs.rip = trap_continue_addr(s, id);
	task_set_regs(&t, &regs);
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), id);
	EXPECT_EQ(regs.rcx, 1u);
	/* Drop the trap and run to the end from the original instruction. */
	regs.rip = (uint64_t)trap_at_riprel;
	task_set_regs(&t, &regs);
	ASSERT_EQ(trap_remove(s, &t, id), 0);
	finish(&t, N);
	trap_set_free(s);
}

TEST(digest_leaves_the_trap_pages_out)
{
	struct trap_set *s = trap_set_new();
	struct trap_cond c = { 0 };
	struct user_regs_struct *r;
	const struct task_range *ranges;
	uint64_t before, with, skipped;
	size_t n;
	struct task t;
	int id;

	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	start(&t, N);
	ASSERT_EQ(task_regs(&t, &r), 0);
	ASSERT_EQ(task_state_digest(&t, r->rsp, &before), 0);
	ASSERT_TRUE(trap_cond_reg(&c, RCX, TRAP_EQ, 5));
	ASSERT_EQ(trap_insert(s, &t, (uint64_t)trap_at_movabs, &c, &id), 0);
	ranges = trap_ranges(s, &n);
	ASSERT_EQ(n, 1u);
	ASSERT_EQ(task_regs(&t, &r), 0);
	ASSERT_EQ(task_state_digest(&t, r->rsp, &with), 0);
	ASSERT_EQ(task_state_digest_skip(&t, r->rsp, ranges, n, &skipped), 0);
	/* (with != before here, unless the 1 MiB cap is reached first, as under ASAN.) */
	EXPECT_EQ(skipped, before);
	/* Detached: the pages are gone and the digest is the program's again. */
	ASSERT_EQ(trap_detach(s, &t, false), 0);
	ASSERT_EQ(task_regs(&t, &r), 0);
	ASSERT_EQ(task_state_digest(&t, r->rsp, &with), 0);
	EXPECT_EQ(with, before);
	ASSERT_EQ(trap_attach(s, &t), 0);
	EXPECT_EQ(trap_count(s), 1u);
	EXPECT_GE(trap_find(s, (uint64_t)trap_at_movabs), 0);
	ASSERT_EQ(trap_detach(s, &t, true), 0);
	finish(&t, N);
	trap_set_free(s);
}

/* A point trap (copy and dead flags) stops once, at the state, with the program's flags. */
static void point_trap_finds(uint64_t (*fn)(uint64_t, uint64_t *), uint64_t addr, bool dead)
{
	struct trap_set *s = trap_set_new();
	struct user_regs_struct want, regs, *now;
	struct trap_cond c;
	struct task t;
	bool faulted;
	int id;

	child_loop = fn;
	/* The state at the 77777th pass, from a first child started the same way. */
	for (int run = 0; run < 2; run++) {
		start(&t, N);
		if (run == 1)
			break;
		c = (struct trap_cond){ 0 };
		ASSERT_TRUE(trap_cond_reg(&c, 10 /* rax */, TRAP_EQ, 77777));
		ASSERT_EQ(trap_insert(s, &t, addr, &c, &id), 0);
		ASSERT_EQ(next_hit(s, &t, &want, &faulted), id);
		ASSERT_EQ(trap_detach(s, &t, true), 0);
		task_kill(&t);
		task_release(&t);
	}
	EXPECT_EQ(want.rax, 77777u);
	ASSERT_EQ(task_regs(&t, &now), 0);
	trap_cond_regs(&c, &want, now);
	ASSERT_EQ(trap_insert_point(s, &t, addr, &c, NULL, 0, !dead, &id), 0);
	ASSERT_EQ(next_hit(s, &t, &regs, &faulted), id);
	EXPECT_FALSE(faulted);
	EXPECT_EQ(regs.rip, addr);
	EXPECT_EQ(regs.rax, want.rax);
	EXPECT_EQ(regs.rdx, want.rdx);
	EXPECT_EQ(regs.eflags & 0x8d5, want.eflags & 0x8d5);
	/* Resume at the program's instruction as the replayer does; the loop ends right. */
	regs.rip = addr;
	task_set_regs(&t, &regs);
	ASSERT_EQ(trap_remove(s, &t, id), 0);
	finish(&t, N);
	child_loop = trap_loop;
	trap_set_free(s);
}

TEST(point_trap_in_a_spin_loop_with_dead_flags)
{
	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	point_trap_finds(trap_spin, (uint64_t)trap_at_spin, true);
	point_trap_finds(trap_spin, (uint64_t)trap_at_spin, false);
}

TEST(point_trap_whose_loop_jumps_back_to_it)
{
	if (!trap_enabled())
		SKIP("REWIND_TRAPS=0");
	point_trap_finds(trap_spin2, (uint64_t)trap_at_spin2, true);
}
