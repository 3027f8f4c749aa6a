/* SPDX-License-Identifier: MIT */
/*
 * test_syscalls: unit tests of the syscall table module. sc_outputs() runs
 * over a fake call whose read() copies from this process's own memory (a
 * tracee address is just a local pointer here) and whose out() collects the
 * reported ranges, so every effect kind and hook can be checked exactly.
 * The kernel_* tests then hold the table against the running kernel: they
 * make real syscalls into a patterned arena, twice with different patterns,
 * and fail if the kernel changed any byte that sc_outputs() did not report.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/prctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "harness.h" /* before project headers: base/banned.h renames libc functions */
#include "syscalls/syscalls.h"

#define MAX_RANGES 32

struct range {
	uint64_t addr, len;
};

struct fake {
	struct range r[MAX_RANGES];
	size_t n;
	uint64_t bad_addr; /* reads here fail with -EFAULT */
	int out_err;       /* out() returns this */
};

static int fake_read(struct sc_call *call, uint64_t addr, void *dst, size_t len)
{
	struct fake *f = call->priv;

	if (!addr || addr == f->bad_addr)
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)addr, len);
	return 0;
}

static int fake_out(struct sc_call *call, uint64_t addr, uint64_t len)
{
	struct fake *f = call->priv;

	if (f->out_err)
		return f->out_err;
	if (f->n == MAX_RANGES)
		return -ENOSPC;
	f->r[f->n++] = (struct range){ addr, len };
	return 0;
}

static uint64_t A(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* A call to nr with up to six arguments and a result, reporting into f. */
static struct sc_call mkcall(struct fake *f, long nr, int64_t ret, uint64_t a0, uint64_t a1,
			     uint64_t a2, uint64_t a3, uint64_t a4)
{
	memset(f, 0, sizeof(*f));
	return (struct sc_call){
		.nr = nr,
		.args = { a0, a1, a2, a3, a4, 0 },
		.ret = ret,
		.priv = f,
		.read = fake_read,
		.out = fake_out,
	};
}

static int outputs(struct sc_call *call, const char **what)
{
	const struct sc_desc *d = sc_lookup(call->nr);

	ASSERT_NONNULL(d);
	return sc_outputs(d, call, what);
}

static bool has_range(const struct fake *f, const void *p, uint64_t len)
{
	for (size_t i = 0; i < f->n; i++) {
		if (f->r[i].addr == A(p) && f->r[i].len == len)
			return true;
	}
	return false;
}

TEST(lookup_and_classes)
{
	const struct sc_desc *d = sc_lookup(SYS_read);

	ASSERT_NONNULL(d);
	EXPECT_STREQ(d->name, "read");
	EXPECT_EQ(d->nr, SYS_read);
	EXPECT_EQ(d->nargs, 3);
	EXPECT_EQ(d->replay, SC_EMU);
	EXPECT_STREQ(sc_lookup(SYS_getrandom)->name, "getrandom");
	EXPECT_STREQ(sc_lookup(SYS_set_mempolicy_home_node)->name, "set_mempolicy_home_node");
	EXPECT_TRUE(sc_lookup(SYS_rseq)->flags & SC_NO_RECORD_EXEC);
	EXPECT_TRUE(sc_lookup(SYS_write)->flags & SC_WRITES_FD);
	EXPECT_TRUE(sc_lookup(SYS_close)->flags & SC_CLOSES_FD);
	EXPECT_EQ(sc_lookup(SYS_dup2)->flags, SC_RET_FD | SC_DUPS_FD);
	EXPECT_TRUE(sc_lookup(SYS_openat)->flags & SC_RET_FD);
	EXPECT_EQ(sc_lookup(SYS_execve)->replay, SC_EXECVE);
	EXPECT_EQ(sc_lookup(SYS_exit_group)->replay, SC_EXIT);
	EXPECT_EQ(sc_lookup(SYS_rt_sigreturn)->replay, SC_SIGRETURN);
	EXPECT_EQ(sc_lookup(SYS_mmap)->replay, SC_MMAP);
	EXPECT_EQ(sc_lookup(SYS_mprotect)->replay, SC_EXEC);
	EXPECT_EQ(sc_lookup(SYS_clone)->replay, SC_CLONE);
	EXPECT_EQ(sc_lookup(SYS_clone3)->flags & SC_NO_RECORD_EXEC, SC_NO_RECORD_EXEC);
	EXPECT_EQ(sc_lookup(SYS_afs_syscall)->replay, SC_UNSUPPORTED);
	EXPECT_NULL(sc_lookup(335));
	EXPECT_NULL(sc_lookup(423));
	EXPECT_NULL(sc_lookup(-1));
	EXPECT_NULL(sc_lookup(SC_MAX_NR));
	EXPECT_NULL(sc_lookup(1L << 40));
}

TEST(names)
{
	EXPECT_STREQ(sc_name(SYS_read), "read");
	EXPECT_STREQ(sc_name(SYS_newfstatat), "newfstatat");
	EXPECT_STREQ(sc_name(400), "syscall_400");
	EXPECT_STREQ(sc_name(-1), "syscall_-1");
	EXPECT_STREQ(sc_name(100000), "syscall_100000");
}

TEST(read_reports_result_bytes)
{
	char buf[64];
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_read, 10, 3, A(buf), sizeof(buf), 0, 0);

	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 1);
	EXPECT_TRUE(has_range(&f, buf, 10));

	c = mkcall(&f, SYS_read, 0, 3, A(buf), sizeof(buf), 0, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_EQ(f.n, 0);

	c = mkcall(&f, SYS_read, -EINTR, 3, A(buf), sizeof(buf), 0, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_EQ(f.n, 0);
}

TEST(readv_fills_iovecs_up_to_result)
{
	char a[4], b[8], c5[5];
	struct iovec iov[4] = {
		{ a, sizeof(a) }, { NULL, 0 }, { b, sizeof(b) }, { c5, sizeof(c5) },
	};
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_readv, 10, 3, A(iov), 4, 0, 0);

	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 2);
	EXPECT_TRUE(has_range(&f, a, 4));
	EXPECT_TRUE(has_range(&f, b, 6));

	/* preadv2 has the same effect: every byte, all iovecs */
	c = mkcall(&f, SYS_preadv2, 17, 3, A(iov), 4, 0, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 3);
	EXPECT_TRUE(has_range(&f, c5, 5));
}

