/* SPDX-License-Identifier: MIT */
/*
 * trace: the on-disk format (docs/trace-format.md). A trace is a directory:
 *   version   one text line "rewind-trace N"
 *   header    one block: program, argv, envp, cwd, pid, start time, host, kernel,
 *             stack limit
 *   events    block stream of event records
 *   data      block stream of bytes the kernel wrote into the tracee
 *   mmaps     block stream of mapping records
 *   files/    copies or hard links of mapped files
 * Streams are sequences of independently zstd-compressed blocks, each with a
 * header and an xxh3 checksum. The writer flushes data and mmaps before the
 * events that refer to them, so every complete events block is replayable:
 * a recorder killed mid-run leaves a trace that replays up to its last
 * complete events block.
 *
 * Contract: functions return 0/-errno (reader: 1 = got an event, 0 = end of
 * the complete data). On -EBADMSG/-EPROTO/-ENOENT the reader's message
 * (trace_reader_error()) names what is wrong, for the cli to print.
 * Any change to the encoding bumps TRACE_VERSION.
 */
#ifndef REWIND_TRACE_TRACE_H
#define REWIND_TRACE_TRACE_H

#include <signal.h>
#include <sys/stat.h>
#include <sys/user.h>

#include "base/base.h"

#define TRACE_VERSION 4
/* The oldest version this reader still reads (version 1: one task, no argv at exec). */
#define TRACE_VERSION_MIN 1

enum trace_ev_kind {
	EV_EXEC = 1,  /* the address space after an execve: maps + contents, regs */
	EV_SYSCALL,   /* a syscall: entry regs, result, memory written */
	EV_SIGNAL,    /* a signal delivered: sig, siginfo, regs */
	EV_RDTSC,     /* an rdtsc/rdtscp: regs at the instruction, results */
	EV_EXIT,      /* the task ended: wait status */
	EV_CLONE,     /* a clone/fork/vfork created task ret: the parent's entry regs, nr; the
	               * parent's syscall stays in progress (its EV_SYSCALL has EVF_ENTERED) */
	EV_ENTER,     /* the task entered syscall nr (entry regs) and blocked: other tasks ran
	               * before it returned (its EV_SYSCALL has EVF_ENTERED); mem: what the
	               * kernel wrote while it blocked (a PI futex's waiters bit) */
	EV_SCHED,     /* the task was preempted in user code: a state-identified point (regs +
	               * digest); other tasks run next */
	EV__COUNT
};

enum trace_ev_flags {
	EVF_EXIT_REGS = 1 << 0, /* syscall: registers after it differ beyond rax */
	EVF_FORCED = 1 << 1,    /* syscall: the recorder made it fail (not run by the kernel) */
	EVF_NO_RETURN = 1 << 2, /* syscall: the process died inside it */
	EVF_ECHO = 1 << 3,      /* syscall: the last mem entry (addr 0) holds bytes the call sent
	                         * from a file to stdout/stderr (sendfile...): echoed, not written */
	EVF_FRAME = 1 << 4,     /* signal: delivered to a handler; exit_regs are the registers at
	                         * its first instruction and mem the frame the kernel wrote */
	EVF_ENTERED = 1 << 5,   /* syscall: its entry was an earlier EV_ENTER or EV_CLONE */
	EVF_END = 1 << 6,       /* exit: the last event of the recording */
	EVF_REPLACED = 1 << 7,  /* exit (version 4): the thread-group leader, killed by the execve
	                         * of another thread of its process (the one with an EV_ENTER of
	                         * execve pending), which goes on under the leader's tid */
};

enum trace_sig_kind {
	SIGK_SYNC,     /* caused by the instruction at regs.rip: replay reproduces it */
	SIGK_BOUNDARY, /* delivered right after the previous syscall: replay injects it */
	SIGK_FATAL,    /* an asynchronous signal that killed the program in user code: replay
	                * injects it after the previous event (no state to match: it dies) */
	SIGK_STATE,    /* an asynchronous signal that found the program in user code: replay
	                * delivers it at the state regs + digest (a state-identified point) */
	SIGK__COUNT
};

enum trace_map_kind {
	MAPK_ANON,
	MAPK_FILE,  /* contents come from files/<file> at offset */
	MAPK_STACK, /* anonymous, grows down */
	MAPK_VDSO,  /* the (patched) vDSO: contents saved */
	MAPK__COUNT
};

struct trace_mem {
	uint64_t addr;
	uint64_t len;
	const void *data; /* writer: borrowed for the call; reader: valid until the next event */
};

