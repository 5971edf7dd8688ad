/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities of the workload (libcap): bounding, effective, permitted, inheritable,
 * ambient, exactly as the spec lists them.  Names the running kernel or libcap does not know
 * ("CAP_" and upper case, as the spec writes them) are ignored, as runc and crun do. */
#ifndef HULL_CAPS_H
#define HULL_CAPS_H

#include <stdint.h>

#include "lib/err.h"
#include "runtime/spec/spec.h"

/* Before the uid change: drop what is not in the bounding set and keep the permitted set
 * across setuid. */
int hull_caps_prepare(const struct hull_capabilities *c, struct hull_err *err);
/* After the uid change: set effective/permitted/inheritable, then the ambient set. */
int hull_caps_apply(const struct hull_capabilities *c, struct hull_err *err);
/* The log's warning naming the ignored names of c, if there are any (create, exec). */
void hull_caps_warn_unknown(const struct hull_capabilities *c);

/* The five sets as masks (bit N: capability N), for a process set up where libcap is not
 * (the VM guest's init).  Unknown names are left out; ambient capabilities that are not permitted
 * and inheritable too are left out, as hull_caps_apply skips them.  Capabilities the running kernel
 * lacks stay in: the kernel that applies the masks decides. */
struct hull_cap_masks {
	uint64_t bounding, effective, permitted, inheritable, ambient;
};
int hull_caps_masks(const struct hull_capabilities *c, struct hull_cap_masks *m,
		    struct hull_err *err);

/* "CAP_CHOWN", ... for every capability the running kernel has; NULL-terminated. */
char **hull_caps_known(void);

#endif
