/* SPDX-License-Identifier: Apache-2.0 */
/* Getting images into the store: `hull load` (docker-archive, oci-archive, OCI layout
 * directory) and `hull import` (a plain root file system tarball). */
#ifndef HULL_IMAGE_LOAD_H
#define HULL_IMAGE_LOAD_H

#include "image/index.h"
#include "image/store.h"

struct hull_loaded {
	struct hull_image *v;
	size_t n;
};
void hull_loaded_free(struct hull_loaded *l);

/* path: an archive (any compression), "-" for standard input, or an OCI layout directory.
 * The store must be open (shared lock is enough). */
int hull_image_load(struct hull_store *s, const char *path, struct hull_loaded *out,
		    struct hull_err *err);

/* A one-layer image from a root file system tarball; name may be NULL (dangling). */
int hull_image_import(struct hull_store *s, const char *path, const char *name,
		      struct hull_image *out, struct hull_err *err);

/* The last step of every way in: read the manifest (already a blob) and its config, unpack
 * the layers (checking their diff IDs), and record the image under names. */
int hull_image_commit(struct hull_store *s, const char *manifest, char *const *names,
		      struct hull_image *out, struct hull_err *err);

/* Unpack again the layers of img that are missing or were left unsynced by a crash
 * (durable.h), from the image's blobs; nothing to do in the usual case. */
int hull_image_layers_ensure(struct hull_store *s, const struct hull_image *img,
			     struct hull_err *err);

#endif
