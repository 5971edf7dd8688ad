/* SPDX-License-Identifier: Apache-2.0 */
/* Layer tarballs (uncompressed, gzip or zstd) unpacked with libarchive into a directory in
 * overlayfs form: ".wh.NAME" becomes a 0/0 character device NAME, ".wh..wh..opq" the xattr
 * trusted.overlay.opaque=y on its directory.  Hostile entries (absolute paths, "..", writes
 * through a symlink, hard links out of the layer) are refused, naming the entry. */
#ifndef HULL_IMAGE_UNPACK_H
#define HULL_IMAGE_UNPACK_H

#include <stdint.h>

#include "image/digest.h"
#include "image/store.h"

/* Unpack the tarball read from fd into dest (an existing, empty directory).  diff_id gets the
 * digest of the uncompressed tar stream, size its length.  On failure dest may hold part of
 * the layer: callers unpack into a temporary directory. */
int hull_unpack_fd(int fd, const char *dest, char diff_id[HULL_DIGEST_SIZE], uint64_t *size,
		   const struct hull_progress *progress, const char *what, struct hull_err *err);

/* Unpack the layer blob `blob` on top of the chain `parent` (NULL for the bottom layer) into
 * layers/<chain ID>, unless it is already there.  expect_diff_id (from the image config) is
 * checked; chain_id gets the new chain ID, size the unpacked size.  A failed unpack leaves no
 * layer directory behind. */
int hull_layer_unpack(struct hull_store *s, const char *blob, const char *expect_diff_id,
		      const char *parent, char chain_id[HULL_DIGEST_SIZE], uint64_t *size,
		      struct hull_err *err);

/* Remove the unpacked layer chain_id (moved into tmp/ first, so nobody sees half of it), with
 * its .size and marker: for a layer a failed pull made that no image uses. */
void hull_layer_discard(struct hull_store *s, const char *chain_id);

/* chain ID = diff_id for the bottom layer, else sha256(parent + " " + diff_id) */
void hull_chain_id(const char *parent, const char *diff_id, char out[HULL_DIGEST_SIZE]);

#endif
