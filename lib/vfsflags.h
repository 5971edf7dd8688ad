/* SPDX-License-Identifier: Apache-2.0 */
/* The MS_* flags a mount has now, from statvfs: a bind remount must repeat the ones it keeps
 * (the kernel refuses to clear flags locked by a user namespace).  Header-only, so the VM
 * guest's static init (vm/guest/masks.c) shares it without linking the runtime. */
#ifndef HULL_VFSFLAGS_H
#define HULL_VFSFLAGS_H

#include <sys/mount.h>
#include <sys/statvfs.h>

/* Flags the kernel locks on a mount seen from a user namespace: a remount must keep them. */
#define HULL_LOCKED_FLAGS                                                                          \
	(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_NOATIME | MS_NODIRATIME | MS_RELATIME)

#define HULL_PROPAGATION_MASK (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

/* Those of mask (MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_RDONLY, MS_NOATIME, MS_NODIRATIME,
 * MS_RELATIME) that target's mount has; 0 when it cannot be read. */
static inline unsigned long hull_vfs_flags(const char *target, unsigned long mask)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ST_NOSUID, MS_NOSUID},	    {ST_NODEV, MS_NODEV},
		{ST_NOEXEC, MS_NOEXEC},	    {ST_RDONLY, MS_RDONLY},
		{ST_NOATIME, MS_NOATIME},   {ST_NODIRATIME, MS_NODIRATIME},
		{ST_RELATIME, MS_RELATIME},
	};
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(target, &sv) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sv.f_flag & map[i].st)
			f |= map[i].ms;
	return f & mask;
}

#endif
