/* SPDX-License-Identifier: Apache-2.0 */
/* `hull pull`: an image from a registry into the store (manifest, config, layers, each
 * checked against its digest), then unpacked and named like any loaded image. */
#ifndef HULL_IMAGE_PULL_H
#define HULL_IMAGE_PULL_H

#include <stdbool.h>

#include "image/index.h"
#include "image/store.h"

#include "image/platform.h"
#include "image/xfer.h"

struct hull_pull_opts {
	const char *username; /* NULL: the stored credentials (creds.h), if any */
	const char *password;
	const char *authfile; /* --authfile, or NULL */
	bool insecure;	      /* plain HTTP (and no TLS verification) for a remote registry */
	const struct hull_platform *platform; /* NULL: this host's */
	const struct hull_xfer *xfer;	      /* each layer's progress, or NULL */
	unsigned parallel;		      /* layers at once; 0: HULL_PULL_PARALLEL (3) */
};

/* ref: [HOST[:PORT]/]PATH[:TAG|@DIGEST].  The image is named by its normalized reference. */
int hull_image_pull(struct hull_store *s, const char *ref, const struct hull_pull_opts *o,
		    struct hull_image *out, struct hull_err *err);

#endif
