/* SPDX-License-Identifier: MIT */
/*
 * check_syscall_table: checks src/syscalls/syscall_table.def (through
 * sc_lookup()) against the kernel's list of x86-64 syscalls, read from the
 * text of <asm/unistd_64.h> at run time, independently of how the table was
 * built. Every __NR_x must have a row with that number and that name, and no
 * row may exist for a number the header does not define. Each row is also
 * checked on its own: argument indexes within nargs, sizes non-zero, HOOK
 * rows (and only they) with a hook, known flags, unique names.
 *
 *   check_syscall_table [--stats] [HEADER]
 *
 * Prints every problem on stderr and exits 1; otherwise prints
 * "syscall table: N rows, ok" and exits 0. --stats adds counts by replay
 * class, flag and effect.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls/syscalls.h"

static const char *const default_headers[] = {
	"/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
	"/usr/include/asm/unistd_64.h",
};

/* Fewer than this many definitions means the header was not what we think. */
#define MIN_SYSCALLS 300
#define NAME_MAX_LEN 64

static char hdr_names[SC_MAX_NR][NAME_MAX_LEN];
static unsigned int problems;

static void PRINTF(1, 2) problem(const char *fmt, ...)
{
	va_list ap;

	fputs("check_syscall_table: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	problems++;
}

/* Parse one "#define __NR_name number" line; other lines are ignored. */
static void parse_line(const char *line, const char *path, unsigned int lineno,
		       unsigned int *count)
{
	static const char prefix[] = "#define __NR_";
	char name[NAME_MAX_LEN];
	const char *p;
	char *end;
	size_t n = 0;
	long nr;

	if (strncmp(line, prefix, sizeof(prefix) - 1))
		return;
	p = line + sizeof(prefix) - 1;
	while (isalnum((unsigned char)*p) || *p == '_') {
		if (n + 1 >= sizeof(name)) {
			problem("%s:%u: name too long", path, lineno);
			return;
		}
		name[n++] = *p++;
	}
	name[n] = 0;
	errno = 0;
	nr = strtol(p, &end, 10);
	if (!n || end == p || errno || (*end && !isspace((unsigned char)*end))) {
		problem("%s:%u: cannot parse: %s", path, lineno, line);
		return;
	}
	if (nr < 0 || nr >= SC_MAX_NR) {
		problem("__NR_%s = %ld is beyond SC_MAX_NR (%d)", name, nr, SC_MAX_NR);
		return;
	}
	if (hdr_names[nr][0]) {
		problem("%s:%u: number %ld defined twice (%s, %s)", path, lineno, nr,
			hdr_names[nr], name);
		return;
	}
	memcpy(hdr_names[nr], name, n + 1);
	(*count)++;
}

/* 0 and the number of definitions in *ret_count, or -1 if the file cannot be read. */
static int read_header(const char *path, unsigned int *ret_count)
{
	char line[512];
	unsigned int lineno = 0, count = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		parse_line(line, path, ++lineno, &count);
	}
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	*ret_count = count;
	return 0;
}

static bool uses_a(unsigned int kind)
{
	return kind != E_NONE && kind != E_HOOK;
}

static bool uses_b(unsigned int kind)
{
	return kind == E_OUT_ARG || kind == E_OUT_ARGN || kind == E_OUT_PLEN ||
	       kind == E_IOV_RET || kind == E_IOV_ALL;
}

/* The checks one row can fail on its own. */
static void check_row(long nr, const struct sc_desc *d)
{
	const uint16_t known_flags = SC_RET_FD | SC_NO_RECORD_EXEC | SC_CLOSES_FD | SC_DUPS_FD |
				     SC_WRITES_FD;
	bool has_hook_effect = false, seen_none = false;

	if (d->nr != nr)
		problem("%s: row %ld says nr %d", d->name, nr, d->nr);
	if (!d->name[0])
		problem("row %ld: empty name", nr);
	if (d->nargs > 6)
		problem("%s: nargs %u > 6", d->name, d->nargs);
	if (d->replay >= SC_REPLAY__COUNT)
		problem("%s: replay class %u unknown", d->name, d->replay);
	if (d->flags & ~known_flags)
		problem("%s: unknown flags 0x%x", d->name, d->flags & ~known_flags);
	if ((d->flags & SC_DUPS_FD) && !(d->flags & SC_RET_FD))
		problem("%s: SC_DUPS_FD without SC_RET_FD", d->name);
	if (strcmp(sc_name(nr), d->name))
		problem("%s: sc_name(%ld) = %s", d->name, nr, sc_name(nr));
	for (size_t i = 0; i < SC_MAX_EFFECTS; i++) {
		const struct sc_effect *e = &d->eff[i];

		if (e->kind >= E_KIND__COUNT) {
			problem("%s: effect %zu: kind %u unknown", d->name, i, e->kind);
			continue;
		}
		if (e->kind == E_NONE) {
			seen_none = true;
			continue;
		}
		if (seen_none)
			problem("%s: effect %zu follows NONE", d->name, i);
		if (e->kind == E_HOOK)
			has_hook_effect = true;
		if (uses_a(e->kind) && e->a >= d->nargs)
			problem("%s: effect %zu: arg %u >= nargs %u", d->name, i, e->a, d->nargs);
		if (uses_b(e->kind) && e->b >= d->nargs)
			problem("%s: effect %zu: arg %u >= nargs %u", d->name, i, e->b, d->nargs);
		if (uses_b(e->kind) && e->a == e->b)
			problem("%s: effect %zu: pointer and length are both arg %u", d->name, i,
				e->a);
		if ((e->kind == E_OUT || e->kind == E_OUT_ARGN) && !e->n)
			problem("%s: effect %zu: size 0", d->name, i);
		if (e->c & ~E_CAP_RET)
			problem("%s: effect %zu: unknown flags 0x%x", d->name, i, e->c);
		if ((e->c & E_CAP_RET) && e->kind != E_OUT_ARG && e->kind != E_OUT_ARGN)
			problem("%s: effect %zu: E_CAP_RET on a kind that ignores it", d->name, i);
	}
	if (has_hook_effect && !d->hook)
		problem("%s: HOOK effect but no hook", d->name);
	if (!has_hook_effect && d->hook)
		problem("%s: a hook but no HOOK effect: it would never run", d->name);
}

