/* SPDX-License-Identifier: Apache-2.0 */
/* A directory in overlayfs form (a container's upper directory) written as a layer blob: a
 * tar stream compressed with gzip, hashed for its diff ID and its digest while it is written,
 * stored in the store.  Overlay whiteouts become OCI ones: a 0/0 character device NAME is
 * written as ".wh.NAME", a directory with trusted.overlay.opaque=y gets ".wh..wh..opq". */
#ifndef HULL_IMAGE_LAYER_WRITE_H
#define HULL_IMAGE_LAYER_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/store.h"

struct hull_layer_out {
	char blob[HULL_DIGEST_SIZE];	/* the stored (compressed) blob's digest */
	char diff_id[HULL_DIGEST_SIZE]; /* the tar stream's digest */
	uint64_t size;			/* the blob's size */
	size_t entries;			/* entries written; 0: nothing changed, no blob stored */
};

/* Write the tree under dirfd (never following a symlink in it) as a layer blob.  stubs
 * (absolute paths, NULL-terminated, may be NULL): mount points the runtime made, left out
 * when they are an empty file or an empty directory. */
int hull_layer_write_dir(struct hull_store *s, int dirfd, char *const *stubs,
			 struct hull_layer_out *out, struct hull_err *err);

#endif
