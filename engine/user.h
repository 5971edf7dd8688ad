/* `-u` and an image's User: "name|uid[:group|gid]" resolved against the rootfs's own
 * /etc/passwd and /etc/group, read without following anything out of the rootfs. */
#ifndef HULL_ENGINE_USER_H
#define HULL_ENGINE_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "runtime/err.h"

struct hull_user {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups the user is a member of */
	size_t n_groups;
	char *home; /* NULL when the user is not in passwd */
};

int hull_user_resolve(const char *rootfs, const char *spec, struct hull_user *out,
		      struct hull_err *err);
void hull_user_free(struct hull_user *u);

#endif
