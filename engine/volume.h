/* SPDX-License-Identifier: Apache-2.0 */
/* Named and anonymous volumes, as docker's "local" driver keeps them:
 *   <root>/volumes/<name>/volume.json   the record (written atomically)
 *   <root>/volumes/<name>/_data/        what containers mount
 *   <root>/volumes/<name>/refs/<id>     one empty file per container that uses it
 * A reference whose container directory is gone is stale and counts for nothing, so a hull
 * killed at any point leaves nothing that keeps a volume "in use".  Every change to a volume
 * is made under flock(2) on its directory; a volume appears (and goes) by rename only. */
#ifndef HULL_ENGINE_VOLUME_H
#define HULL_ENGINE_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/ctr.h"
#include "lib/err.h"
#include "lib/json.h"

#define HULL_VOLUME_DRIVER "local"
/* the label docker puts on the volumes it makes without a name */
#define HULL_VOLUME_ANON_LABEL "com.docker.volume.anonymous"

struct hull_volume {
	char *name;
	char *mountpoint; /* the _data directory */
	char *created;	  /* RFC 3339 */
	struct hull_kv *labels;
	size_t n_labels;
	bool anonymous;
	char **users; /* the ids of the containers that use it (live references only) */
};

/* docker's volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
int hull_volume_validate_name(const char *name, struct hull_err *err);

/* Make volume name (NULL: an anonymous one, named by 64 random hex digits) with these labels;
 * a volume of that name already there is used as it is.  *out (may be NULL) gets it. */
int hull_volume_create(const struct hull_engine *e, const char *name, const struct hull_kv *labels,
		       size_t n_labels, struct hull_volume **out, struct hull_err *err);
int hull_volume_load(const struct hull_engine *e, const char *name, struct hull_volume **out,
		     struct hull_err *err);
/* Every volume, by name. */
int hull_volume_list(const struct hull_engine *e, struct hull_volume ***out, size_t *n,
		     struct hull_err *err);
void hull_volume_free(struct hull_volume *v);
void hull_volume_list_free(struct hull_volume **v, size_t n);

/* Remove a volume no container uses (EBUSY names them); *freed (may be NULL): its bytes. */
int hull_volume_remove(const struct hull_engine *e, const char *name, uint64_t *freed,
		       struct hull_err *err);

/* What container id mounts: volume name (NULL: a new anonymous one), made when missing and
 * referenced by id (labels: those of a volume made here).  A volume still empty is filled first,
 * unless nocopy, with what the container's rootfs has at dest (docker's copy-up: contents, owners,
 * modes, links; dest is resolved inside the rootfs and nothing is ever followed out of it).
 * *source: the directory to bind, *used_name: the volume's name (both malloc'd). */
int hull_volume_attach(const struct hull_engine *e, const char *name, const struct hull_kv *labels,
		       size_t n_labels, const char *id, const char *rootfs, const char *dest,
		       bool nocopy, char **source, char **used_name, struct hull_err *err);

/* Container id is gone: its references go, and with remove_anonymous its anonymous volumes
 * that nothing else uses (`run --rm`, `rm -v`).  Errors are reported, the rest is done. */
int hull_volumes_release(const struct hull_engine *e, const char *id, bool remove_anonymous,
			 struct hull_err *err);

#endif