TEST(iov_all_on_a_handmade_row)
{
	char a[4], b[8];
	struct iovec iov[3] = { { a, sizeof(a) }, { NULL, 0 }, { b, sizeof(b) } };
	const struct sc_desc d = {
		.name = "handmade",
		.nargs = 3,
		.eff = { { .kind = E_IOV_ALL, .a = 1, .b = 2 } },
	};
	struct fake f;
	struct sc_call c = mkcall(&f, 0, -EINVAL, 0, A(iov), 3, 0, 0);

	ASSERT_EQ(sc_outputs(&d, &c, NULL), 0);
	ASSERT_EQ(f.n, 2);
	EXPECT_TRUE(has_range(&f, a, sizeof(a)));
	EXPECT_TRUE(has_range(&f, b, sizeof(b)));
}

TEST(unreadable_iovecs)
{
	char a[4];
	struct iovec iov[1] = { { a, sizeof(a) } };
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_readv, -EFAULT, 3, A(iov), 1, 0, 0);

	/* the call failed: nothing to report, not an error */
	f.bad_addr = A(iov);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_EQ(f.n, 0);

	/* the call succeeded, so the kernel read them: an error now */
	c = mkcall(&f, SYS_readv, 4, 3, A(iov), 1, 0, 0);
	f.bad_addr = A(iov);
	EXPECT_EQ(outputs(&c, NULL), -EFAULT);
}

TEST(stat_fixed_size_and_null_skipped)
{
	struct stat st;
	struct rusage ru;
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_fstat, 0, 3, A(&st), 0, 0, 0);

	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 1);
	EXPECT_TRUE(has_range(&f, &st, 144));

	c = mkcall(&f, SYS_newfstatat, -ENOENT, AT_FDCWD, A("x"), 0, 0, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_EQ(f.n, 0);

	/* wait4(pid, NULL, 0, &ru): only the rusage */
	c = mkcall(&f, SYS_wait4, 42, 42, 0, 0, A(&ru), 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 1);
	EXPECT_TRUE(has_range(&f, &ru, sizeof(ru)));
}

