/* SPDX-License-Identifier: Apache-2.0 */
/* Removing images, and the garbage collection that frees what nothing refers to. */
#ifndef HULL_IMAGE_GC_H
#define HULL_IMAGE_GC_H

#include <stdbool.h>

#include "image/store.h"

/* Delete blobs, unpacked layers and temporary files that no image and no container (see
 * rootfs.h) refers to.  Needs the store's exclusive lock. */
int hull_store_gc(struct hull_store *s, struct hull_err *err);

/* Empty tmp/ of what a hull killed midway left there (a partial blob, a half-unpacked layer)
 * when no other hull is at work on the store: the lock is taken exclusive without waiting,
 * then given back shared.  Nothing else is collected: blobs a failed pull verified stay for
 * the next one.  Best effort: a store in use is left as it is. */
void hull_store_tidy_tmp(struct hull_store *s);

/* `rmi`: untag a name, or remove an image by ID (refused without force when it has several
 * names or a container uses it).  untagged/deleted (NULL-terminated, may be empty) say what
 * happened, for printing.  Needs the exclusive lock; collects garbage afterwards. */
int hull_image_remove(struct hull_store *s, const char *ref, bool force, char ***untagged,
		      char ***deleted, struct hull_err *err);

#endif
