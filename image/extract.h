/* SPDX-License-Identifier: Apache-2.0 */
/* Writing layer entries to disk, relative to directory fds of the layer only.  Every
 * directory an entry lands in is opened with openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|
 * RESOLVE_NO_MAGICLINKS) from the layer root (or from a directory opened that way), and the
 * entry itself is made with an *at() call on its last name that never follows a symlink
 * there, so no entry can reach outside the layer whatever came before it in the tarball. */
#ifndef HULL_IMAGE_EXTRACT_H
#define HULL_IMAGE_EXTRACT_H

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>

#include "image/whiteout.h"
#include "lib/err.h"

struct hull_extract;

/* rootfd: the layer directory (opened O_RDONLY|O_DIRECTORY, kept by the caller). */
struct hull_extract *hull_extract_new(int rootfd);
/* Write the entry at the cleaned path (hull_layer_path_clean); the data of a regular file is
 * read from tar.  link is the cleaned hard link target or NULL.  entry names it in errors. */
int hull_extract_entry(struct hull_extract *x, struct archive *tar, struct archive_entry *e,
		       const char *path, const char *link, const char *entry, struct hull_err *err);
/* A whiteout (HULL_WH_FILE or HULL_WH_OPAQUE) for the classified target. */
int hull_extract_whiteout(struct hull_extract *x, enum hull_wh_kind kind, const char *target,
			  const char *entry, struct hull_err *err);
/* *ended: the stream under tar has ended (set by its reader).  A regular file whose data is
 * complete when the stream ends in its padding is written, not refused (docker and podman
 * load such layers; umoci 0.4.7's insert writes them); hull_extract_tail_missing then says
 * the archive is over. */
void hull_extract_watch_end(struct hull_extract *x, const bool *ended);
bool hull_extract_tail_missing(const struct hull_extract *x);
/* Directories' owners, modes and times, set once nothing more is written in them. */
int hull_extract_finish(struct hull_extract *x, struct hull_err *err);
void hull_extract_free(struct hull_extract *x);

#endif
