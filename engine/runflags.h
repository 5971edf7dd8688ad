/* SPDX-License-Identifier: Apache-2.0 */
/* The container options of `hull run` read into the run spec (engine-internal, for
 * prepare.c): mounts (runmounts.c) and the rest (runflags.c). */
#ifndef HULL_ENGINE_RUNFLAGS_H
#define HULL_ENGINE_RUNFLAGS_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "engine/prepare.h"
#include "engine/runspec.h"
#include "lib/err.h"
#include "lib/json.h"

/* -v, --mount, --tmpfs, then the image's Volumes (anonymous volumes where nothing else is
 * mounted), as rs's binds and tmpfs.  Volumes are attached to container id with e's store
 * (seeded from rootfs); with e NULL (a bundle without a record) named volumes are refused and
 * the image's Volumes are plain directories under local_dir/volumes/. */
int hull_run_mounts(const struct hull_engine *e, const struct hull_run_opts *o, const char *id,
		    const char *rootfs, char *const *image_volumes, const char *local_dir,
		    struct hull_run_spec *rs, struct hull_err *err);

/* --device, --ulimit, --init, --group-add, --sysctl, --shm-size into rs (rootfd: the
 * container's root, for group names; vm: the vm isolation level). */
int hull_run_flags(const struct hull_run_opts *o, int rootfd, bool vm, struct hull_run_spec *rs,
		   struct hull_err *err);

/* The container's labels: the image's, then --label-file lines, then --label (later wins). */
int hull_run_labels(const struct hull_run_opts *o, const struct hull_kv *image_labels,
		    size_t n_image, struct hull_kv **out, size_t *n, struct hull_err *err);

/* --stop-timeout: whole seconds. */
int hull_run_stop_timeout(const char *s, int *out, struct hull_err *err);

#endif
