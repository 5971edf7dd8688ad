/* SPDX-License-Identifier: Apache-2.0 */
/* The content-addressed image store under <root>/images/:
 *   blobs/sha256/<hex>   manifests, configs, layer tarballs (verified on every write)
 *   layers/<chainhex>/   unpacked layers, shared read-only by every container
 *   index.json           image records: manifest digest, config digest, names
 *   lock, index.lock     flock(2) files; tmp/ for writes in flight
 * Every writer (load, import, a container's rootfs) holds `lock` shared for as long as it
 * works; rmi and garbage collection hold it exclusive, so they never see half a load. */
#ifndef HULL_IMAGE_STORE_H
#define HULL_IMAGE_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "image/digest.h"
#include "lib/err.h"

#define HULL_IMAGE_DEFAULT_ROOT "/var/lib/hull"

/* What long operations report; fn may be NULL.  total is 0 when unknown. */
struct hull_progress {
	void (*fn)(void *ctx, const char *what, uint64_t done, uint64_t total);
	void *ctx;
};

struct hull_store {
	char *root; /* <root> (containers live in <root>/containers) */
	char *dir;  /* <root>/images */
	int lockfd; /* holds flock(lock) */
	bool exclusive;
	struct hull_progress progress;
};

/* Make the store (if missing) and lock it, shared or exclusive. */
int hull_store_open(struct hull_store *s, const char *root, bool exclusive, struct hull_err *err);
void hull_store_close(struct hull_store *s);
/* Upgrade to the exclusive lock without blocking: 1 if held, 0 if others are at work. */
int hull_store_try_exclusive(struct hull_store *s, struct hull_err *err);

char *hull_store_blob_path(const struct hull_store *s, const char *digest);
char *hull_store_layer_path(const struct hull_store *s, const char *chain_id);
bool hull_store_has_blob(const struct hull_store *s, const char *digest);
/* The size of a stored blob. */
int hull_store_blob_size(const struct hull_store *s, const char *digest, uint64_t *size,
			 struct hull_err *err);

/* A blob being written: data is hashed as it is written; commit verifies and renames. */
struct hull_blob_writer;
struct hull_blob_writer *hull_blob_begin(struct hull_store *s, struct hull_err *err);
int hull_blob_write(struct hull_blob_writer *w, const void *data, size_t len, struct hull_err *err);
/* expect may be NULL (then the computed digest names the blob).  Frees w in every case. */
int hull_blob_commit(struct hull_blob_writer *w, const char *expect, char out[HULL_DIGEST_SIZE],
		     uint64_t *size, struct hull_err *err);
void hull_blob_abort(struct hull_blob_writer *w);

int hull_store_put_blob(struct hull_store *s, const void *data, size_t len, const char *expect,
			char out[HULL_DIGEST_SIZE], struct hull_err *err);
/* Copy everything fd holds into a blob; name (for messages and progress) may be NULL. */
int hull_store_put_fd(struct hull_store *s, int fd, const char *name, const char *expect,
		      char out[HULL_DIGEST_SIZE], uint64_t *size, struct hull_err *err);
/* A small blob (manifest, config) read whole and checked against its digest again. */
int hull_store_read_blob(const struct hull_store *s, const char *digest, char **data, size_t *len,
			 struct hull_err *err);

/* A temporary directory inside the store's tmp/ (same file system as layers/). */
char *hull_store_mkdtemp(struct hull_store *s, struct hull_err *err);

#endif
