/* SPDX-License-Identifier: Apache-2.0 */
/* The store's index.json: one record per image (manifest digest), with its names.
 * Readers see a whole file (atomic rename); writers serialize on index.lock. */
#ifndef HULL_IMAGE_INDEX_H
#define HULL_IMAGE_INDEX_H

#include <stdint.h>

#include "image/store.h"

struct hull_image {
	char *manifest; /* digest of the manifest: the record's key */
	char *config;	/* digest of the config: the image ID */
	char **names;	/* "repo:tag", NULL-terminated; empty for a dangling image */
	char **layers;	/* chain IDs of the unpacked layers, bottom first */
	uint64_t size;	/* unpacked size of all layers, in bytes */
	char *created;	/* the config's "created" (RFC 3339), may be NULL */
};

struct hull_index {
	struct hull_image *v;
	size_t n;
	int lockfd; /* index.lock while held by hull_index_lock, else -1 */
};

int hull_index_load(const struct hull_store *s, struct hull_index *idx, struct hull_err *err);
void hull_index_free(struct hull_index *idx);
/* Take index.lock and load: the way to start a read-modify-write. */
int hull_index_lock(const struct hull_store *s, struct hull_index *idx, struct hull_err *err);
/* Write atomically (the caller holds index.lock). */
int hull_index_save(const struct hull_store *s, const struct hull_index *idx, struct hull_err *err);

/* Add (or update) an image record and move its names to it: a name given to a new image is
 * taken away from the image that had it, which then may be left without names (dangling). */
int hull_index_add(const struct hull_store *s, const struct hull_image *img, struct hull_err *err);

/* Give the image ref names (a name, ID or digest) the name name (normalized "repo:tag"),
 * taking it from any image that had it; under index.lock. */
int hull_index_tag(const struct hull_store *s, const char *ref, const char *name,
		   struct hull_err *err);

void hull_image_free(struct hull_image *img);
void hull_image_copy(struct hull_image *dst, const struct hull_image *src);

/* Find by name (normalized "repo:tag"), full or short image ID (config digest, with or
 * without "sha256:", at least 4 hex digits), or manifest digest.  NULL when absent; an
 * ambiguous short ID is an error. */
struct hull_image *hull_index_find(struct hull_index *idx, const char *ref, struct hull_err *err);
void hull_index_remove(struct hull_index *idx, struct hull_image *img);
/* Drop one name from an image; returns 1 if it had it. */
int hull_image_untag(struct hull_image *img, const char *name);

#endif
