/* SPDX-License-Identifier: Apache-2.0 */
/* Network namespaces kept alive by a bind mount, as `ip netns add` keeps them (netns.c). */
#ifndef HULL_NETWORK_NETNS_H
#define HULL_NETWORK_NETNS_H

#include <stdbool.h>

#include "lib/err.h"

/* A new network namespace with loopback up, bound at path (its directory is made). */
int hull_netns_create(const char *path, struct hull_err *err);
/* Unbind and unlink path; a path that is gone already is not an error. */
int hull_netns_remove(const char *path, struct hull_err *err);
/* Whether path is a bound network namespace (and not, say, a plain file left by a crash). */
bool hull_netns_bound(const char *path);

#endif
