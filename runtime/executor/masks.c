/* SPDX-License-Identifier: Apache-2.0 */
/* linux.maskedPaths and linux.readonlyPaths, applied after pivot_root. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/pathres.h"
#include "lib/util.h"
#include "lib/vfsflags.h"
#include "runtime/executor/rootfs.h"

/* The /dev/null we bind over masked files must be the real one: an image could have put a
 * symlink or another node there to get a host file bound instead. */
static int open_dev_null(int rootfd, struct hull_err *err)
{
	struct stat st;
	int fd = hull_open_in_root(rootfd, "/dev/null", O_PATH | O_NOFOLLOW, 0, err);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		close(fd);
		return hull_error(err, EPERM, "/dev/null in the container is not the null device");
	}
	return fd;
}

static int mask_one(int rootfd, int nullfd, const char *path, struct hull_err *err)
{
	cleanup_close int fd = hull_open_in_root(rootfd, path, O_PATH | O_NOFOLLOW, 0, NULL);
	char target[HULL_FD_PATH_MAX], src[HULL_FD_PATH_MAX];
	struct stat st;

	if (fd < 0)
		return 0; /* nothing there to hide */
	if (fstat(fd, &st) < 0)
		return hull_error(err, errno, "stat masked path `%s`", path);
	hull_fd_path(fd, target);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0") < 0)
			return hull_error(err, errno, "mask `%s`", path);
		return 0;
	}
	if (S_ISLNK(st.st_mode))
		return 0; /* a symlink hides nothing and must not be followed */
	hull_fd_path(nullfd, src);
	if (mount(src, target, NULL, MS_BIND, NULL) < 0)
		return hull_error(err, errno, "mask `%s`", path);
	return 0;
}

static int readonly_one(int rootfd, const char *path, struct hull_err *err)
{
	cleanup_close int fd = hull_open_in_root(rootfd, path, O_PATH, 0, NULL);
	cleanup_close int nfd = -1;
	char target[HULL_FD_PATH_MAX];

	if (fd < 0)
		return 0;
	hull_fd_path(fd, target);
	if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_error(err, errno, "bind `%s` for read-only", path);
	/* the remount must act on the new bind, found again by path */
	nfd = hull_open_in_root(rootfd, path, O_PATH, 0, err);
	if (nfd < 0)
		return -1;
	hull_fd_path(nfd, target);
	if (mount(NULL, target, NULL,
		  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC |
			  hull_vfs_flags(target, MS_NOSUID | MS_NODEV | MS_NOEXEC),
		  NULL) < 0)
		return hull_error(err, errno, "make `%s` read-only", path);
	return 0;
}

int hull_masks_apply(const struct hull_spec *spec, struct hull_err *err)
{
	const struct hull_linux *lx = spec->linux_;
	cleanup_close int rootfd = -1, nullfd = -1;
	size_t i;

	if (!lx || (!lx->masked_paths && !lx->readonly_paths))
		return 0;
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return hull_error(err, errno, "open /");
	/* every mask is mounted through /proc/self/fd of the container's own procfs */
	if (access("/proc/self/fd", F_OK) < 0)
		return hull_error(err, errno,
				  "linux.maskedPaths and linux.readonlyPaths need /proc mounted in "
				  "the container");
	for (i = 0; lx->readonly_paths && lx->readonly_paths[i]; i++)
		if (readonly_one(rootfd, lx->readonly_paths[i], err) < 0)
			return -1;
	for (i = 0; lx->masked_paths && lx->masked_paths[i]; i++) {
		if (nullfd < 0) {
			nullfd = open_dev_null(rootfd, err);
			if (nullfd < 0)
				return -1;
		}
		if (mask_one(rootfd, nullfd, lx->masked_paths[i], err) < 0)
			return -1;
	}
	return 0;
}
