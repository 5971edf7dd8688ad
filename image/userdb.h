/* SPDX-License-Identifier: Apache-2.0 */
/* Users and groups of an image, read from its own /etc/passwd and /etc/group, opened inside
 * the rootfs (openat2 RESOLVE_IN_ROOT: a symlink cannot lead to the host's files). */
#ifndef HULL_IMAGE_USERDB_H
#define HULL_IMAGE_USERDB_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct hull_user {
	uint32_t uid, gid;
	uint32_t *groups; /* supplementary groups: those listing the user as a member */
	size_t n_groups;
	char *home; /* from passwd; NULL when the user is not there */
};

/* spec: "" (root), NAME or UID, optionally ":GROUP" or ":GID", as docker's --user. */
int hull_user_resolve(int rootfd, const char *spec, struct hull_user *u, struct hull_err *err);
void hull_user_free(struct hull_user *u);

#endif
