/* SPDX-License-Identifier: Apache-2.0 */
/* sha256 digests ("sha256:<64 hex>") computed with OpenSSL EVP while data streams by. */
#ifndef HULL_IMAGE_DIGEST_H
#define HULL_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define HULL_DIGEST_SIZE 72 /* "sha256:" + 64 hex + NUL */

struct hull_sha256;

struct hull_sha256 *hull_sha256_new(void);
void hull_sha256_update(struct hull_sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" and frees h. */
void hull_sha256_final(struct hull_sha256 *h, char out[HULL_DIGEST_SIZE]);
void hull_sha256_free(struct hull_sha256 *h);
void hull_sha256_buf(const void *data, size_t len, char out[HULL_DIGEST_SIZE]);

/* "sha256:" followed by exactly 64 lowercase hex digits: the only algorithm hull stores, and a
 * digest that is safe to use as a file name. */
bool hull_digest_valid(const char *digest);
int hull_digest_check(const char *digest, const char *what, struct hull_err *err);
/* The hex part of a valid digest. */
static inline const char *hull_digest_hex(const char *digest)
{
	return digest + 7;
}

#endif
