/* SPDX-License-Identifier: Apache-2.0 */
#include "image/echo.h"
#include "image/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

struct hull_sha256 {
	EVP_MD_CTX *ctx;
};

struct hull_sha256 *hull_sha256_new(void)
{
	struct hull_sha256 *h = calloc(1, sizeof(*h));
	if (!h)
		abort();
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		abort(); /* only fails on allocation failure */
	return h;
}

void hull_sha256_update(struct hull_sha256 *h, const void *data, size_t len)
{
	if (len)
		EVP_DigestUpdate(h->ctx, data, len);
}

void hull_sha256_final(struct hull_sha256 *h, char out[HULL_DIGEST_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	out[HULL_DIGEST_SIZE - 1] = '\0';
	hull_sha256_free(h);
}

void hull_sha256_free(struct hull_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

void hull_sha256_buf(const void *data, size_t len, char out[HULL_DIGEST_SIZE])
{
	struct hull_sha256 *h = hull_sha256_new();
	hull_sha256_update(h, data, len);
	hull_sha256_final(h, out);
}

bool hull_digest_valid(const char *digest)
{
	size_t i;
	if (!digest || strncmp(digest, "sha256:", 7) || strlen(digest) != 71)
		return false;
	for (i = 7; i < 71; i++)
		if (!strchr("0123456789abcdef", digest[i]))
			return false;
	return true;
}

int hull_digest_check(const char *digest, const char *what, struct hull_err *err)
{
	if (hull_digest_valid(digest))
		return 0;
	return hull_error(err, EINVAL, "%s: `%s` is not a sha256 digest", what,
			  digest ? ECHO(digest) : "(missing)");
}
