/* SPDX-License-Identifier: Apache-2.0 */
/* `hull push`: an image of the store to a registry, as OCI or Docker schema 2. */
#ifndef HULL_IMAGE_PUSH_H
#define HULL_IMAGE_PUSH_H

#include <stdbool.h>

#include "image/digest.h"
#include "image/store.h"
#include "image/xfer.h"

enum hull_push_format { HULL_PUSH_AS_STORED, HULL_PUSH_OCI, HULL_PUSH_DOCKER };

struct hull_push_opts {
	const char *username; /* NULL: the stored credentials (creds.h), if any */
	const char *password;
	const char *authfile;
	bool insecure;
	enum hull_push_format format;
	const struct hull_xfer *xfer;
	unsigned parallel; /* layers at once; 0: HULL_PUSH_PARALLEL */
};

/* docker's default (its daemon's max-concurrent-uploads) */
#define HULL_PUSH_PARALLEL 5

/* Push the image `image` (a name or ID) to dest ([HOST[:PORT]/]PATH[:TAG]; NULL: the image's
 * own name).  Blobs the repository has are not sent again, blobs another repository of the
 * same registry has (by the names of local images) are mounted from it; the rest are
 * uploaded, several layers at once; then the manifest, converted to the format asked for.  digest
 * gets the manifest's digest as the registry now serves it, size its length. */
int hull_image_push(struct hull_store *s, const char *image, const char *dest,
		    const struct hull_push_opts *o, char digest[HULL_DIGEST_SIZE], size_t *size,
		    struct hull_err *err);

#endif
