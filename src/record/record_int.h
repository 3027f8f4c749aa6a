/* SPDX-License-Identifier: MIT */
/* record: private to the module. */
#ifndef REWIND_RECORD_RECORD_INT_H
#define REWIND_RECORD_RECORD_INT_H

#include "base/buf.h"
#include "record/record.h"
#include "syscalls/syscalls.h"
#include "task/task.h"
#include "trace/trace.h"

struct recorder {
	struct task t;
	struct trace_writer *w;
	uint64_t num; /* number of the last event written */
	struct trace_event ev;

	/* The syscall between its entry and exit stops. */
	const struct sc_desc *sc;
	struct user_regs_struct entry_regs;
	bool forced;
	int64_t forced_ret;

	/* Registers at the last syscall boundary; a signal that finds the same ones is there. */
	struct user_regs_struct boundary_regs;
	bool boundary_valid;

	int deliver_sig;    /* passed with the next resume */
	bool frame_next;    /* deliver it with a single step and record the handler's frame */

	struct sc_stdio stdio;

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

/* mm.c */
int rec_snapshot_exec(struct recorder *r);
int rec_mmap_file(struct recorder *r, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		  int fd, uint64_t offset, const char **ret_what);
void rec_maps_reset(struct recorder *r);
void rec_maps_finish(struct recorder *r);

/* points.c: move a state-identified signal point to an instruction a trap can find. */
int rec_settle_point(struct recorder *r, struct user_regs_struct **regs);

#endif /* REWIND_RECORD_RECORD_INT_H */