TEST(capped_counts)
{
	gid_t groups[10];
	struct epoll_event ev[8];
	struct pollfd pfd[2];
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_getgroups, 3, 10, A(groups), 0, 0, 0);

	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_TRUE(has_range(&f, groups, 3 * sizeof(gid_t)));

	c = mkcall(&f, SYS_getgroups, 3, 0, A(groups), 0, 0, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_EQ(f.n, 0);

	c = mkcall(&f, SYS_epoll_wait, 2, 5, A(ev), 8, 100, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_TRUE(has_range(&f, ev, 2 * sizeof(struct epoll_event)));

	c = mkcall(&f, SYS_epoll_wait, -EINTR, 5, A(ev), 8, 100, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_EQ(f.n, 0);

	/* poll writes every revents, even on -EINTR */
	c = mkcall(&f, SYS_poll, -EINTR, A(pfd), 2, 100, 0, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_TRUE(has_range(&f, pfd, 2 * sizeof(struct pollfd)));

	/* a garbage count in a failed call is capped, not gigabytes */
	c = mkcall(&f, SYS_poll, -EINVAL, A(pfd), 1ULL << 60, 0, 0, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 1);
	EXPECT_LE(f.r[0].len, 64 << 20);
}

TEST(getsockname_plen)
{
	struct sockaddr_storage ss;
	socklen_t len = 16; /* as the kernel left it */
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_getsockname, 0, 3, A(&ss), A(&len), 0, 0);

	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 2);
	EXPECT_TRUE(has_range(&f, &ss, 16));
	EXPECT_TRUE(has_range(&f, &len, sizeof(len)));

	/* accept(fd, NULL, NULL) */
	c = mkcall(&f, SYS_accept, 4, 3, 0, 0, 0, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_EQ(f.n, 0);
}

TEST(recvmsg_hook)
{
	struct sockaddr_storage name;
	char b1[4], b2[16], ctl[64];
	struct iovec iov[2] = { { b1, sizeof(b1) }, { b2, sizeof(b2) } };
	struct msghdr m = {
		.msg_name = &name, .msg_namelen = 12, .msg_iov = iov, .msg_iovlen = 2,
		.msg_control = ctl, .msg_controllen = 24,
	};
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_recvmsg, 7, 3, A(&m), 0, 0, 0);

	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 5);
	EXPECT_TRUE(has_range(&f, &m, sizeof(m)));
	EXPECT_TRUE(has_range(&f, &name, 12));
	EXPECT_TRUE(has_range(&f, b1, 4));
	EXPECT_TRUE(has_range(&f, b2, 3));
	EXPECT_TRUE(has_range(&f, ctl, 24));

	c = mkcall(&f, SYS_recvmsg, -EAGAIN, 3, A(&m), 0, 0, 0);
	ASSERT_EQ(outputs(&c, NULL), 0);
	EXPECT_EQ(f.n, 0);
}

TEST(select_hook)
{
	fd_set r, w;
	struct timeval tv;
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_select, 1, 65, A(&r), A(&w), 0, A(&tv));

	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 3);
	EXPECT_TRUE(has_range(&f, &r, 16));
	EXPECT_TRUE(has_range(&f, &w, 16));
	EXPECT_TRUE(has_range(&f, &tv, sizeof(tv)));

	/* interrupted: only the timeout was written back */
	c = mkcall(&f, SYS_select, -EINTR, 65, A(&r), A(&w), 0, A(&tv));
	ASSERT_EQ(outputs(&c, NULL), 0);
	ASSERT_EQ(f.n, 1);
	EXPECT_TRUE(has_range(&f, &tv, sizeof(tv)));
}

