/* SPDX-License-Identifier: Apache-2.0 */
/* The two cgroup drivers behind one set of calls: cgroupfs (hull's own mkdir, writes and
 * rmdir: cgroup.h) and systemd (a transient scope: systemd.h).  A container's driver is
 * chosen at create (--systemd-cgroup) and recorded in its state for the later commands. */
#ifndef HULL_CGROUP_DRIVER_H
#define HULL_CGROUP_DRIVER_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup_res.h"

/* The cgroup of a new container (malloc'd); NULL with err for a cgroupsPath the driver
 * cannot take. */
char *hull_cgroup_driver_path(const struct hull_cgroups *cg, bool systemd, const char *spec_path,
			      const char *id, struct hull_err *err);

/* create: place pid in its cgroup and apply lx->resources with what the level adds (x).
 * On failure nothing made is left (no directory, no unit). */
int hull_cgroup_driver_enter(const struct hull_cgroups *cg, bool systemd, const char *path,
			     pid_t pid, const struct hull_linux *lx, const struct hull_cg_extra *x,
			     struct hull_err *err);

/* update: apply the sections in mask of r (all the recorded resources). */
int hull_cgroup_driver_update(const struct hull_cgroups *cg, bool systemd, const char *path,
			      const struct hull_cg_resources *r, unsigned mask,
			      struct hull_err *err);

/* delete: remove the cgroup (and stop the unit); its processes must be gone. */
int hull_cgroup_driver_remove(const struct hull_cgroups *cg, bool systemd, const char *path,
			      struct hull_err *err);

#endif
