/* SPDX-License-Identifier: Apache-2.0 */
/* The copy fallback of a container rootfs: layers copied bottom to top, whiteouts and
 * opaque directories applied as overlayfs applies them.  Everything goes through directory
 * fds and *at() calls with AT_SYMLINK_NOFOLLOW, so a symlink in a lower layer is replaced,
 * never followed.  Hard links within a layer become separate copies. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image/rootfs.h"
#include "lib/util.h"

static int remove_entry(int parent, const char *name, struct hull_err *err)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, rc = 0;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : hull_error(err, errno, "stat `%s`", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return hull_error(err, errno, "unlink `%s`", name);
		return 0;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return hull_error(err, errno, "open `%s`", name);
	}
	while (rc == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = remove_entry(dirfd(d), de->d_name, err);
	closedir(d);
	if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0)
		return hull_error(err, errno, "rmdir `%s`", name);
	return rc;
}

static void copy_xattrs(int src, int dst)
{
	char names[4096], val[4096];
	ssize_t n = flistxattr(src, names, sizeof(names)), v;
	char *p;
	for (p = names; n > 0 && p < names + n; p += strlen(p) + 1) {
		if (hull_has_prefix(p, "trusted.overlay."))
			continue;
		v = fgetxattr(src, p, val, sizeof(val));
		if (v >= 0)
			fsetxattr(dst, p, val, (size_t)v, 0);
	}
}

/* owner, then mode (chown clears set-id bits), then times */
static int set_meta(int fd, const struct stat *st, const char *name, struct hull_err *err)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 ||
	    futimens(fd, ts) < 0)
		return hull_error(err, errno, "set the owner, mode and times of `%s`", name);
	return 0;
}

static int copy_file(int src, int dst, const char *name, const struct stat *st,
		     struct hull_err *err)
{
	cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int out = -1;
	ssize_t n;

	if (in < 0)
		return hull_error(err, errno, "open `%s`", name);
	out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return hull_error(err, errno, "create `%s`", name);
	do
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
	while (n > 0);
	if (n < 0) {
		char buf[1 << 16];
		/* file systems without copy_file_range: plain read and write */
		if (lseek(in, 0, SEEK_SET) < 0 || ftruncate(out, 0) < 0 ||
		    lseek(out, 0, SEEK_SET) < 0)
			return hull_error(err, errno, "copy `%s`", name);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (hull_write_all(out, buf, n) < 0)
				return hull_error(err, errno, "copy `%s`", name);
		if (n < 0)
			return hull_error(err, errno, "copy `%s`", name);
	}
	copy_xattrs(in, out);
	return set_meta(out, st, name, err);
}

static int copy_entry(int src, int dst, const char *name, struct hull_err *err)
{
	struct stat st, dst_st;
	bool dst_exists = fstatat(dst, name, &dst_st, AT_SYMLINK_NOFOLLOW) == 0;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error(err, errno, "stat `%s`", name);
	/* a 0/0 character device is a whiteout: the name is gone from the merged view */
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
		return remove_entry(dst, name, err);
	if (S_ISDIR(st.st_mode)) {
		cleanup_close int s =
			openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int d = -1;
		char opq[2];
		bool opaque;
		if (s < 0)
			return hull_error(err, errno, "open `%s`", name);
		opaque = fgetxattr(s, "trusted.overlay.opaque", opq, sizeof(opq)) == 1 &&
			 opq[0] == 'y';
		if (dst_exists && (!S_ISDIR(dst_st.st_mode) || opaque) &&
		    remove_entry(dst, name, err) < 0)
			return -1;
		if (mkdirat(dst, name, 0700) < 0 && errno != EEXIST)
			return hull_error(err, errno, "mkdir `%s`", name);
		d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (d < 0)
			return hull_error(err, errno, "open `%s`", name);
		if (hull_layer_apply(s, d, err) < 0)
			return hull_error_wrap(err, "`%s`", name);
		copy_xattrs(s, d);
		return set_meta(d, &st, name, err);
	}
	if (dst_exists && remove_entry(dst, name, err) < 0)
		return -1;
	if (S_ISREG(st.st_mode))
		return copy_file(src, dst, name, &st, err);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return hull_error(err, errno, "readlink `%s`", name);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0 ||
		    fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
			return hull_error(err, errno, "symlink `%s`", name);
		return 0;
	}
	/* chown before chmod (chown clears set-id bits); the mode again, past the umask */
	if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0 ||
	    fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(dst, name, st.st_mode & 07777, 0) < 0)
		return hull_error(err, errno, "mknod `%s`", name);
	return 0;
}

int hull_layer_apply(int src, int dst, struct hull_err *err)
{
	DIR *d = hull_opendirat(src, ".", 0);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return hull_error(err, errno, "open a layer directory");
	while (rc == 0 && (de = hull_readdir(d)))
		rc = copy_entry(dirfd(d), dst, de->d_name, err);
	closedir(d);
	return rc;
}