struct trace_map {
	uint64_t start, end, offset;
	uint32_t prot, flags; /* PROT_*; MAP_* (after exec: PRIVATE/SHARED, GROWSDOWN; at an
	                       * mmap: the call's flags argument) */
	uint32_t kind;        /* enum trace_map_kind */
	const char *file;     /* name under files/ (MAPK_FILE), else NULL */
	const char *path;     /* the original path, for humans; may be NULL */
	uint64_t data_len;    /* bytes of saved contents from start (0: none) */
	const void *data;
};

struct trace_event {
	uint64_t num;
	uint32_t kind, flags;
	int32_t tid;
	struct user_regs_struct regs;
	struct user_regs_struct exit_regs;
	int64_t nr, ret;
	uint32_t nmem, nmaps;
	struct trace_mem *mem;
	struct trace_map *maps;
	int32_t sig;
	uint32_t sigkind;
	siginfo_t si;
	uint64_t tsc[3]; /* rax, rdx, rcx after rdtsc/rdtscp */
	uint32_t insn_len;
	int32_t wait_status;
	uint64_t digest; /* SIGK_STATE, EV_SCHED: task_state_digest() at the point */
};
/*
 * EV_EXEC (version 2) carries one mem entry at address 0: the new program's
 * argv, each string NUL-terminated (for `rewind ps`; replay ignores it).
 */

struct trace_header {
	char *exe;     /* absolute path of the program */
	char *cwd;
	uint32_t argc, envc;
	char **argv, **envp;
	int32_t pid;
	uint64_t start_ns; /* CLOCK_REALTIME at start */
	char *host, *kernel;
	uint64_t stack_cur, stack_max; /* RLIMIT_STACK at start: decides when the stack can grow */
	int32_t cpu;   /* the CPU the recording ran on (CPUID differs between CPUs); -1 unknown */
};
void trace_header_release(struct trace_header *h);

struct trace_writer;
/* Create dir (mode 0700; it may exist, but must not hold a trace) and write version + header. */
int trace_writer_open(const char *dir, const struct trace_header *h, struct trace_writer **ret);
int trace_write_event(struct trace_writer *w, const struct trace_event *ev);
/*
 * Save the file open at src (a path, e.g. /proc/PID/fd/N) into files/, as a
 * hard link when link_ok and possible, else a copy. Deduplicated by
 * st (dev, ino, size, mtime). *ret_name is borrowed from the writer.
 */
int trace_store_file(struct trace_writer *w, const char *src, const struct stat *st,
		     const char *orig_path, bool link_ok, const char **ret_name);
/* True if events were written since the last flush. */
bool trace_writer_pending(struct trace_writer *w);
/* Flush everything written so far into complete blocks. */
int trace_writer_flush(struct trace_writer *w);
/* Flush and free. Returns the first error seen by any write. */
int trace_writer_close(struct trace_writer *w);
const char *trace_writer_dir(struct trace_writer *w);
uint64_t trace_writer_bytes(struct trace_writer *w);

struct trace_reader;
int trace_reader_open(const char *dir, struct trace_reader **ret);
/* The message for the last error; for a failed open, pass NULL to get it. */
const char *trace_reader_error(struct trace_reader *r);
const struct trace_header *trace_reader_header(struct trace_reader *r);
/* The trace's format version (TRACE_VERSION_MIN..TRACE_VERSION). */
unsigned trace_reader_version(const struct trace_reader *r);
/* 1: *ev filled (borrowed until the next call); 0: end of complete data; -errno. */
int trace_read_event(struct trace_reader *r, struct trace_event *ev);
/* A position in the event sequence, to come back to with trace_reader_seek(). */
struct trace_mark {
	uint64_t num;
	struct user_regs_struct prev_regs;
	struct {
		int64_t off;
		uint32_t nblocks;
		uint64_t pos;
	} s[3];
};
void trace_reader_mark(struct trace_reader *r, struct trace_mark *m);
int trace_reader_seek(struct trace_reader *r, const struct trace_mark *m);
/*
 * The files/ name of the program in an EV_EXEC event's maps, or NULL: the
 * mapping of h->exe, else (another program exec'd later) the file mapped
 * lowest, at offset 0 (the kernel maps the program below its interpreter
 * and the libraries).
 */
const char *trace_exec_program(const struct trace_header *h, const struct trace_event *ev);
/* Path of a stored file (caller frees). */
char *trace_file_path(struct trace_reader *r, const char *name);
const char *trace_reader_dir(struct trace_reader *r);
void trace_reader_close(struct trace_reader *r);

const char *trace_ev_kind_name(uint32_t kind);
const char *trace_map_kind_name(uint32_t kind);

#endif /* REWIND_TRACE_TRACE_H */
