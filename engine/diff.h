/* SPDX-License-Identifier: Apache-2.0 */
/* hull diff: what a container changed in its image's file system, from the overlay's upper
 * directory against the image's layers, as docker lists it: A (added), C (changed: the
 * entry, or something in the directory), D (deleted: an overlay whiteout). */
#ifndef HULL_ENGINE_DIFF_H
#define HULL_ENGINE_DIFF_H

#include <stddef.h>

#include "engine/ctr.h"
#include "lib/err.h"

struct hull_change {
	char kind;  /* 'A', 'C' or 'D' */
	char *path; /* absolute, inside the container */
};

/* The changes, sorted by path.  Only image containers have layers to compare with. */
int hull_ctr_diff(const struct hull_engine *e, const struct hull_ctr *c, struct hull_change **out,
		  size_t *n, struct hull_err *err);
void hull_changes_free(struct hull_change *v, size_t n);

#endif
