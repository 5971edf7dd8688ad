/* SPDX-License-Identifier: Apache-2.0 */
/* An image's history, as `docker history` shows it: its config's history entries, newest
 * first, each with the layer it made. */
#ifndef HULL_IMAGE_HISTORY_H
#define HULL_IMAGE_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "image/index.h"
#include "image/store.h"

struct hull_history_entry {
	char *created;	  /* RFC 3339, may be NULL */
	char *created_by; /* the step ("/bin/sh -c #(nop) CMD ..."), may be "" */
	char *comment;
	bool empty_layer;
	char *layer;   /* the layer's digest (manifest), NULL for an empty layer */
	uint64_t size; /* the layer blob's size, 0 for an empty layer */
};

/* Newest first.  An image whose config has no history gets one entry per layer. */
int hull_image_history(const struct hull_store *s, const struct hull_image *img,
		       struct hull_history_entry **out, size_t *n, struct hull_err *err);
void hull_history_free(struct hull_history_entry *v, size_t n);

#endif
