/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process's capabilities, no_new_privs and seccomp filter, applied in the guest as the
 * container executor applies them (runtime/process.c, runtime/caps.c): bounding set first,
 * capabilities kept across the uid change, then effective/permitted/inheritable and ambient,
 * then no_new_privs; the filter first when no_new_privs is off (loading it then needs
 * CAP_SYS_ADMIN), else last, just before execve.  The host turned the spec's names into masks
 * and compiled the filter (libcap, libseccomp): nothing of either is linked in here.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm/guest/guest.h"

/* The highest capability the running kernel knows: PR_CAPBSET_READ refuses the others (no
 * /proc needed, the container may not mount it). */
static int last_cap(void)
{
	int v;
	for (v = 0; v < 64; v++)
		if (prctl(PR_CAPBSET_READ, (unsigned long)v, 0, 0, 0) < 0)
			break;
	return v - 1;
}

/* Capabilities newer than the guest kernel cannot be granted: left out, as container mode
 * skips what the host kernel lacks. */
static unsigned long long known_caps(void)
{
	int last = last_cap();
	return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

static int load_filter(const struct guest_seccomp *f, struct hull_err *err)
{
	struct sock_fprog prog = {.len = f->len, .filter = f->insns};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog) < 0)
		return hull_error(err, errno, "load the seccomp filter (flags %#x)", f->flags);
	return 0;
}

int guest_security_before_user(const struct guest_config *c, struct hull_err *err)
{
	int v, last = last_cap();

	if (!c->no_new_privs && c->seccomp && load_filter(c->seccomp, err) < 0)
		return -1;
	if (!c->has_caps)
		return 0;
	for (v = 0; v <= last; v++)
		if (!(c->caps[GUEST_CAP_BOUNDING] & 1ULL << v) &&
		    prctl(PR_CAPBSET_DROP, (unsigned long)v, 0, 0, 0) < 0)
			return hull_error(err, errno, "drop capability %d from the bounding set",
					  v);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hull_error(err, errno, "keep capabilities across setuid");
	return 0;
}

static int capset_masks(unsigned long long eff, unsigned long long prm, unsigned long long inh)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {
		{.effective = (__u32)eff, .permitted = (__u32)prm, .inheritable = (__u32)inh},
		{.effective = (__u32)(eff >> 32),
		 .permitted = (__u32)(prm >> 32),
		 .inheritable = (__u32)(inh >> 32)},
	};
	return (int)syscall(SYS_capset, &hdr, d);
}

int guest_security_after_user(const struct guest_config *c, struct hull_err *err)
{
	unsigned long long known = known_caps(), amb;
	int v;

	if (!c->has_caps) {
		/* no capabilities section: the process keeps what it has, but nothing inheritable
		 * or ambient passes on (as in container mode) */
		struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
		struct __user_cap_data_struct d[2];
		if (syscall(SYS_capget, &hdr, d) < 0)
			return hull_error(err, errno, "get capabilities");
		d[0].inheritable = d[1].inheritable = 0;
		if (syscall(SYS_capset, &hdr, d) < 0)
			return hull_error(err, errno, "clear inheritable capabilities");
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
			return hull_error(err, errno, "clear ambient capabilities");
	} else {
		if (capset_masks(c->caps[GUEST_CAP_EFFECTIVE] & known,
				 c->caps[GUEST_CAP_PERMITTED] & known,
				 c->caps[GUEST_CAP_INHERITABLE] & known) < 0)
			return hull_error(err, errno, "set capabilities (permitted %#llx)",
					  c->caps[GUEST_CAP_PERMITTED] & known);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
			return hull_error(err, errno, "clear ambient capabilities");
		amb = c->caps[GUEST_CAP_AMBIENT] & known;
		for (v = 0; v < 64; v++)
			if ((amb & 1ULL << v) &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)v, 0, 0) < 0)
				return hull_error(err, errno, "ambient capability %d", v);
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hull_error(err, errno, "set no_new_privs");
	return 0;
}

int guest_security_last(const struct guest_config *c, struct hull_err *err)
{
	if (c->no_new_privs && c->seccomp)
		return load_filter(c->seccomp, err);
	return 0;
}
