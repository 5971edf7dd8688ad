/* SPDX-License-Identifier: Apache-2.0 */
/* When an unpacked layer is known to be on disk.  A layer is published (renamed into layers/)
 * without waiting for the disk; what makes that safe is a marker made just before the rename:
 * the symlink layers/<chain hex>.unsynced -> <boot ID>.  Journaling file systems commit
 * metadata in order, so after a crash a layer that is there has its marker too, and a marker
 * from an earlier boot means the files may be empty or torn: the layer is unpacked again from
 * its blob (blobs are fsynced as they are stored).  In the boot that made it the page cache is
 * the truth, so a marker of this boot is no reason to distrust the layer; once the kernel has
 * written it back (its dirty pages expire after 30 s), the next image that comes in (load,
 * pull, import) syncs the file system once, which is then nearly free, and drops the markers;
 * rmi drops them with their layers. */
#ifndef HULL_IMAGE_DURABLE_H
#define HULL_IMAGE_DURABLE_H

#include <stdbool.h>

#include "image/store.h"

/* Mark layers/<hex> as not yet on disk, for this boot (replacing a marker of another boot). */
int hull_layer_mark_unsynced(struct hull_store *s, const char *chain_id, struct hull_err *err);
/* The layer was made in an earlier boot and never synced: it must be unpacked again. */
bool hull_layer_suspect(const struct hull_store *s, const char *chain_id);
/* Drop the markers of this boot old enough for the kernel to have written their layers back,
 * after one syncfs that confirms it.  Best effort: a marker left costs only a re-unpack after a
 * crash. */
void hull_store_settle(struct hull_store *s);

#endif
