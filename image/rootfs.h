/* SPDX-License-Identifier: Apache-2.0 */
/* A container's root file system made from an image: an overlayfs mount of the image's
 * layers (lowerdir, top first) with a per-container upper and work directory, or a private
 * copy of the merged layers where overlayfs is unavailable.
 *   <root>/containers/<id>/rootfs   the root file system (mount point or copy)
 *   <root>/containers/<id>/upper, work
 *   <root>/containers/<id>/layers   the chain IDs in use (garbage collection keeps them) */
#ifndef HULL_IMAGE_ROOTFS_H
#define HULL_IMAGE_ROOTFS_H

#include <stdbool.h>

#include "image/index.h"
#include "image/store.h"

enum hull_rootfs_mode {
	HULL_ROOTFS_AUTO,    /* overlayfs, else a copy */
	HULL_ROOTFS_OVERLAY, /* overlayfs or fail */
	HULL_ROOTFS_COPY,    /* always a copy */
};

/* Make the container directory and its rootfs; rootfs_out (if not NULL) gets the rootfs
 * path.  The id must be a plain name (no '/').  Nothing is left behind on failure. */
int hull_rootfs_create(struct hull_store *s, const struct hull_image *img, const char *id,
		       enum hull_rootfs_mode mode, char **rootfs_out, struct hull_err *err);

/* Mount the rootfs of an existing container again (it is unmounted whenever the container
 * stops): the overlay of the layers its layers file names, with its own upper and work
 * directories, so what the container changed is there again.  Nothing when it is mounted. */
int hull_rootfs_mount(struct hull_store *s, const char *id, struct hull_err *err);

/* Whether the container's rootfs is a mount now. */
bool hull_rootfs_mounted(const char *root, const char *id);

/* The layer directories of a container's layers file, bottom first (NULL-terminated,
 * malloc'd); an entry that is not a chain ID, or a missing layer, is an error. */
char **hull_rootfs_lower(struct hull_store *s, const char *id, struct hull_err *err);

/* Unmount the rootfs (if mounted) and remove the container directory. */
int hull_rootfs_remove(const char *root, const char *id, struct hull_err *err);

/* Copy the layer dir src over the tree at dst, applying overlay whiteouts and opaque
 * directories as overlayfs would (the copy fallback; exposed for tests). */
int hull_layer_apply(int src, int dst, struct hull_err *err);

#endif
