/* SPDX-License-Identifier: Apache-2.0 */
/* Sizes as docker and runc's users write them: one grammar for every flag and annotation. */
#ifndef HULL_SIZE_H
#define HULL_SIZE_H

#include <stdint.h>

#include "lib/err.h"

/* docker's grammar (go-units' RAMInBytes): a decimal number, an optional space, then an
 * optional unit k, m, g, t or p (binary: 1k = 1024) optionally followed by "i" and/or "b",
 * any case: "1048576", "512k", "64MiB", "1.5g", "1t".  A bare number counts in bare_unit
 * bytes (1 for flags in bytes, 1 << 20 for annotations in MiB).  Negative numbers, a result
 * beyond INT64_MAX and trailing text are refused, naming s. */
int hull_parse_size(const char *s, int64_t bare_unit, int64_t *out, struct hull_err *err);

#endif
