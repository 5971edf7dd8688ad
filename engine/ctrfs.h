/* SPDX-License-Identifier: Apache-2.0 */
/* A container's files, wherever they are now (engine-internal, for cp and diff): a running
 * container's root as its processes see it (with its volumes and tmpfs), else its rootfs
 * directory; a stopped image container's overlay is mounted for the while (under the start
 * lock, so the container does not start meanwhile), in a mount namespace the calling process
 * unshares for it: nothing is left on the host if that process is killed. */
#ifndef HULL_ENGINE_CTRFS_H
#define HULL_ENGINE_CTRFS_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "lib/err.h"

struct hull_ctrfs {
	int rootfd; /* O_PATH, the container's "/" */
	int lock;   /* the start lock while the rootfs is mounted here, else -1 */
	bool mounted_here;
	char *rootfs;
};

int hull_ctrfs_open(const struct hull_engine *e, const struct hull_ctr *c, struct hull_ctrfs *fs,
		    struct hull_err *err);
void hull_ctrfs_close(struct hull_ctrfs *fs);

#endif
