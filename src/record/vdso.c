// SPDX-License-Identifier: MIT
/*
 * record: the vDSO and the rewind page. vDSO functions read the clock from
 * shared memory without entering the kernel, so nothing could record them;
 * each exported function is overwritten with `mov $NR, %eax; syscall; ret`
 * so it becomes an ordinary, recordable syscall. The rewind page holds a
 * `syscall` instruction for remote syscalls and a scratch area for strings.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "record/record.h"
#include "task/task.h"

static const struct {
	const char *name;
	int nr;
} vdso_funcs[] = {
	{ "clock_gettime", SYS_clock_gettime },
	{ "gettimeofday", SYS_gettimeofday },
	{ "time", SYS_time },
	{ "getcpu", SYS_getcpu },
	{ "clock_getres", SYS_clock_getres },
	{ "getrandom", SYS_getrandom },
};

static int vdso_nr(const char *name)
{
	if (!strncmp(name, "__vdso_", 7))
		name += 7;
	for (size_t i = 0; i < ARRAY_SIZE(vdso_funcs); i++)
		if (!strcmp(name, vdso_funcs[i].name))
			return vdso_funcs[i].nr;
	return -1;
}

int rec_patch_vdso(struct task *t, uint64_t start, uint64_t end)
{
	size_t len = end - start;
	unsigned char *img = xmalloc(len);
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	GElf_Phdr ph;
	uint64_t base = 0;
	size_t nph;
	int err, patched = 0;

	err = task_read(t, start, img, len);
	if (err)
		goto out;
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)img, len);
	if (!elf || elf_getphdrnum(elf, &nph)) {
		err = -ENOEXEC;
		goto out;
	}
	for (size_t i = 0; i < nph; i++)
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
			base = ph.p_vaddr;
			break;
		}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			int nr;
			if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || (nr = vdso_nr(name)) < 0)
				continue;
			uint64_t off = sym.st_value - base;
			unsigned char code[8] = { 0xb8, 0, 0, 0, 0, 0x0f, 0x05, 0xc3 };
			memcpy(code + 1, &nr, 4);
			if (off + sizeof(code) > len) {
				err = -ENOEXEC;
				goto out;
			}
			err = task_write(t, start + off, code, sizeof(code));
			if (err)
				goto out;
			patched++;
		}
	}
	err = patched ? 0 : -ENOEXEC;
out:
	if (elf)
		elf_end(elf);
	free(img);
	return err;
}

int rec_map_rewind_page(struct task *t, bool *ret_pool)
{
	uint64_t pool[6] = { REWIND_POOL_ADDR, REWIND_POOL_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
			     (uint64_t)-1, 0 };
	static const unsigned char code[] = { 0x0f, 0x05, 0xcc }; /* syscall; int3 */
	uint64_t args[6] = { REWIND_PAGE_ADDR, REWIND_PAGE_SIZE, PROT_READ | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, 0 };
	int64_t ret;
	int err;

	t->syscall_insn = 0;
	err = task_remote_syscall(t, SYS_mmap, args, &ret);
	if (err)
		return err;
	if ((uint64_t)ret != REWIND_PAGE_ADDR)
		return ret < 0 ? (int)ret : -EEXIST;
	err = task_write(t, REWIND_PAGE_SYSCALL, code, sizeof(code));
	if (err)
		return err;
	t->syscall_insn = REWIND_PAGE_SYSCALL;
	err = task_remote_syscall(t, SYS_mmap, pool, &ret);
	if (ret_pool)
		*ret_pool = !err && (uint64_t)ret == REWIND_POOL_ADDR;
	return err;
}
