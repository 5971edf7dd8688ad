/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.sysctl, linux.readonlyPaths and linux.maskedPaths in the guest, in the container
 * executor's order (runtime/sysctl.c, runtime/masks.c).  The guest kernel is the container's
 * own, so a sysctl is the guest's whatever namespace it belongs to, and the paths name the
 * guest's /proc and /sys.  Each path is opened without following its last component and
 * mounted over through /proc/self/fd, so a symlink put there hides nothing and redirects
 * nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/vfsflags.h"
#include "vm/guest/guest.h"

static int sysctl_one(const struct guest_kv *kv, struct hull_err *err)
{
	char path[512];
	size_t len = strlen(kv->value);
	int fd;

	if (snprintf(path, sizeof(path), "/proc/sys/%s", kv->key) >= (int)sizeof(path) ||
	    strstr(kv->key, "..") || strchr(kv->key, '/'))
		return hull_error(err, 0, "sysctl `%s`: not a sysctl name", kv->key);
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || write(fd, kv->value, len) != (ssize_t)len) {
		hull_error(err, errno, "sysctl `%s` = `%s`", kv->key, kv->value);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int readonly_one(const char *path, struct hull_err *err)
{
	char target[64];
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return 0; /* nothing there */
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0) {
		hull_error(err, errno, "bind `%s` for read-only", path);
		close(fd);
		return -1;
	}
	close(fd);
	/* the remount acts on the new bind, found again by its path */
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "make `%s` read-only", path);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (mount(NULL, target, NULL,
		  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC |
			  hull_vfs_flags(target, MS_NOSUID | MS_NODEV | MS_NOEXEC),
		  NULL) < 0) {
		hull_error(err, errno, "make `%s` read-only", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The image's /dev/null could be anything: only the real device will do. */
static int null_device(const char *path, struct hull_err *err)
{
	struct stat ns;
	int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &ns) == 0 && S_ISCHR(ns.st_mode) && ns.st_rdev == makedev(1, 3))
		return fd;
	if (fd >= 0)
		close(fd);
	return hull_error(err, 0, "mask `%s`: /dev/null is not the null device", path);
}

/* nullfd: the guest's null device, opened once */
static int mask_one(const char *path, int *nullfd, struct hull_err *err)
{
	char target[64], src[64];
	struct stat st;
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return 0; /* nothing there to hide */
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
		close(fd);
		return 0; /* a symlink hides nothing and must not be followed */
	}
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0") < 0)
			ret = hull_error(err, errno, "mask `%s`", path);
	} else if (*nullfd < 0 && (*nullfd = null_device(path, err)) < 0) {
		ret = -1;
	} else {
		snprintf(src, sizeof(src), "/proc/self/fd/%d", *nullfd);
		if (mount(src, target, NULL, MS_BIND, NULL) < 0)
			ret = hull_error(err, errno, "mask `%s`", path);
	}
	close(fd);
	return ret;
}

int guest_masks_apply(const struct guest_config *c, struct hull_err *err)
{
	int nullfd = -1, ret = 0;
	size_t i;

	for (i = 0; i < c->n_sysctls; i++)
		if (sysctl_one(&c->sysctls[i], err) < 0)
			return -1;
	if (!c->n_readonly_paths && !c->n_masked_paths)
		return 0;
	if (access("/proc/self/fd", F_OK) < 0)
		return hull_error(err, 0,
				  "linux.maskedPaths and linux.readonlyPaths need /proc mounted in "
				  "the container");
	for (i = 0; i < c->n_readonly_paths && ret == 0; i++)
		ret = readonly_one(c->readonly_paths[i], err);
	for (i = 0; i < c->n_masked_paths && ret == 0; i++)
		ret = mask_one(c->masked_paths[i], &nullfd, err);
	if (nullfd >= 0)
		close(nullfd);
	return ret;
}