TEST(ioctl_hook)
{
	struct winsize ws;
	char buf[64];
	const char *what = NULL;
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_ioctl, 0, 1, TIOCGWINSZ, A(&ws), 0, 0);

	ASSERT_EQ(outputs(&c, &what), 0);
	ASSERT_EQ(f.n, 1);
	EXPECT_TRUE(has_range(&f, &ws, sizeof(ws)));

	/* the kernel's termios, not glibc's */
	c = mkcall(&f, SYS_ioctl, 0, 1, TCGETS, A(buf), 0, 0);
	ASSERT_EQ(outputs(&c, &what), 0);
	EXPECT_TRUE(has_range(&f, buf, 36));

	c = mkcall(&f, SYS_ioctl, 0, 1, TCSETS, A(buf), 0, 0);
	ASSERT_EQ(outputs(&c, &what), 0);
	EXPECT_EQ(f.n, 0);

	/* decoded from the request: _IOR and _IOWR write, _IOW does not */
	c = mkcall(&f, SYS_ioctl, 0, 3, _IOR('x', 3, char[24]), A(buf), 0, 0);
	ASSERT_EQ(outputs(&c, &what), 0);
	EXPECT_TRUE(has_range(&f, buf, 24));
	c = mkcall(&f, SYS_ioctl, 0, 3, _IOWR('x', 4, char[40]), A(buf), 0, 0);
	ASSERT_EQ(outputs(&c, &what), 0);
	EXPECT_TRUE(has_range(&f, buf, 40));
	c = mkcall(&f, SYS_ioctl, 0, 3, _IOW('x', 5, char[40]), A(buf), 0, 0);
	ASSERT_EQ(outputs(&c, &what), 0);
	EXPECT_EQ(f.n, 0);
}

TEST(ioctl_unknown_is_unsupported)
{
	const char *what = NULL;
	char buf[8];
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_ioctl, 0, 1, 0x5499, A(buf), 0, 0);

	ASSERT_EQ(outputs(&c, &what), -ENOTSUP);
	EXPECT_STREQ(what, "ioctl 0x5499");

	/* no driver took it: nothing written, no reason to stop */
	what = NULL;
	c = mkcall(&f, SYS_ioctl, -ENOTTY, 1, 0x5499, A(buf), 0, 0);
	ASSERT_EQ(outputs(&c, &what), 0);
	EXPECT_NULL(what);
}

TEST(fcntl_hook)
{
	struct flock fl;
	const char *what = NULL;
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_fcntl, 0, 3, F_GETLK, A(&fl), 0, 0);

	ASSERT_EQ(outputs(&c, &what), 0);
	EXPECT_TRUE(has_range(&f, &fl, sizeof(fl)));

	c = mkcall(&f, SYS_fcntl, 0, 3, F_SETFL, O_NONBLOCK, 0, 0);
	ASSERT_EQ(outputs(&c, &what), 0);
	EXPECT_EQ(f.n, 0);

	c = mkcall(&f, SYS_fcntl, 0, 3, 12345, A(&fl), 0, 0);
	ASSERT_EQ(outputs(&c, &what), -ENOTSUP);
	EXPECT_STREQ(what, "fcntl 12345");
}

TEST(unsupported)
{
	const char *what = NULL;
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_afs_syscall, 0, 0, 0, 0, 0, 0);

	ASSERT_EQ(outputs(&c, &what), -ENOTSUP);
	EXPECT_STREQ(what, "afs_syscall");

	c = mkcall(&f, SYS_prctl, 0, PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);
	ASSERT_EQ(outputs(&c, &what), -ENOTSUP);
	EXPECT_STREQ(what, "prctl PR_SET_TSC");

	/* NULL ret_what is allowed */
	c = mkcall(&f, SYS_ptrace, 0, 0, 0, 0, 0, 0);
	EXPECT_EQ(outputs(&c, NULL), -ENOTSUP);
}

TEST(out_error_is_returned)
{
	char buf[8];
	struct fake f;
	struct sc_call c = mkcall(&f, SYS_read, 8, 0, A(buf), sizeof(buf), 0, 0);

	f.out_err = -ESRCH;
	EXPECT_EQ(outputs(&c, NULL), -ESRCH);
}

TEST_SIGNAL(outputs_without_a_row_is_a_bug, SIGABRT)
{
	struct fake f;
	struct sc_call c = mkcall(&f, 400, 0, 0, 0, 0, 0, 0);

	/* sc_lookup(400) is NULL; passing that on is the caller's bug */
	(void)sc_outputs(sc_lookup(400), &c, NULL);
}

/* The kernel against the table. */

#define ARENA_SIZE 16384
static unsigned char arena[ARENA_SIZE] __attribute__((aligned(4096)));
static unsigned char before[ARENA_SIZE];

