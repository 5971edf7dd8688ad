/* SPDX-License-Identifier: Apache-2.0 */
/* The container's root file system: spec mounts resolved inside it, /dev, pivot_root. */
#ifndef HULL_ROOTFS_H
#define HULL_ROOTFS_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/spec/spec.h"

struct hull_rootfs {
	const struct hull_spec *spec;
	const char *bundle;	 /* absolute; relative bind sources are resolved against it */
	const char *rootfs;	 /* absolute host path of root.path */
	const char *cgroup_path; /* the container's cgroup, for `cgroup` mounts */
	const struct hull_cgroups *cgroups;
	const int *bind_fds; /* per spec mount, its source opened by the runtime; may be NULL */
	bool userns;	     /* in a new user namespace: device nodes are bind mounts */
	bool cgroupns;	     /* in a new cgroup namespace: cgroup mounts are fresh */
	bool console;	     /* process.terminal: /dev/console gets the pty */
};

/* In the container's new mount namespace, before pivot_root: propagation, the rootfs bind,
 * the spec's mounts in order, /dev nodes and links. */
int hull_rootfs_prepare(const struct hull_rootfs *r, struct hull_err *err);

/* pivot_root into the rootfs (chroot when no_pivot), then the requested propagation. */
int hull_rootfs_pivot(const struct hull_rootfs *r, bool no_pivot, struct hull_err *err);

/* After pivot_root, before the root is made read-only: a missing cwd is made (0755, as the
 * container's root; runc and crun do so), resolved inside the root. */
int hull_rootfs_make_cwd(const char *cwd, struct hull_err *err);

/* After pivot_root: a read-only root if asked for. */
int hull_rootfs_finalize(const struct hull_rootfs *r, struct hull_err *err);

/* copyup.c: fill the tmpfs just mounted (mounted, an open directory) with the contents of
 * the directory it covers (under, opened before the mount), owners, modes and links
 * kept: the tmpcopyup mount option. */
int hull_tmpcopyup(int under, int mounted, const char *destination, struct hull_err *err);

/* masks.c: linux.maskedPaths and linux.readonlyPaths, after pivot_root. */
int hull_masks_apply(const struct hull_spec *spec, struct hull_err *err);

/* devices.c: default device nodes, linux.devices, the /dev links. */
int hull_devices_setup(const struct hull_rootfs *r, int rootfd, struct hull_err *err);

#endif