static void print_stats(void)
{
	static const char *const classes[SC_REPLAY__COUNT] = {
		[SC_EMU] = "emu", [SC_EXEC] = "exec", [SC_MMAP] = "mmap",
		[SC_EXECVE] = "execve", [SC_EXIT] = "exit", [SC_SIGRETURN] = "sigreturn",
		[SC_CLONE] = "clone",
		[SC_UNSUPPORTED] = "unsupported",
	};
	unsigned int by_class[SC_REPLAY__COUNT] = { 0 };
	unsigned int hooks = 0, outputs = 0, ret_fd = 0;

	for (long nr = 0; nr < SC_MAX_NR; nr++) {
		const struct sc_desc *d = sc_lookup(nr);

		if (!d || d->replay >= SC_REPLAY__COUNT)
			continue;
		by_class[d->replay]++;
		hooks += d->hook != NULL;
		outputs += d->eff[0].kind != E_NONE;
		ret_fd += !!(d->flags & SC_RET_FD);
	}
	for (int c = 0; c < SC_REPLAY__COUNT; c++)
		printf("%-12s %u\n", classes[c], by_class[c]);
	printf("%-12s %u\n%-12s %u\n%-12s %u\n", "hooks", hooks, "outputs", outputs, "ret_fd",
	       ret_fd);
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	bool stats = false;
	unsigned int rows = 0, defined = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--stats")) {
			stats = true;
		} else if (argv[i][0] == '-' || path) {
			fprintf(stderr, "usage: check_syscall_table [--stats] [HEADER]\n");
			return 1;
		} else {
			path = argv[i];
		}
	}
	if (path) {
		if (read_header(path, &defined)) {
			problem("cannot read %s: %s", path, strerror(errno));
			return 1;
		}
	} else {
		for (size_t h = 0; h < ARRAY_SIZE(default_headers) && !path; h++) {
			if (!read_header(default_headers[h], &defined))
				path = default_headers[h];
		}
		if (!path) {
			problem("cannot read %s", default_headers[0]);
			return 1;
		}
	}
	if (defined < MIN_SYSCALLS) {
		problem("%s: only %u syscalls defined; is it <asm/unistd_64.h>?", path, defined);
		return 1;
	}

	for (long nr = 0; nr < SC_MAX_NR; nr++) {
		const struct sc_desc *d = sc_lookup(nr);

		if (hdr_names[nr][0] && !d) {
			problem("%s (%ld): no row", hdr_names[nr], nr);
		} else if (d && !hdr_names[nr][0]) {
			problem("%s (%ld): row for a number %s does not define", d->name, nr, path);
		} else if (d && strcmp(d->name, hdr_names[nr])) {
			problem("row %ld is named %s, the header says %s", nr, d->name,
				hdr_names[nr]);
		}
		if (!d) {
			char want[32];

			snprintf(want, sizeof(want), "syscall_%ld", nr);
			if (strcmp(sc_name(nr), want))
				problem("sc_name(%ld) = %s, not %s", nr, sc_name(nr), want);
			continue;
		}
		rows++;
		check_row(nr, d);
		for (long other = 0; other < nr; other++) {
			const struct sc_desc *o = sc_lookup(other);

			if (o && !strcmp(o->name, d->name))
				problem("%s: rows %ld and %ld", d->name, other, nr);
		}
	}
	if (sc_lookup(-1) || sc_lookup(SC_MAX_NR))
		problem("sc_lookup() answers outside 0..SC_MAX_NR-1");

	if (problems) {
		printf("syscall table: %u rows, %u problems\n", rows, problems);
		return 1;
	}
	if (stats)
		print_stats();
	printf("syscall table: %u rows, ok\n", rows);
	return 0;
}
