/* Docker's default seccomp policy as a `linux.seccomp` object, for `hull-oci spec`. */
#ifndef HULL_SECCOMP_DEFAULT_H
#define HULL_SECCOMP_DEFAULT_H

#include <yajl/yajl_gen.h>

/* Write "seccomp": {...} into an open map; caps is the bounding set the spec grants
 * (NULL-terminated), which decides the capability-dependent rules. */
void hull_seccomp_default_gen(yajl_gen g, const char *const *caps);

#endif
