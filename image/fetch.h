/* SPDX-License-Identifier: Apache-2.0 */
/* A pull's layers, fetched and unpacked in parallel (image-internal: pull.c). */
#ifndef HULL_IMAGE_FETCH_H
#define HULL_IMAGE_FETCH_H

#include "image/manifest.h"
#include "image/registry.h"
#include "image/store.h"
#include "image/xfer.h"

/* As docker: 3 layers at a time.  More rarely helps one registry, and each unpack takes a
 * core. */
#define HULL_PULL_PARALLEL 3

/* Every layer of m into the store and unpacked (diff_ids from the config, one per layer),
 * `parallel` at a time (each thread with its own connection cloned from r), each unpacked as
 * soon as its blob is in and verified.  On failure the first error is returned, the others'
 * transfers are stopped, and the layers this call unpacked that no image uses are removed
 * again (the blobs stay: pulling again does not fetch them twice). */
int hull_fetch_layers(struct hull_store *s, struct hull_registry *r, const struct hull_manifest *m,
		      char *const *diff_ids, unsigned parallel, const struct hull_xfer *xfer,
		      struct hull_err *err);

#endif
