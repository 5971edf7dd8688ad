/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/ctrfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "engine/ops.h"
#include "engine/start.h"
#include "image/rootfs.h"
#include "image/store.h"
#include "lib/util.h"

int hull_ctrfs_open(const struct hull_engine *e, const struct hull_ctr *c, struct hull_ctrfs *fs,
		    struct hull_err *err)
{
	bool overlay = c->rootfs_kind && !strcmp(c->rootfs_kind, "overlay");
	bool vm = c->isolation && !strcmp(c->isolation, "vm");
	enum hull_status s;
	pid_t pid;

	memset(fs, 0, sizeof(*fs));
	fs->rootfd = fs->lock = -1;
	if (!c->rootfs || !*c->rootfs)
		return hull_error(err, ENOENT, "container %s has no rootfs", c->name);
	fs->rootfs = xstrdup(c->rootfs);
	fs->lock = hull_ctr_lock(e, c->id, err);
	if (fs->lock < 0)
		goto fail;
	s = hull_ctr_status(e, c, &pid);
	/* a running container's own view: its mounts (volumes, tmpfs) in it; a VM's guest
	 * sees the rootfs directory through virtio-fs */
	if ((s == HULL_RUNNING || s == HULL_PAUSED) && pid > 0 && !vm) {
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/%d/root", pid);
		fs->rootfd = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fs->rootfd < 0) {
			hull_error(err, errno, "open the root of container %s", c->name);
			goto fail;
		}
		hull_ctr_unlock(fs->lock);
		fs->lock = -1;
		return 0;
	}
	if (overlay && !hull_rootfs_mounted(e->root, c->id)) {
		struct hull_store st;
		int rc;
		/* in a mount namespace of this process's own: the mount goes with the process,
		 * even one killed with -9, and no one else ever sees it */
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
			hull_error(err, errno, "a mount namespace for the rootfs of %s", c->name);
			goto fail;
		}
		if (hull_store_open(&st, e->root, false, err) < 0)
			goto fail;
		rc = hull_rootfs_mount(&st, c->id, err);
		hull_store_close(&st);
		if (rc < 0)
			goto fail;
		fs->mounted_here = true;
	}
	fs->rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->rootfd < 0) {
		hull_error(err, errno, "open the rootfs of container %s", c->name);
		goto fail;
	}
	if (!fs->mounted_here) {
		hull_ctr_unlock(fs->lock);
		fs->lock = -1;
	}
	return 0;
fail:
	hull_ctrfs_close(fs);
	return -1;
}

void hull_ctrfs_close(struct hull_ctrfs *fs)
{
	if (fs->rootfd >= 0)
		close(fs->rootfd);
	if (fs->mounted_here)
		umount2(fs->rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
	hull_ctr_unlock(fs->lock);
	free(fs->rootfs);
	memset(fs, 0, sizeof(*fs));
	fs->rootfd = fs->lock = -1;
}
