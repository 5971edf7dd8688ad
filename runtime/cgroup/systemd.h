/* SPDX-License-Identifier: Apache-2.0 */
/* The systemd cgroup driver (hull-oci --systemd-cgroup): the container's cgroup is a
 * transient scope unit with Delegate=yes that systemd makes over D-Bus, the init placed in it
 * by the PIDs property; linux.resources become unit properties where systemd has them, so a
 * daemon-reload keeps them, and cgroupfs writes otherwise (docs/architecture.md). */
#ifndef HULL_CGROUP_SYSTEMD_H
#define HULL_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup_res.h"

/* The scope prefix when cgroupsPath is empty: unit hull-<id>.scope in system.slice. */
#define HULL_SD_DEFAULT_PREFIX "hull"
#define HULL_SD_DEFAULT_SLICE  "system.slice"

struct hull_sd_unit {
	char *slice; /* "system.slice" */
	char *name;  /* "docker-<id>.scope" */
	char *path;  /* its cgroup, as systemd places it: "/system.slice/docker-<id>.scope" */
};

/* cgroupsPath in runc's "slice:prefix:name" form (NULL or "": "system.slice:hull:<id>"; an
 * empty slice is system.slice; an empty prefix gives "<name>.scope"). */
int hull_sd_unit_parse(const char *cgroups_path, const char *id, struct hull_sd_unit *u,
		       struct hull_err *err);
void hull_sd_unit_free(struct hull_sd_unit *u);

/* A slice's cgroup: "a-b.slice" -> "/a.slice/a-b.slice", "-.slice" -> "" (malloc'd). */
char *hull_sd_slice_path(const char *slice, struct hull_err *err);

/* The unit of a cgroup path the driver made: its last component (points into path). */
const char *hull_sd_unit_of_path(const char *path);

/* Whether systemd takes the v2 property names (MemoryMax, CPUWeight, IOWeight): a cgroup2
 * /sys/fs/cgroup; else the v1 ones (MemoryLimit, CPUShares, BlockIOWeight). */
bool hull_sd_unified(void);

/* The sections of r (within mask) that unit properties express entirely; the cgroupfs
 * writers apply the others. */
unsigned hull_sd_covered(const struct hull_cg_resources *r, unsigned mask, bool unified);

/* Whether systemd runs this system (as sd_booted() checks); err says so when not. */
int hull_sd_check_running(struct hull_err *err);

/* Start the scope holding pid, with r's properties (devices from r and lx), and wait for
 * systemd's job.  A failed unit of the same name left by an earlier container is reset. */
int hull_sd_scope_start(const struct hull_sd_unit *u, pid_t pid, const struct hull_cg_resources *r,
			const struct hull_linux *lx, struct hull_err *err);
/* update: the properties of the sections in mask (SetUnitProperties, runtime). */
int hull_sd_unit_set(const char *unit, const struct hull_cg_resources *r, unsigned mask,
		     struct hull_err *err);
/* Kill what is left in the unit's tree, stop it and wait; a unit systemd already collected
 * is not an error. */
int hull_sd_unit_stop(const char *unit, struct hull_err *err);

#endif
