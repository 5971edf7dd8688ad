/* SPDX-License-Identifier: Apache-2.0 */
/* Docker's default seccomp policy as a `linux.seccomp` object, for `hull-oci spec` and
 * `hull run`. */
#ifndef HULL_SECCOMP_DEFAULT_H
#define HULL_SECCOMP_DEFAULT_H

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "lib/err.h"

/* Write "seccomp": {...} into an open map; caps is the bounding set the spec grants
 * (NULL-terminated), which decides the capability-dependent rules. */
void hull_seccomp_default_gen(yajl_gen g, const char *const *caps);
/* The same profile as a tree (the value of "seccomp"), for the spec model's linux.seccomp. */
yajl_val hull_seccomp_default_tree(const char *const *caps, struct hull_err *err);

#endif
