/* SPDX-License-Identifier: Apache-2.0 */
/* What a container leaves on the host, found and removed whatever state its runtime died in
 * (private to runtime/: lifecycle.c's delete and run). */
#ifndef HULL_TEARDOWN_H
#define HULL_TEARDOWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/spec/spec.h"
#include "runtime/state.h"

/* Whether the container's cgroup is systemd's (a transient scope): as its state says, or,
 * without a state, as a `slice:prefix:name` cgroupsPath says. */
bool hull_teardown_systemd(const struct hull_spec *spec, const struct hull_state *st);

/* The cgroup of container id that delete may kill in and remove (malloc'd).  It is what the
 * runtime itself decided: the saved config.json's cgroupsPath (spec, NULL when unreadable:
 * hull's default /hull/<id>) resolved as create resolves it, or the cgroup the live init is
 * in.  A path that state.json (st, NULL when missing or damaged) names and neither confirms
 * is left alone: an edited or damaged state file must not make delete kill or remove what is
 * not the container's. */
char *hull_teardown_cgroup(const struct hull_cgroups *cg, const char *id,
			   const struct hull_spec *spec, const struct hull_state *st);

/* SIGKILL the init (pid, checked against start_time; 0: none known) and every process in
 * cgroup path (NULL: none) in every hierarchy, thawing it if frozen, until the cgroup is
 * empty and the init gone (bounded: a few seconds).  A cgroup that holds this process, or the
 * root, is never swept. */
void hull_teardown_kill(const struct hull_cgroups *cg, const char *path, pid_t pid,
			unsigned long long start_time);

/* Remove the state directory: what a level put there first, then state.json, then the
 * config.json copy (which says which cgroup is the container's), so that a delete killed
 * half-way still leaves what the next one needs. */
int hull_teardown_state_dir(const char *dir, struct hull_err *err);

#endif
