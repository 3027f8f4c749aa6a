/* SPDX-License-Identifier: MIT */
/*
 * hooks_ioctl.c: the outputs of ioctl(fd, request, arg), by request.
 *
 * Order of decisions: requests whose output has a variable tail (SIOCGIFCONF,
 * FS_IOC_FIEMAP, FIDEDUPERANGE) have a handler; requests without direction
 * bits (the legacy tty, socket and block ones, which write output anyway)
 * must be in known_ioctls[]; any other request is decoded from its _IOC
 * encoding: _IOC_READ means the kernel writes _IOC_SIZE bytes at arg.
 * A request without direction bits that is not known is unsupported (the
 * encoding says nothing about what it writes) unless it failed with -ENOTTY or
 * -EBADF, which mean that nothing looked at it. Requests whose encoded struct
 * holds pointers to further output buffers (DRM, V4L2, btrfs, SIOCETHTOOL...)
 * are only reported as far as the struct itself; add a handler when one
 * matters.
 */
#include <errno.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/serial.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>

#include "syscalls/syscalls_int.h"

struct known_ioctl {
	uint32_t req;
	uint32_t size; /* bytes written at arg; 0 for none */
};

/* Every legacy request (no direction bits) that we know, with its output size. */
static const struct known_ioctl known_ioctls[] = {
	/* terminals: <asm-generic/ioctls.h> */
	{ TCGETS, sizeof(struct sc_ktermios) },
	{ TCSETS, 0 },
	{ TCSETSW, 0 },
	{ TCSETSF, 0 },
	{ TCGETA, sizeof(struct sc_ktermio) },
	{ TCSETA, 0 },
	{ TCSETAW, 0 },
	{ TCSETAF, 0 },
	{ TCSBRK, 0 },
	{ TCXONC, 0 },
	{ TCFLSH, 0 },
	{ TIOCEXCL, 0 },
	{ TIOCNXCL, 0 },
	{ TIOCSCTTY, 0 },
	{ TIOCGPGRP, sizeof(pid_t) },
	{ TIOCSPGRP, 0 },
	{ TIOCOUTQ, sizeof(int) },
	{ TIOCSTI, 0 },
	{ TIOCGWINSZ, sizeof(struct winsize) },
	{ TIOCSWINSZ, 0 },
	{ TIOCMGET, sizeof(int) },
	{ TIOCMBIS, 0 },
	{ TIOCMBIC, 0 },
	{ TIOCMSET, 0 },
	{ TIOCGSOFTCAR, sizeof(int) },
	{ TIOCSSOFTCAR, 0 },
	{ FIONREAD, sizeof(int) },
	{ TIOCCONS, 0 },
	{ TIOCGSERIAL, sizeof(struct serial_struct) },
	{ TIOCSSERIAL, 0 },
	{ TIOCPKT, 0 },
	{ FIONBIO, 0 },
	{ TIOCNOTTY, 0 },
	{ TIOCSETD, 0 },
	{ TIOCGETD, sizeof(int) },
	{ TCSBRKP, 0 },
	{ TIOCSBRK, 0 },
	{ TIOCCBRK, 0 },
	{ TIOCGSID, sizeof(pid_t) },
	{ TIOCVHANGUP, 0 },
	{ TIOCGPTPEER, 0 }, /* returns a new fd */
	{ FIONCLEX, 0 },
	{ FIOCLEX, 0 },
	{ FIOASYNC, 0 },
	{ TIOCSERCONFIG, 0 },
	{ TIOCSERGWILD, sizeof(int) },
	{ TIOCSERSWILD, 0 },
	{ TIOCGLCKTRMIOS, sizeof(struct sc_ktermios) },
	{ TIOCSLCKTRMIOS, 0 },
	{ TIOCSERGETLSR, sizeof(unsigned int) },
	{ TIOCMIWAIT, 0 },
	{ TIOCGICOUNT, sizeof(struct serial_icounter_struct) },
	{ FIOQSIZE, sizeof(loff_t) },
	/* files and block devices: <linux/fs.h> */
	{ FIBMAP, sizeof(int) },
	{ FIGETBSZ, sizeof(int) },
	{ BLKROSET, 0 },
	{ BLKROGET, sizeof(int) },
	{ BLKRRPART, 0 },
	{ BLKGETSIZE, sizeof(unsigned long) },
	{ BLKFLSBUF, 0 },
	{ BLKRASET, 0 },
	{ BLKRAGET, sizeof(long) },
	{ BLKFRASET, 0 },
	{ BLKFRAGET, sizeof(long) },
	{ BLKSECTSET, 0 },
	{ BLKSECTGET, sizeof(unsigned short) },
	{ BLKSSZGET, sizeof(int) },
	{ BLKDISCARD, 0 },
	{ BLKSECDISCARD, 0 },
	{ BLKZEROOUT, 0 },
	{ BLKIOMIN, sizeof(unsigned int) },
	{ BLKIOOPT, sizeof(unsigned int) },
	{ BLKALIGNOFF, sizeof(int) },
	{ BLKPBSZGET, sizeof(unsigned int) },
	{ BLKDISCARDZEROES, sizeof(unsigned int) },
	{ BLKROTATIONAL, sizeof(unsigned short) },
	/* sockets: <linux/sockios.h> */
	{ FIOSETOWN, 0 },
	{ SIOCSPGRP, 0 },
	{ FIOGETOWN, sizeof(int) },
	{ SIOCGPGRP, sizeof(int) },
	{ SIOCATMARK, sizeof(int) },
	{ SIOCGSTAMP_OLD, sizeof(struct timeval) },
	{ SIOCGSTAMPNS_OLD, sizeof(struct timespec) },
	{ SIOCOUTQNSD, sizeof(int) },
	{ SIOCGSKNS, 0 }, /* returns a new fd */
	{ SIOCADDRT, 0 },
	{ SIOCDELRT, 0 },
	{ SIOCGIFNAME, sizeof(struct ifreq) },
	{ SIOCGIFFLAGS, sizeof(struct ifreq) },
	{ SIOCSIFFLAGS, 0 },
	{ SIOCGIFADDR, sizeof(struct ifreq) },
	{ SIOCSIFADDR, 0 },
	{ SIOCGIFDSTADDR, sizeof(struct ifreq) },
	{ SIOCSIFDSTADDR, 0 },
	{ SIOCGIFBRDADDR, sizeof(struct ifreq) },
	{ SIOCSIFBRDADDR, 0 },
	{ SIOCGIFNETMASK, sizeof(struct ifreq) },
	{ SIOCSIFNETMASK, 0 },
	{ SIOCGIFMETRIC, sizeof(struct ifreq) },
	{ SIOCSIFMETRIC, 0 },
	{ SIOCGIFMTU, sizeof(struct ifreq) },
	{ SIOCSIFMTU, 0 },
	{ SIOCSIFNAME, 0 },
	{ SIOCSIFHWADDR, 0 },
	{ SIOCGIFHWADDR, sizeof(struct ifreq) },
	{ SIOCGIFSLAVE, sizeof(struct ifreq) },
	{ SIOCSIFSLAVE, 0 },
	{ SIOCADDMULTI, 0 },
	{ SIOCDELMULTI, 0 },
	{ SIOCGIFINDEX, sizeof(struct ifreq) },
	{ SIOCSIFPFLAGS, 0 },
	{ SIOCGIFPFLAGS, sizeof(struct ifreq) },
	{ SIOCDIFADDR, 0 },
	{ SIOCSIFHWBROADCAST, 0 },
	{ SIOCGIFTXQLEN, sizeof(struct ifreq) },
	{ SIOCSIFTXQLEN, 0 },
	{ SIOCGIFMAP, sizeof(struct ifreq) },
	{ SIOCSIFMAP, 0 },
	{ SIOCGMIIPHY, sizeof(struct ifreq) },
	{ SIOCGMIIREG, sizeof(struct ifreq) },
	{ SIOCSMIIREG, 0 },
	{ SIOCGARP, sizeof(struct arpreq) },
	{ SIOCSARP, 0 },
	{ SIOCDARP, 0 },
};

