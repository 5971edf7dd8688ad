/* SPDX-License-Identifier: Apache-2.0 */
/* The state directory of one container: <root>/<id>/{state.json,exec.fifo}, and its lock. */
#ifndef HULL_STATE_H
#define HULL_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/spec/spec.h"

#define HULL_DEFAULT_ROOT "/run/hull"

enum hull_status {
	HULL_CREATING,
	HULL_CREATED,
	HULL_RUNNING,
	HULL_PAUSED,
	HULL_STOPPED,
};

struct hull_state {
	char *id;
	char *bundle;		       /* absolute */
	char *rootfs;		       /* absolute */
	pid_t pid;		       /* in the runtime's pid namespace; 0 once known stopped */
	unsigned long long start_time; /* /proc/<pid>/stat field 22, guards against pid reuse */
	char *created;		       /* RFC 3339, UTC, nanoseconds */
	uid_t owner;
	char *cgroup_path;   /* the cgroup the container was placed in ("" if none) */
	char *isolation;     /* the level's name: "container", "vm" (runtime/executor.h) */
	bool systemd_cgroup; /* recorded for later commands */
	struct hull_kv *annotations;
	size_t n_annotations;
	enum hull_status status; /* derived from the live process by hull_state_load() */
};

const char *hull_status_name(enum hull_status s);

/* The id must be non-empty, hold no '/', not be "." or "..", and use [A-Za-z0-9_+.-]. */
int hull_validate_id(const char *id, struct hull_err *err);

char *hull_state_dir(const char *root, const char *id);

/* Take the container's lock (flock on the state directory); returns the lock fd. */
int hull_state_lock(const char *root, const char *id, struct hull_err *err);

/* Load state.json and derive the live status (created/running/stopped, safe against pid
 * reuse).  Error with ENOENT when no such container exists. */
int hull_state_load(const char *root, const char *id, struct hull_state **out,
		    struct hull_err *err);
/* Write state.json atomically. */
int hull_state_save(const char *root, const struct hull_state *st, struct hull_err *err);
void hull_state_free(struct hull_state *st);
static inline void hull_state_freep(struct hull_state **st)
{
	hull_state_free(*st);
}
#define cleanup_state __attribute__((cleanup(hull_state_freep)))

/* All containers under root, sorted by id (unreadable entries are skipped). */
int hull_state_list(const char *root, struct hull_state ***out, size_t *n, struct hull_err *err);
void hull_state_list_free(struct hull_state **v, size_t n);

/* The runtime-spec state document (ociVersion, id, status, pid, bundle, annotations) plus
 * runc's extra fields (rootfs, created, owner).  malloc'd JSON text; pretty for `state`. */
char *hull_state_to_json(const struct hull_state *st, bool pretty);

/* Current time as RFC 3339 with nanoseconds, UTC. */

#endif
