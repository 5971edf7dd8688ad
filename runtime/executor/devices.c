/* SPDX-License-Identifier: Apache-2.0 */
/* /dev inside the container: the default nodes every container has, linux.devices, links. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/pathres.h"
#include "lib/util.h"
#include "runtime/executor/rootfs.h"

static const struct hull_device default_devices[] = {
	{.path = "/dev/null", .type = 'c', .major = 1, .minor = 3},
	{.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5},
	{.path = "/dev/full", .type = 'c', .major = 1, .minor = 7},
	{.path = "/dev/random", .type = 'c', .major = 1, .minor = 8},
	{.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9},
	{.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

static const struct {
	const char *target, *link;
} dev_links[] = {
	{"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
	{"/proc/self/fd/2", "stderr"}, {"/proc/kcore", "core"},
};

/* "/dev//x/./y/" -> "/dev/x/y": runc and crun take a device's path as cleaned ("..", resolved
 * in the root like every other component, stays). */
static char *clean_path(const char *path)
{
	char *out = xzalloc(strlen(path) + 2), *o = out;
	const char *s = path;

	while (*s) {
		size_t len;
		while (*s == '/')
			s++;
		len = strcspn(s, "/");
		if (len && !(len == 1 && s[0] == '.')) {
			*o++ = '/';
			memcpy(o, s, len);
			o += len;
		}
		s += len;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

/* Split "/dev/x/y" into an O_PATH fd of "/dev/x" (made if missing) and the name "y" (which
 * points into path). */
static int open_parent(int rootfd, const char *path, const char **name, struct hull_err *err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash || !slash[1] || !strcmp(slash, "/.."))
		return hull_error(err, EINVAL, "bad device path `%s`", path);
	*name = path + (slash - dir) + 1;
	*slash = '\0';
	return hull_mkpath_in_root(rootfd, *dir ? dir : "/", HULL_MK_DIR, 0755, err);
}

static int make_node(const struct hull_rootfs *r, int rootfd, const struct hull_device *d,
		     struct hull_err *err)
{
	const char *name = NULL;
	cleanup_free char *path = clean_path(d->path);
	cleanup_close int dirfd = open_parent(rootfd, path, &name, err);
	mode_t type, perm = d->has_file_mode ? (d->file_mode & 07777) : 0666;
	dev_t dev = makedev(d->major, d->minor);
	struct stat st;

	if (dirfd < 0)
		return -1;
	switch (d->type) {
	case 'c':
	case 'u':
		type = S_IFCHR;
		break;
	case 'b':
		type = S_IFBLK;
		break;
	case 'p':
		type = S_IFIFO;
		break;
	default:
		return hull_error(err, EINVAL, "device `%s`: unknown type `%c`", d->path, d->type);
	}
	/* Whatever the image put there (a symlink out of the rootfs, say) is replaced. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if ((st.st_mode & S_IFMT) == type && st.st_rdev == dev && !S_ISLNK(st.st_mode))
			goto owner;
		if (unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
			return hull_error(err, errno, "replace `%s`", d->path);
	}
	if (r->userns && type != S_IFIFO) {
		/* mknod is not allowed in a user namespace: bind the host's node instead. */
		char host[64], target[HULL_FD_PATH_MAX];
		cleanup_close int fd = -1;
		snprintf(host, sizeof(host), "/dev/%s", name);
		fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd < 0)
			return hull_error(err, errno, "create `%s`", d->path);
		close(fd);
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return hull_error(err, errno, "open `%s`", d->path);
		hull_fd_path(fd, target);
		if (mount(host, target, NULL, MS_BIND, NULL) < 0)
			return hull_error(err, errno, "bind mount `%s` on `%s`", host, d->path);
		return 0;
	}
	if (mknodat(dirfd, name, type | perm, dev) < 0)
		return hull_error(err, errno, "mknod `%s`", d->path);
owner:
	if (fchmodat(dirfd, name, perm, 0) < 0)
		return hull_error(err, errno, "chmod `%s`", d->path);
	if ((d->has_uid || d->has_gid) &&
	    fchownat(dirfd, name, d->has_uid ? d->uid : (uid_t)-1, d->has_gid ? d->gid : (gid_t)-1,
		     AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error(err, errno, "chown `%s`", d->path);
	return 0;
}

static int make_link(int devfd, const char *target, const char *name, struct hull_err *err)
{
	struct stat st;
	if (fstatat(devfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode) || S_ISREG(st.st_mode))
			unlinkat(devfd, name, 0);
		else
			return 0; /* a mount point or a directory the spec put there */
	}
	if (symlinkat(target, devfd, name) < 0 && errno != EEXIST)
		return hull_error(err, errno, "symlink /dev/%s", name);
	return 0;
}

int hull_devices_setup(const struct hull_rootfs *r, int rootfd, struct hull_err *err)
{
	const struct hull_linux *lx = r->spec->linux_;
	cleanup_close int devfd = -1;
	struct stat st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(default_devices); i++) {
		bool overridden = false;
		size_t j;
		for (j = 0; lx && j < lx->n_devices; j++) {
			cleanup_free char *path = clean_path(lx->devices[j].path);
			if (!strcmp(path, default_devices[i].path))
				overridden = true;
		}
		if (!overridden && make_node(r, rootfd, &default_devices[i], err) < 0)
			return -1;
	}
	for (i = 0; lx && i < lx->n_devices; i++)
		if (make_node(r, rootfd, &lx->devices[i], err) < 0)
			return -1;

	devfd = hull_open_in_root(rootfd, "/dev", O_RDONLY | O_DIRECTORY, 0, err);
	if (devfd < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (make_link(devfd, dev_links[i].target, dev_links[i].link, err) < 0)
			return -1;
	/* /dev/ptmx must be the container's own devpts instance, never the host's. */
	if (fstatat(devfd, "pts/ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    make_link(devfd, "pts/ptmx", "ptmx", err) < 0)
		return -1;
	if (r->console) {
		/* An empty file for the pty to be bound on; a symlink here must not leak out. */
		int fd;
		if (fstatat(devfd, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    unlinkat(devfd, "console", 0) < 0)
			return hull_error(err, errno, "replace /dev/console");
		fd = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd < 0)
			return hull_error(err, errno, "create /dev/console");
		close(fd);
	}
	return 0;
}
