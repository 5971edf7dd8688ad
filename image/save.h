/* SPDX-License-Identifier: Apache-2.0 */
/* `hull save`: images out of the store as a docker-archive or an oci-archive. */
#ifndef HULL_IMAGE_SAVE_H
#define HULL_IMAGE_SAVE_H

#include "image/store.h"

enum hull_save_format {
	/* docker save's format as docker 25 writes it: manifest.json and repositories next to
	 * an OCI image layout, so both docker and OCI tools read it */
	HULL_SAVE_DOCKER,
	HULL_SAVE_OCI, /* an OCI image layout only */
};

/* Write the images refs names (names or IDs) as a tar archive to fd. */
int hull_image_save(struct hull_store *s, char *const *refs, int fd, enum hull_save_format fmt,
		    struct hull_err *err);

#endif