static uint64_t M(size_t off)
{
	return A(arena + off);
}

/* Start a probe: fill the arena with this pass's pattern; inputs go in after. */
static void probe_fill(int pass)
{
	memset(arena, pass ? 0x5a : 0xa5, sizeof(arena));
}

/*
 * Make the syscall, ask sc_outputs() what it wrote, and check that each
 * changed byte of the arena was reported. Returns the syscall's result.
 */
static long probe_check(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			uint64_t a4, uint64_t a5)
{
	const struct sc_desc *d = sc_lookup(nr);
	struct fake f;
	struct sc_call c;
	long ret;
	int err;

	ASSERT_NONNULL(d);
	memcpy(before, arena, sizeof(arena));
	ret = syscall(nr, a0, a1, a2, a3, a4, a5);
	c = mkcall(&f, nr, ret < 0 ? -errno : ret, a0, a1, a2, a3, a4);
	c.args[5] = a5;
	err = sc_outputs(d, &c, NULL);
	EXPECT_EQ(err, 0);
	for (size_t i = 0; i < ARENA_SIZE; i++) {
		uint64_t addr = M(i);
		bool covered = false;

		if (arena[i] == before[i])
			continue;
		for (size_t r = 0; r < f.n && !covered; r++)
			covered = addr >= f.r[r].addr && addr - f.r[r].addr < f.r[r].len;
		if (!covered) {
			printf("  %s: byte %zu written but not reported\n", d->name, i);
			EXPECT_TRUE(covered);
			break;
		}
	}
	return c.ret;
}

#define PROBE(nr, a0, a1, a2, a3, a4, a5)                                                      \
	for (int pass_ = 0; pass_ < 2; pass_++) {                                              \
		probe_fill(pass_);                                                             \
		(void)probe_check(nr, a0, a1, a2, a3, a4, a5);                                 \
	}

TEST(kernel_fixed_size_outputs)
{
	PROBE(SYS_uname, M(0), 0, 0, 0, 0, 0);
	PROBE(SYS_sysinfo, M(0), 0, 0, 0, 0, 0);
	PROBE(SYS_times, M(0), 0, 0, 0, 0, 0);
	PROBE(SYS_clock_gettime, CLOCK_REALTIME, M(0), 0, 0, 0, 0);
	PROBE(SYS_clock_getres, CLOCK_MONOTONIC, M(0), 0, 0, 0, 0);
	PROBE(SYS_gettimeofday, M(0), M(100), 0, 0, 0, 0);
	PROBE(SYS_time, M(0), 0, 0, 0, 0, 0);
	PROBE(SYS_getrusage, RUSAGE_SELF, M(0), 0, 0, 0, 0);
	PROBE(SYS_getrlimit, RLIMIT_NOFILE, M(0), 0, 0, 0, 0);
	PROBE(SYS_prlimit64, 0, RLIMIT_STACK, 0, M(0), 0, 0);
	PROBE(SYS_getitimer, ITIMER_REAL, M(0), 0, 0, 0, 0);
	PROBE(SYS_newfstatat, AT_FDCWD, A("/"), M(0), 0, 0, 0);
	PROBE(SYS_stat, A("/"), M(0), 0, 0, 0, 0);
	PROBE(SYS_statx, AT_FDCWD, A("/"), 0, 0xfff, M(0), 0);
	PROBE(SYS_statfs, A("/"), M(0), 0, 0, 0, 0);
	PROBE(SYS_fstatfs, 0, M(0), 0, 0, 0, 0);
	PROBE(SYS_getresuid, M(0), M(8), M(16), 0, 0, 0);
	PROBE(SYS_getresgid, M(0), M(8), M(16), 0, 0, 0);
	PROBE(SYS_getcpu, M(0), M(8), 0, 0, 0, 0);
	PROBE(SYS_sched_getparam, 0, M(0), 0, 0, 0, 0);
	PROBE(SYS_sched_rr_get_interval, 0, M(0), 0, 0, 0, 0);
	PROBE(SYS_get_robust_list, 0, M(0), M(16), 0, 0, 0);
	PROBE(SYS_rt_sigaction, SIGUSR1, 0, M(0), 8, 0, 0);
	PROBE(SYS_rt_sigprocmask, SIG_BLOCK, 0, M(0), 8, 0, 0);
	PROBE(SYS_rt_sigpending, M(0), 8, 0, 0, 0, 0);
	PROBE(SYS_sigaltstack, 0, M(0), 0, 0, 0, 0);
	PROBE(SYS_arch_prctl, ARCH_GET_FS, M(0), 0, 0, 0, 0);
	PROBE(SYS_prctl, PR_GET_NAME, M(0), 0, 0, 0, 0);
	PROBE(SYS_prctl, PR_GET_PDEATHSIG, M(0), 0, 0, 0, 0);
	PROBE(SYS_msgctl, 0, IPC_INFO, M(0), 0, 0, 0);
	PROBE(SYS_semctl, 0, 0, IPC_INFO, M(0), 0, 0);
	PROBE(SYS_shmctl, 0, IPC_INFO, M(0), 0, 0, 0);
	PROBE(SYS_get_mempolicy, M(0), M(64), 64, 0, 0, 0);
	PROBE(SYS_getgroups, 64, M(0), 0, 0, 0, 0);
	PROBE(SYS_pipe2, M(0), O_CLOEXEC, 0, 0, 0, 0);
	PROBE(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, M(0), 0, 0);
	for (int pass = 0; pass < 2; pass++) {
		struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

		probe_fill(pass);
		memcpy(arena, &hdr, sizeof(hdr));
		(void)probe_check(SYS_capget, M(0), M(64), 0, 0, 0, 0);
	}
	for (int pass = 0; pass < 2; pass++) {
		probe_fill(pass);
		memset(arena, 0, 208); /* struct timex, modes 0: read only */
		(void)probe_check(SYS_adjtimex, M(0), 0, 0, 0, 0, 0);
	}
}

