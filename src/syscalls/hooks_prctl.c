/* SPDX-License-Identifier: MIT */
/*
 * hooks_prctl.c: the option-multiplexed process calls prctl, arch_prctl and
 * keyctl. Each knows every option the kernel has and what it writes; a few
 * prctl options change how the tracee executes in ways a replay cannot
 * reproduce by skipping the call (rdtsc trapping, syscall user dispatch,
 * memory-deny-write-execute, the mm layout), so a successful call with one
 * of them is unsupported. A failed call with an option we do not know
 * changed nothing; a successful one is unsupported.
 */
#include <errno.h>
#include <asm/prctl.h>
#include <linux/keyctl.h>
#include <linux/prctl.h>

#include "syscalls/syscalls_int.h"

/* Options newer than the uapi headers of some build hosts. */
#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#define PR_GET_MEMORY_MERGE 68
#endif
#ifndef PR_RISCV_V_SET_CONTROL
#define PR_RISCV_V_SET_CONTROL 69
#define PR_RISCV_V_GET_CONTROL 70
#endif
#ifndef PR_RISCV_SET_ICACHE_FLUSH_CTX
#define PR_RISCV_SET_ICACHE_FLUSH_CTX 71
#endif
#ifndef PR_PPC_GET_DEXCR
#define PR_PPC_GET_DEXCR 72
#define PR_PPC_SET_DEXCR 73
#endif
#ifndef PR_GET_SHADOW_STACK_STATUS
#define PR_GET_SHADOW_STACK_STATUS 74
#define PR_SET_SHADOW_STACK_STATUS 75
#define PR_LOCK_SHADOW_STACK_STATUS 76
#endif
#ifndef PR_TIMER_CREATE_RESTORE_IDS
#define PR_TIMER_CREATE_RESTORE_IDS 77
#endif
#ifndef PR_FUTEX_HASH
#define PR_FUTEX_HASH 78
#endif
#ifndef PR_GET_AUXV
#define PR_GET_AUXV 0x41555856
#endif
#ifndef ARCH_GET_UNTAG_MASK
#define ARCH_GET_UNTAG_MASK 0x4001
#define ARCH_ENABLE_TAGGED_ADDR 0x4002
#define ARCH_GET_MAX_TAG_BITS 0x4003
#define ARCH_FORCE_TAGGED_SVA 0x4004
#endif
#ifndef ARCH_SHSTK_ENABLE
#define ARCH_SHSTK_ENABLE 0x5001
#define ARCH_SHSTK_DISABLE 0x5002
#define ARCH_SHSTK_LOCK 0x5003
#define ARCH_SHSTK_UNLOCK 0x5004
#define ARCH_SHSTK_STATUS 0x5005
#endif
#define SC_TASK_COMM_LEN 16

/* PR_SET_MM: only the size query is supported; the rest rewrites the mm. */
static int prctl_set_mm(struct sc_call *call, const char **ret_what)
{
	if (call->args[1] == PR_SET_MM_MAP_SIZE)
		return sc_report(call, call->args[2], sizeof(uint32_t));
	return sc_unsupported(ret_what, "prctl PR_SET_MM %llu", (unsigned long long)call->args[1]);
}

/* prctl(option, arg2, arg3, arg4, arg5): arguments 1..4 here. */
int sc_hook_prctl(struct sc_call *call, const char **ret_what)
{
	uint64_t option = call->args[0];
	uint64_t arg2 = call->args[1];

	switch (option) {
	case PR_SET_PDEATHSIG:
	case PR_GET_DUMPABLE:
	case PR_SET_DUMPABLE:
	case PR_SET_UNALIGN:
	case PR_GET_KEEPCAPS:
	case PR_SET_KEEPCAPS:
	case PR_SET_FPEMU:
	case PR_SET_FPEXC:
	case PR_GET_TIMING:
	case PR_SET_TIMING:
	case PR_SET_NAME:
	case PR_SET_ENDIAN:
	case PR_GET_SECCOMP:
	case PR_SET_SECCOMP:
	case PR_CAPBSET_READ:
	case PR_CAPBSET_DROP:
	case PR_GET_SECUREBITS:
	case PR_SET_SECUREBITS:
	case PR_SET_TIMERSLACK:
	case PR_GET_TIMERSLACK:
	case PR_TASK_PERF_EVENTS_DISABLE:
	case PR_TASK_PERF_EVENTS_ENABLE:
	case PR_MCE_KILL:
	case PR_MCE_KILL_GET:
	case PR_SET_PTRACER:
	case PR_SET_CHILD_SUBREAPER:
	case PR_SET_NO_NEW_PRIVS:
	case PR_GET_NO_NEW_PRIVS:
	case PR_SET_THP_DISABLE:
	case PR_GET_THP_DISABLE:
	case PR_MPX_ENABLE_MANAGEMENT:
	case PR_MPX_DISABLE_MANAGEMENT:
	case PR_SET_FP_MODE:
	case PR_GET_FP_MODE:
	case PR_CAP_AMBIENT:
	case PR_SVE_SET_VL:
	case PR_SVE_GET_VL:
	case PR_GET_SPECULATION_CTRL:
	case PR_SET_SPECULATION_CTRL:
	case PR_PAC_RESET_KEYS:
	case PR_SET_TAGGED_ADDR_CTRL:
	case PR_GET_TAGGED_ADDR_CTRL:
	case PR_SET_IO_FLUSHER:
	case PR_GET_IO_FLUSHER:
	case PR_PAC_SET_ENABLED_KEYS:
	case PR_PAC_GET_ENABLED_KEYS:
	case PR_SME_SET_VL:
	case PR_SME_GET_VL:
	case PR_SET_VMA:
	case PR_GET_MDWE:
	case PR_SET_MEMORY_MERGE:
	case PR_GET_MEMORY_MERGE:
	case PR_RISCV_V_SET_CONTROL:
	case PR_RISCV_V_GET_CONTROL:
	case PR_RISCV_SET_ICACHE_FLUSH_CTX:
	case PR_PPC_GET_DEXCR:
	case PR_PPC_SET_DEXCR:
	case PR_SET_SHADOW_STACK_STATUS:
	case PR_LOCK_SHADOW_STACK_STATUS:
	case PR_TIMER_CREATE_RESTORE_IDS:
	case PR_FUTEX_HASH:
		return 0;
	case PR_GET_PDEATHSIG:
	case PR_GET_UNALIGN:
	case PR_GET_FPEMU:
	case PR_GET_FPEXC:
	case PR_GET_ENDIAN:
	case PR_GET_TSC:
	case PR_GET_CHILD_SUBREAPER:
		return sc_report(call, arg2, sizeof(int));
	case PR_GET_NAME:
		return sc_report(call, arg2, SC_TASK_COMM_LEN);
	case PR_GET_TID_ADDRESS:
	case PR_GET_SHADOW_STACK_STATUS:
		return sc_report(call, arg2, sizeof(uint64_t));
	case PR_GET_AUXV:
		if (call->ret <= 0)
			return 0;
		return sc_report(call, arg2, MIN(call->args[2], (uint64_t)call->ret));
	case PR_SCHED_CORE:
		if (arg2 != PR_SCHED_CORE_GET)
			return 0;
		return sc_report(call, call->args[4], sizeof(uint64_t));
	}
	/* Whatever the option, a failed call changed nothing. */
	if (call->ret < 0)
		return 0;
	switch (option) {
	case PR_SET_MM:
		return prctl_set_mm(call, ret_what);
	case PR_SET_TSC:
		return sc_unsupported(ret_what, "prctl PR_SET_TSC");
	case PR_SET_SYSCALL_USER_DISPATCH:
		return sc_unsupported(ret_what, "prctl PR_SET_SYSCALL_USER_DISPATCH");
	case PR_SET_MDWE:
		return sc_unsupported(ret_what, "prctl PR_SET_MDWE");
	}
	return sc_unsupported(ret_what, "prctl 0x%llx", (unsigned long long)option);
}

