/* SPDX-License-Identifier: Apache-2.0 */
/* Placing a container in its cgroup on cgroup v1, hybrid and v2 hosts, and removing it. */
#ifndef HULL_CGROUP_H
#define HULL_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"

struct hull_cgroup_hier {
	char *mountpoint;  /* "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified", ... */
	char *controllers; /* v1 super options ("cpu,cpuacct", "name=systemd"); "" for v2 */
	char *own;	   /* this process's cgroup in it, from /proc/self/cgroup */
	bool v2;
};

struct hull_cgroups {
	struct hull_cgroup_hier *h;
	size_t n;
};

/* The cgroup hierarchies mounted on the host, read from /proc/self/mountinfo. */
int hull_cgroups_discover(struct hull_cgroups *cg, struct hull_err *err);
void hull_cgroups_free(struct hull_cgroups *cg);

/* cgroupsPath as the spec gives it (NULL or "" = default "/hull/<id>"; relative = below this
 * process's own cgroup) -> the absolute path used in every hierarchy.  malloc'd. */
char *hull_cgroup_resolve_path(const struct hull_cgroups *cg, const char *spec_path,
			       const char *id);

/* mkdir the cgroup in every hierarchy (v1 cpuset gets its parent's cpus/mems) and move pid
 * into it.  On failure nothing created is left behind. */
int hull_cgroup_enter(const struct hull_cgroups *cg, const char *path, pid_t pid,
		      struct hull_err *err);

/* Move pid into an existing cgroup (exec): every hierarchy where it exists; nothing is
 * created or removed. */
int hull_cgroup_join(const struct hull_cgroups *cg, const char *path, pid_t pid,
		     struct hull_err *err);

/* exec --cgroup ARG...: like hull_cgroup_join, into the sub-cgroups ARG names below path
 * (SUB, given alone, in every hierarchy; CTRL[,CTRL...]:SUB in the v1 hierarchies holding
 * one of them); a sub-cgroup must exist, and `..` is refused (cgroup_sub.c). */
int hull_cgroup_join_sub(const struct hull_cgroups *cg, const char *path, char *const *args,
			 pid_t pid, struct hull_err *err);

/* The pids in the cgroup and in the sub-cgroups below it (from the first hierarchy that has
 * it). */
int hull_cgroup_pids(const struct hull_cgroups *cg, const char *path, pid_t **pids, size_t *n,
		     struct hull_err *err);

/* Remove the cgroup, and the sub-cgroups below it, from every hierarchy, waiting briefly for
 * exiting tasks. */
int hull_cgroup_remove(const struct hull_cgroups *cg, const char *path, struct hull_err *err);

#endif