TEST(kernel_result_sized_outputs)
{
	PROBE(SYS_getcwd, M(0), 4096, 0, 0, 0, 0);
	PROBE(SYS_readlink, A("/proc/self/exe"), M(0), 4096, 0, 0, 0);
	PROBE(SYS_readlinkat, AT_FDCWD, A("/proc/self/exe"), M(0), 4096, 0, 0);
	PROBE(SYS_getrandom, M(0), 100, 0, 0, 0, 0);
	PROBE(SYS_sched_getaffinity, 0, 512, M(0), 0, 0, 0);
	PROBE(SYS_sched_getattr, 0, M(0), 56, 0, 0, 0);
	PROBE(SYS_listxattr, A("/"), M(0), 4096, 0, 0, 0);

	int dfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_GE(dfd, 0);
	for (int pass = 0; pass < 2; pass++) {
		probe_fill(pass);
		ASSERT_EQ(lseek(dfd, 0, SEEK_SET), 0);
		ASSERT_GT(probe_check(SYS_getdents64, dfd, M(0), 4096, 0, 0, 0), 0);
	}
	close(dfd);
}

TEST(kernel_fds_and_sockets)
{
	int sv[2], p[2], ep;
	struct epoll_event ev = { .events = EPOLLIN };

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
	ASSERT_EQ(write(p[1], "hello", 5), 5);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);

	PROBE(SYS_ioctl, p[0], FIONREAD, M(0), 0, 0, 0);
	PROBE(SYS_epoll_wait, ep, M(0), 8, 0, 0, 0);
	for (int pass = 0; pass < 2; pass++) {
		probe_fill(pass);
		*(int *)(arena + 64) = 4; /* optlen */
		ASSERT_EQ(probe_check(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, M(0), M(64), 0),
			  0);
		probe_fill(pass);
		*(socklen_t *)(arena + 512) = sizeof(struct sockaddr_un);
		ASSERT_EQ(probe_check(SYS_getsockname, sv[0], M(0), M(512), 0, 0, 0), 0);
	}
	for (int pass = 0; pass < 2; pass++) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };

		probe_fill(pass);
		memcpy(arena, &pfd, sizeof(pfd));
		ASSERT_EQ(probe_check(SYS_poll, M(0), 1, 0, 0, 0, 0), 1);
		probe_fill(pass);
		memset(arena, 0, 128);
		arena[p[0] / 8] |= (unsigned char)(1 << (p[0] % 8));
		memset(arena + 256, 0, 16); /* timeout 0 */
		ASSERT_EQ(probe_check(SYS_select, (uint64_t)p[0] + 1, M(0), 0, 0, M(256), 0), 1);
	}
	for (int pass = 0; pass < 2; pass++) {
		struct iovec iov[2] = { { arena + 1024, 3 }, { arena + 2048, 100 } };
		struct msghdr m = {
			.msg_name = arena + 3072,
			.msg_namelen = 128,
			.msg_iov = (void *)(arena + 512),
			.msg_iovlen = 2,
			.msg_control = arena + 4096,
			.msg_controllen = 256,
		};

		ASSERT_EQ(send(sv[1], "0123456789", 10, 0), 10);
		probe_fill(pass);
		memcpy(arena + 512, iov, sizeof(iov));
		memcpy(arena, &m, sizeof(m));
		ASSERT_EQ(probe_check(SYS_recvmsg, sv[0], M(0), 0, 0, 0, 0), 10);

		ASSERT_EQ(send(sv[1], "abc", 3, 0), 3);
		probe_fill(pass);
		*(socklen_t *)(arena + 512) = 128;
		ASSERT_EQ(probe_check(SYS_recvfrom, sv[0], M(0), 100, 0, M(256), M(512)), 3);
	}
	for (int pass = 0; pass < 2; pass++) {
		struct iovec iov[2] = { { arena + 1024, 64 }, { arena + 2048, 64 } };
		struct mmsghdr mm[2] = {
			{ .msg_hdr = { .msg_iov = (void *)(arena + 512), .msg_iovlen = 1 } },
			{ .msg_hdr = { .msg_iov = (void *)(arena + 528), .msg_iovlen = 1 } },
		};

		probe_fill(pass);
		memcpy(arena + 512, iov, sizeof(iov));
		memcpy(arena, mm, sizeof(mm));
		/* sendmmsg writes msg_len into each entry it sent */
		ASSERT_EQ(probe_check(SYS_sendmmsg, sv[1], M(0), 2, 0, 0, 0), 2);
		probe_fill(pass);
		memcpy(arena + 512, iov, sizeof(iov));
		memcpy(arena, mm, sizeof(mm));
		ASSERT_EQ(probe_check(SYS_recvmmsg, sv[0], M(0), 2, 0, 0, 0), 2);
	}
	close(ep);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

