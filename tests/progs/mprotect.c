/* SPDX-License-Identifier: MIT */
/*
 * mprotect: change page protections and print the addresses; a write to a
 * PROT_READ page raises SIGSEGV, whose handler checks si_addr and makes the
 * page writable with mprotect() from inside the handler, so that the write
 * is retried and succeeds when the handler returns.
 */
#include "util.h"

#include <signal.h>

static char *volatile pages;
static volatile int faults;
static void *volatile fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	size_t ps = page_size();
	char *page = (char *)((uintptr_t)si->si_addr & ~(uintptr_t)(ps - 1));

	(void)ctx;
	if (sig != SIGSEGV || page < pages || page >= pages + 4 * ps)
		_exit(3);
	faults++;
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	if (mprotect(page, ps, PROT_READ | PROT_WRITE) != 0)
		_exit(4);
}

int main(void)
{
	size_t ps = page_size();
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	size_t i;

	say("pid %d\n", (int)getpid());
	test_assert(sigaction(SIGSEGV, &sa, NULL) == 0);
	pages = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_assert(pages != MAP_FAILED);
	say("pages at %p\n", (void *)pages);
	for (i = 0; i < 4; i++)
		pages[i * ps] = (char)('a' + i);

	test_assert(mprotect(pages + ps, ps, PROT_READ) == 0);
	test_assert(mprotect(pages + 2 * ps, 2 * ps, PROT_NONE) == 0);
	say("protected %p (read-only) and %p (none)\n", (void *)(pages + ps),
	    (void *)(pages + 2 * ps));
	test_assert(pages[ps] == 'b');

	errno = 0;
	test_assert(mprotect(pages + 1, ps, PROT_READ) == -1 && errno == EINVAL);
	say("unaligned mprotect: errno %d\n", errno);

	/* Write to the read-only page: the handler unprotects it. */
	pages[ps + 10] = 'X';
	say("fault 1 at %p code %d, faults %d, byte %c\n", fault_addr, fault_code, faults,
	    pages[ps + 10]);
	test_assert(faults == 1 && fault_addr == pages + ps + 10 && fault_code == SEGV_ACCERR);

	/* Read from the PROT_NONE page: same again. */
	say("read after fault: %c\n", pages[3 * ps]);
	say("fault 2 at %p code %d, faults %d\n", fault_addr, fault_code, faults);
	test_assert(faults == 2 && fault_addr == pages + 3 * ps);

	test_assert(mprotect(pages, 4 * ps, PROT_READ | PROT_WRITE | PROT_EXEC) == 0 ||
		    errno == EACCES);
	test_assert(munmap(pages, 4 * ps) == 0);
	say("EXIT-SUCCESS\n");
	return 0;
}
