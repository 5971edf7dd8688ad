/* SPDX-License-Identifier: Apache-2.0 */
/* The commands on a live container's cgroup: pause, resume, update, stats (runc's events). */
#ifndef HULL_RESOURCES_H
#define HULL_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup_res.h"

/* pause: freeze every process of a running container; resume: thaw a paused one. */
int hull_container_pause(const char *root, const char *id, struct hull_err *err);
int hull_container_resume(const char *root, const char *id, struct hull_err *err);

/* update: apply the sections upd gives to a created, running or paused container, on top
 * of the resources recorded for it (config.json's, then earlier updates'), and record the
 * result in <root>/<id>/resources.json.  Devices are not changed (as with runc). */
int hull_container_update(const char *root, const char *id, const struct hull_cg_resources *upd,
			  struct hull_err *err);

/* The resources recorded for a container (what create and the updates applied). */
int hull_container_resources(const char *root, const char *id, struct hull_cg_resources *r,
			     struct hull_err *err);

/* Statistics of the container's cgroup as runc's events --stats "data" object (cpu,
 * memory, pids, blkio, hugetlb); malloc'd JSON.  Fails when the container is stopped. */
int hull_container_stats(const char *root, const char *id, char **json, struct hull_err *err);

/* The memory cgroup's OOM-kill counter (v1 memory.oom_control, v2 memory.events). */
int hull_container_oom_count(const char *root, const char *id, uint64_t *count,
			     struct hull_err *err);

/* cgroup_stats.c: the stats of one cgroup path. */
char *hull_cgroup_stats_json(const struct hull_cgroups *cg, const char *path);
int hull_cgroup_oom_count(const struct hull_cgroups *cg, const char *path, uint64_t *count,
			  struct hull_err *err);

#endif
