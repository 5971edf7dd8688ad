/* Capabilities of the workload (libcap): bounding, effective, permitted, inheritable,
 * ambient, exactly as the spec lists them. */
#ifndef HULL_CAPS_H
#define HULL_CAPS_H

#include "err.h"
#include "spec.h"

/* Before the uid change: drop what is not in the bounding set and keep the permitted set
 * across setuid. */
int hull_caps_prepare(const struct hull_capabilities *c, struct hull_err *err);
/* After the uid change: set effective/permitted/inheritable, then the ambient set. */
int hull_caps_apply(const struct hull_capabilities *c, struct hull_err *err);

/* docker's default capability set, what images are written to expect; NULL-terminated. */
extern const char *const hull_docker_default_caps[];

/* "CAP_CHOWN", ... for every capability the running kernel has; NULL-terminated. */
char **hull_caps_known(void);

#endif