/* SIOCGIFCONF: struct ifconf, then ifc_len bytes (as updated) at ifc_buf. */
static int ioctl_ifconf(struct sc_call *call)
{
	struct {
		int32_t len;
		uint32_t pad;
		uint64_t buf;
	} ifc;
	uint64_t arg = call->args[2];
	int err;

	_Static_assert(sizeof(ifc) == sizeof(struct ifconf), "struct ifconf layout");
	if (!arg)
		return 0;
	err = sc_read(call, arg, &ifc, sizeof(ifc));
	if (err)
		return err < 0 ? err : 0;
	err = sc_report(call, arg, sizeof(ifc));
	if (err || ifc.len <= 0)
		return err;
	return sc_report(call, ifc.buf, (uint64_t)ifc.len);
}

/* FS_IOC_FIEMAP: the header, and fm_mapped_extents extents if fm_extent_count > 0. */
static int ioctl_fiemap(struct sc_call *call)
{
	struct fiemap fm;
	uint64_t arg = call->args[2];
	uint64_t n;
	int err;

	if (!arg)
		return 0;
	err = sc_read(call, arg, &fm, sizeof(fm));
	if (err)
		return err < 0 ? err : 0;
	n = fm.fm_extent_count ? MIN(fm.fm_mapped_extents, fm.fm_extent_count) : 0;
	return sc_report(call, arg, sizeof(fm) + n * sizeof(struct fiemap_extent));
}

/* FIDEDUPERANGE: the header and dest_count results. */
static int ioctl_dedupe(struct sc_call *call)
{
	const uint64_t info_size = sizeof(struct file_dedupe_range_info);
	struct file_dedupe_range r;
	uint64_t arg = call->args[2];
	int err;

	if (!arg)
		return 0;
	err = sc_read(call, arg, &r, sizeof(r));
	if (err)
		return err < 0 ? err : 0;
	return sc_report(call, arg, sizeof(r) + r.dest_count * info_size);
}

int sc_hook_ioctl(struct sc_call *call, const char **ret_what)
{
	uint32_t req = (uint32_t)call->args[1];
	uint64_t arg = call->args[2];

	switch (req) {
	case SIOCGIFCONF:
		return ioctl_ifconf(call);
	case FS_IOC_FIEMAP:
		return ioctl_fiemap(call);
	case FIDEDUPERANGE:
		return ioctl_dedupe(call);
	}
	for (size_t i = 0; i < ARRAY_SIZE(known_ioctls); i++) {
		if (known_ioctls[i].req == req)
			return sc_report(call, arg, known_ioctls[i].size);
	}
	if (_IOC_DIR(req) == _IOC_NONE) {
		/* No driver took it: nothing was written, nothing to stop for. */
		if (call->ret == -ENOTTY || call->ret == -EBADF)
			return 0;
		return sc_unsupported(ret_what, "ioctl 0x%x", req);
	}
	if (_IOC_DIR(req) & _IOC_READ)
		return sc_report(call, arg, _IOC_SIZE(req));
	return 0;
}
