/* SPDX-License-Identifier: Apache-2.0 */
/* --filter KEY=VALUE as docker takes it: the same key given twice matches either value, two
 * keys must both match. */
#ifndef HULL_CMD_FILTER_H
#define HULL_CMD_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/json.h"

struct hull_filter {
	char *key, *value;
};
struct hull_filters {
	struct hull_filter *f;
	size_t n;
};

/* Adds "key=value" after checking key is one of known (NULL-terminated); the error lists them. */
int hull_filter_add(struct hull_filters *fs, const char *arg, const char *const *known,
		    struct hull_err *err);
/* Whether key was given at all. */
bool hull_filter_has(const struct hull_filters *fs, const char *key);
/* Every key given is matched by at least one of its values: match(key, value, ctx). */
bool hull_filter_match(const struct hull_filters *fs,
		       bool (*match)(const char *key, const char *value, void *ctx), void *ctx);
void hull_filters_free(struct hull_filters *fs);

/* docker's label=KEY (the label is there) and label=KEY=VALUE (with that value). */
bool hull_filter_label(const struct hull_kv *labels, size_t n, const char *value);

#endif
