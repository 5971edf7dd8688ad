/* Removing images, and the garbage collection that frees what nothing refers to. */
#ifndef HULL_IMAGE_GC_H
#define HULL_IMAGE_GC_H

#include <stdbool.h>

#include "image/store.h"

/* Delete blobs, unpacked layers and temporary files that no image and no container (see
 * rootfs.h) refers to.  Needs the store's exclusive lock. */
int hull_store_gc(struct hull_store *s, struct hull_err *err);

/* `rmi`: untag a name, or remove an image by ID (refused without force when it has several
 * names or a container uses it).  untagged/deleted (NULL-terminated, may be empty) say what
 * happened, for printing.  Needs the exclusive lock; collects garbage afterwards. */
int hull_image_remove(struct hull_store *s, const char *ref, bool force, char ***untagged,
		      char ***deleted, struct hull_err *err);

#endif
