/* SPDX-License-Identifier: MIT */
/*
 * uname_sysinfo: uname(), sysinfo() (uptime, memory, process count: they
 * change between runs), getrusage() for self, and gethostname().
 */
#include "util.h"

#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	struct sysinfo si;
	struct rusage ru;
	char host[256];

	say("pid %d\n", (int)getpid());
	test_assert(uname(&u) == 0);
	say("uname: %s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
	test_assert(strcmp(u.sysname, "Linux") == 0);
	test_assert(gethostname(host, sizeof(host)) == 0);
	say("hostname %s\n", host);

	test_assert(sysinfo(&si) == 0);
	say("sysinfo: uptime %ld loads %lu %lu %lu totalram %lu freeram %lu procs %u unit %u\n",
	    si.uptime, si.loads[0], si.loads[1], si.loads[2], si.totalram, si.freeram,
	    (unsigned)si.procs, si.mem_unit);
	test_assert(si.uptime > 0 && si.procs > 0);

	test_assert(getrusage(RUSAGE_SELF, &ru) == 0);
	say("rusage: utime %ld.%06ld stime %ld.%06ld maxrss %ld minflt %ld majflt %ld nvcsw %ld "
	    "nivcsw %ld\n",
	    (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
	    (long)ru.ru_stime.tv_usec, ru.ru_maxrss, ru.ru_minflt, ru.ru_majflt, ru.ru_nvcsw,
	    ru.ru_nivcsw);
	test_assert(ru.ru_maxrss > 0);
	test_assert(getrusage(RUSAGE_CHILDREN, &ru) == 0);
	say("children maxrss %ld\n", ru.ru_maxrss);
	say("EXIT-SUCCESS\n");
	return 0;
}