TEST(kernel_terminal)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		SKIP("no /dev/ptmx");
	PROBE(SYS_ioctl, fd, TCGETS, M(0), 0, 0, 0);
	PROBE(SYS_ioctl, fd, TIOCGWINSZ, M(0), 0, 0, 0);
	PROBE(SYS_ioctl, fd, TIOCGPTN, M(0), 0, 0, 0);
	PROBE(SYS_ioctl, fd, TCGETA, M(0), 0, 0, 0);
	close(fd);
}

TEST(kernel_wait_and_timers)
{
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);

	ASSERT_GE(tfd, 0);
	PROBE(SYS_timerfd_gettime, tfd, M(0), 0, 0, 0, 0);
	close(tfd);
	for (int pass = 0; pass < 2; pass++) {
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(3);
		probe_fill(pass);
		ASSERT_EQ(probe_check(SYS_wait4, pid, M(0), 0, M(64), 0, 0), pid);
		EXPECT_EQ(*(int *)arena, 3 << 8);
	}
	for (int pass = 0; pass < 2; pass++) {
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(4);
		probe_fill(pass);
		ASSERT_EQ(probe_check(SYS_waitid, P_PID, pid, M(0), WEXITED, M(256), 0), 0);
	}
	for (int pass = 0; pass < 2; pass++) {
		probe_fill(pass);
		memset(arena, 0, 16); /* 0 s: nanosleep returns at once */
		ASSERT_EQ(probe_check(SYS_nanosleep, M(0), M(64), 0, 0, 0, 0), 0);
	}
}

TEST(kernel_mincore)
{
	size_t len = 5 * 4096 + 1;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 1, 4096);
	PROBE(SYS_mincore, A(p), len, M(0), 0, 0, 0);
	munmap(p, len);
}