/* arch_prctl(code, addr): the GET codes write an unsigned long at addr. */
int sc_hook_arch_prctl(struct sc_call *call, const char **ret_what)
{
	(void)ret_what;
	switch (call->args[0]) {
	case ARCH_GET_FS:
	case ARCH_GET_GS:
	case ARCH_GET_XCOMP_SUPP:
	case ARCH_GET_XCOMP_PERM:
	case ARCH_GET_XCOMP_GUEST_PERM:
	case ARCH_GET_UNTAG_MASK:
	case ARCH_GET_MAX_TAG_BITS:
	case ARCH_SHSTK_STATUS:
		return sc_report(call, call->args[1], sizeof(uint64_t));
	}
	/* The SET codes take a value, not a pointer; replay runs them for real. */
	return 0;
}

/* keyctl(op, arg2, arg3, arg4, arg5): arguments 1..4 here. */
int sc_hook_keyctl(struct sc_call *call, const char **ret_what)
{
	uint64_t ret = call->ret < 0 ? 0 : (uint64_t)call->ret;

	switch (call->args[0]) {
	case KEYCTL_GET_KEYRING_ID:
	case KEYCTL_JOIN_SESSION_KEYRING:
	case KEYCTL_UPDATE:
	case KEYCTL_REVOKE:
	case KEYCTL_CHOWN:
	case KEYCTL_SETPERM:
	case KEYCTL_CLEAR:
	case KEYCTL_LINK:
	case KEYCTL_UNLINK:
	case KEYCTL_SEARCH:
	case KEYCTL_INSTANTIATE:
	case KEYCTL_NEGATE:
	case KEYCTL_SET_REQKEY_KEYRING:
	case KEYCTL_SET_TIMEOUT:
	case KEYCTL_ASSUME_AUTHORITY:
	case KEYCTL_SESSION_TO_PARENT:
	case KEYCTL_REJECT:
	case KEYCTL_INSTANTIATE_IOV:
	case KEYCTL_INVALIDATE:
	case KEYCTL_GET_PERSISTENT:
	case KEYCTL_PKEY_VERIFY:
	case KEYCTL_RESTRICT_KEYRING:
	case KEYCTL_MOVE:
	case KEYCTL_WATCH_KEY:
		return 0;
	case KEYCTL_DESCRIBE:
	case KEYCTL_READ:
	case KEYCTL_GET_SECURITY:
	case KEYCTL_DH_COMPUTE:
		/* (.., buffer, buflen): the result is the full length, at most buflen copied */
		return sc_report(call, call->args[2], MIN(call->args[3], ret));
	case KEYCTL_CAPABILITIES:
		return sc_report(call, call->args[1], MIN(call->args[2], ret));
	case KEYCTL_PKEY_QUERY:
		return sc_report(call, call->args[4], sizeof(struct keyctl_pkey_query));
	case KEYCTL_PKEY_ENCRYPT:
	case KEYCTL_PKEY_DECRYPT:
	case KEYCTL_PKEY_SIGN:
		return sc_report(call, call->args[4], ret);
	}
	if (call->ret == -EINVAL || call->ret == -EOPNOTSUPP)
		return 0;
	return sc_unsupported(ret_what, "keyctl %llu", (unsigned long long)call->args[0]);
}
