/* SPDX-License-Identifier: Apache-2.0 */
/* The spec's kernel file systems, masks and read-only root inside a root the process is
 * already chrooted into: the sandbox's (init.c) and each app container's of a pod (pod.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vm/guest/guest.h"
#include "vm/proto/records.h"

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t i, len = strlen(path);
	if (len >= sizeof(buf))
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		buf[i] = i < len ? '/' : 0;
	}
	return 0;
}

/* The spec's kernel file systems, mounted by the guest kernel itself.  Bind mounts were made
 * on the host, inside the shared root, before virtiofsd started. */
static bool made_on_host(const struct guest_mount *m)
{
	return !strcmp(m->type, HULL_REC_MOUNT_BIND) || !strcmp(m->type, HULL_REC_MOUNT_NONE) ||
	       (m->flags & MS_BIND);
}

/* The device nodes every container gets (as runc and crun make them), in a /dev of its own. */
static const struct {
	const char *name;
	unsigned int major, minor;
} dev_nodes[] = {
	{"null", 1, 3},	  {"zero", 1, 5},    {"full", 1, 7},
	{"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static int make_dev_nodes(const char *dir, struct hull_err *err)
{
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", dir, dev_nodes[i].name);
		if (mknod(path, S_IFCHR | 0666, makedev(dev_nodes[i].major, dev_nodes[i].minor)) <
			    0 ||
		    chmod(path, 0666) < 0)
			return hull_error(err, errno, "make the device node %s", path);
	}
	return 0;
}

static int mount_one(const struct guest_mount *m, bool own_dev, struct hull_err *err)
{
	const char *type = m->type, *data = m->data;
	unsigned long flags = m->flags;
	bool dev = false;

	if (made_on_host(m))
		return 0;
	/* the guest's own device nodes, instead of a tmpfs the host would fill; a container
	 * sharing the guest with others (a pod's) gets the tmpfs with the usual nodes, so that
	 * what one makes in its /dev the others do not see (devtmpfs is one instance) */
	if (!strcmp(m->dest, "/dev") && !strcmp(type, "tmpfs")) {
		if (own_dev)
			dev = true;
		else
			type = "devtmpfs", data = NULL;
	}
	/* the guest kernel has only the unified hierarchy to offer */
	if (!strcmp(type, "cgroup"))
		type = "cgroup2", data = NULL;
	if (mkdir_p(m->dest, 0755) < 0)
		return hull_error(err, errno, "mount %s: make the mount point", m->dest);
	if (mount(m->source && *m->source ? m->source : type, m->dest, type, flags, data) < 0)
		return hull_error(err, errno, "mount %s on %s", type, m->dest);
	return dev ? make_dev_nodes(m->dest, err) : 0;
}

static void dev_links(void)
{
	static const char *const links[][2] = {
		{"/proc/self/fd", "/dev/fd"},	    {"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
		{"/proc/kcore", "/dev/core"},
	};
	struct stat sb;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		(void)!symlink(links[i][0], links[i][1]);
	if (stat("/dev/pts/ptmx", &sb) == 0) {
		unlink("/dev/ptmx");
		(void)!symlink("pts/ptmx", "/dev/ptmx");
	}
}

/* path strictly inside dir */
static bool inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (!strcmp(dir, "/"))
		return path[0] == '/' && path[1];
	return !strncmp(path, dir, n) && path[n] == '/';
}

/* A bind the host made inside a file system the guest mounts before it in the spec's order
 * (CRI's /dev/shm and /dev/termination-log inside /dev) would be covered by it: a clone of
 * it, taken before, put back on top after.  -1: none needed. */
static int save_covered(const struct guest_config *c, size_t j)
{
	const struct guest_mount *b = &c->mounts[j];
	for (size_t i = 0; i < j; i++) {
		int fd;
		if (made_on_host(&c->mounts[i]) || !inside(b->dest, c->mounts[i].dest))
			continue;
		fd = (int)syscall(SYS_open_tree, AT_FDCWD, b->dest,
				  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (fd < 0)
			guest_log("keep the bind mount on %s: %s", b->dest, strerror(errno));
		return fd;
	}
	return -1;
}

/* The saved bind back on its destination, its mount point made in what covered it. */
static int restore_covered(int tree, const char *dest, struct hull_err *err)
{
	struct stat st;
	char dir[4096];
	int fd;

	if (fstat(tree, &st) < 0)
		return hull_error(err, errno, "bind mount on %s", dest);
	snprintf(dir, sizeof(dir), "%s", dest);
	if (S_ISDIR(st.st_mode)) {
		if (mkdir_p(dir, 0755) < 0)
			return hull_error(err, errno, "bind mount on %s: make the mount point",
					  dest);
	} else {
		*strrchr(dir, '/') = 0;
		if ((*dir && mkdir_p(dir, 0755) < 0) ||
		    (fd = open(dest, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
			return hull_error(err, errno, "bind mount on %s: make the mount point",
					  dest);
		close(fd);
	}
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, dest, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return hull_error(err, errno, "bind mount on %s", dest);
	return 0;
}

int guest_mounts_apply(const struct guest_config *c, bool own_dev, struct hull_err *err)
{
	int *saved = calloc(c->n_mounts + 1, sizeof(int)), ret = -1;
	size_t i;

	if (!saved)
		return hull_error(err, ENOMEM, "mounts");
	for (i = 0; i < c->n_mounts; i++)
		saved[i] = made_on_host(&c->mounts[i]) ? save_covered(c, i) : -1;
	for (i = 0; i < c->n_mounts; i++) {
		if (saved[i] >= 0 ? restore_covered(saved[i], c->mounts[i].dest, err) < 0
				  : mount_one(&c->mounts[i], own_dev, err) < 0)
			goto out;
	}
	ret = 0;
out:
	for (i = 0; i < c->n_mounts; i++)
		if (saved[i] >= 0)
			close(saved[i]);
	free(saved);
	if (ret < 0)
		return -1;
	dev_links();
	if (guest_masks_apply(c, err) < 0)
		return -1;
	/* read-only last, once the mount points are made (container mode's order) */
	if (c->root_readonly && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return hull_error(err, errno, "make the root read-only");
	return 0;
}
