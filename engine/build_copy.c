/* SPDX-License-Identifier: Apache-2.0 */
/* COPY and ADD into a build's rootfs.  The destination is resolved inside the rootfs
 * (lib/pathres.h: its symlinks stay inside it), then every entry is made with *at() calls on
 * directory fds opened with O_NOFOLLOW, so nothing an image holds can redirect a write. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/build_int.h"
#include "lib/pathres.h"
#include "lib/util.h"

#define CREATED_DIR_MODE 0755

static int set_meta(int fd, const char *name, const struct stat *st, const struct hull_copy_opts *o,
		    bool is_link, struct hull_err *err)
{
	uid_t uid = o->chown ? o->uid : o->keep_owner ? st->st_uid : 0;
	gid_t gid = o->chown ? o->gid : o->keep_owner ? st->st_gid : 0;
	struct timespec ts[2] = {st->st_mtim, st->st_mtim};
	mode_t mode = o->mode >= 0 ? (mode_t)o->mode : st->st_mode & 07777;

	/* owner first: a chown clears set-id bits */
	if (fchownat(fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error(err, errno, "chown `%s`", name);
	if (!is_link && fchmodat(fd, name, mode, 0) < 0)
		return hull_error(err, errno, "chmod `%s`", name);
	if (utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error(err, errno, "set the times of `%s`", name);
	return 0;
}

static int copy_data(int in, int out, const char *name, struct hull_err *err)
{
	char buf[1 << 16];
	ssize_t n;

	do
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
	while (n > 0);
	if (n == 0)
		return 0;
	/* file systems without copy_file_range between them */
	if (lseek(in, 0, SEEK_SET) < 0 || ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0)
		return hull_error(err, errno, "copy `%s`", name);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (hull_write_all(out, buf, (size_t)n) < 0)
			return hull_error(err, errno, "copy `%s`", name);
	return n < 0 ? hull_error(err, errno, "copy `%s`", name) : 0;
}

/* what is at dst/name goes, unless both are directories (they merge) */
static int make_room(int dst, const char *name, bool is_dir, struct hull_err *err)
{
	struct stat st;
	if (fstatat(dst, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : hull_error(err, errno, "stat `%s`", name);
	if (S_ISDIR(st.st_mode)) {
		if (is_dir)
			return 0;
		return hull_error(err, EISDIR, "cannot overwrite the directory `%s` with a file",
				  name);
	}
	if (unlinkat(dst, name, 0) < 0)
		return hull_error(err, errno, "replace `%s`", name);
	return 0;
}

static int copy_tree(int src, int dst, const char *rel, const struct hull_copy_opts *o,
		     struct hull_err *err);

/* a regular file open for reading (in) to dst/dname, which make_room has cleared */
static int copy_reg(int in, const struct stat *st, int dst, const char *dname, const char *rel,
		    const struct hull_copy_opts *o, struct hull_err *err)
{
	cleanup_close int out =
		openat(dst, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return hull_error(err, errno, "create `%s`", dname);
	if (copy_data(in, out, rel, err) < 0)
		return -1;
	return set_meta(dst, dname, st, o, false, err);
}

/* the entry src/name (never followed) to dst/dname */
static int copy_entry(int src, const char *name, int dst, const char *dname, const char *rel,
		      const struct hull_copy_opts *o, struct hull_err *err)
{
	struct stat st;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error(err, errno, "stat `%s`", rel);
	if (make_room(dst, dname, S_ISDIR(st.st_mode), err) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		cleanup_close int s =
			openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int d = -1;
		if (s < 0)
			return hull_error(err, errno, "open `%s`", rel);
		if (mkdirat(dst, dname, 0700) < 0 && errno != EEXIST)
			return hull_error(err, errno, "mkdir `%s`", dname);
		d = openat(dst, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (d < 0)
			return hull_error(err, errno, "open `%s`", dname);
		if (copy_tree(s, d, rel, o, err) < 0)
			return -1;
		return set_meta(dst, dname, &st, o, false, err);
	}
	if (S_ISREG(st.st_mode)) {
		cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0)
			return hull_error(err, errno, "open `%s`", rel);
		return copy_reg(in, &st, dst, dname, rel, o, err);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return hull_error(err, errno, "readlink `%s`", rel);
		target[n] = '\0';
		if (symlinkat(target, dst, dname) < 0)
			return hull_error(err, errno, "symlink `%s`", dname);
		return set_meta(dst, dname, &st, o, true, err);
	}
	if (S_ISSOCK(st.st_mode))
		return 0;
	if (mknodat(dst, dname, st.st_mode, st.st_rdev) < 0)
		return hull_error(err, errno, "mknod `%s`", dname);
	return set_meta(dst, dname, &st, o, false, err);
}

static char *join(const char *dir, const char *name)
{
	return strcmp(dir, ".") ? hull_strfmt("%s/%s", dir, name) : xstrdup(name);
}

/* the contents of src into dst (rel: src's path in the context, for .dockerignore) */
static int copy_tree(int src, int dst, const char *rel, const struct hull_copy_opts *o,
		     struct hull_err *err)
{
	DIR *d = hull_opendirat(src, ".", 0);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return hull_error(err, errno, "open the directory `%s`", rel);
	while (rc == 0 && (de = hull_readdir(d))) {
		cleanup_free char *p = join(rel, de->d_name);
		if (hull_ignore_match(o->ig, p))
			continue;
		rc = copy_entry(dirfd(d), de->d_name, dst, de->d_name, p, o, err);
	}
	closedir(d);
	return rc;
}

/* dest made (with its parents) as a directory of the rootfs; an fd to read and write in it */
static int dest_dir(int rootfd, const char *dest, const struct hull_copy_opts *o,
		    struct hull_err *err)
{
	cleanup_close int p = hull_mkpath_in_root(rootfd, dest, HULL_MK_DIR, CREATED_DIR_MODE, err);
	int fd;

	if (p < 0)
		return hull_error_wrap(err, "the destination `%s`", dest);
	fd = openat(p, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "open the destination `%s`", dest);
	if (o->chown && fchown(fd, o->uid, o->gid) < 0) {
		hull_error(err, errno, "chown the destination `%s`", dest);
		close(fd);
		return -1;
	}
	return fd;
}

static bool is_dir_in_root(int rootfd, const char *path)
{
	struct stat st;
	cleanup_close int fd = hull_open_in_root(rootfd, path, O_PATH | O_CLOEXEC, 0, NULL);
	return fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

int hull_copy_in(int srcfd, char *const *sources, int rootfd, const char *dest,
		 const struct hull_copy_opts *o, struct hull_err *err)
{
	size_t n = hull_strv_len(sources), len = strlen(dest);
	bool to_dir = (len && dest[len - 1] == '/') || n > 1 || is_dir_in_root(rootfd, dest);

	if (n > 1 && !(len && dest[len - 1] == '/'))
		return hull_error(err, 0,
				  "when using COPY with more than one source file, the destination "
				  "must be a directory and end with a /");
	for (size_t i = 0; i < n; i++) {
		cleanup_close int s =
			hull_open_in_root(srcfd, sources[i], O_PATH | O_CLOEXEC, 0, err);
		cleanup_close int d = -1;
		struct stat st;
		if (s < 0 || fstat(s, &st) < 0)
			return hull_error_wrap(err, "`%s`", sources[i]);
		if (S_ISDIR(st.st_mode)) {
			d = dest_dir(rootfd, dest, o, err);
			if (d < 0 || copy_tree(s, d, sources[i], o, err) < 0)
				return -1;
			continue;
		}
		{
			cleanup_free char *src_copy = xstrdup(sources[i]);
			cleanup_free char *dest_copy = xstrdup(dest);
			cleanup_free char *parent = NULL;
			const char *base = basename(src_copy), *dname = base;
			char path[HULL_FD_PATH_MAX];
			cleanup_close int in = -1;
			if (to_dir) {
				d = dest_dir(rootfd, dest, o, err);
			} else {
				char *slash = strrchr(dest_copy, '/');
				dname = slash ? slash + 1 : dest_copy;
				parent = slash && slash != dest_copy
						 ? strndup(dest_copy, (size_t)(slash - dest_copy))
						 : xstrdup("/");
				d = hull_mkpath_in_root(rootfd, parent, HULL_MK_DIR,
							CREATED_DIR_MODE, err);
				if (d >= 0) {
					int rd = openat(d, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
					close(d);
					d = rd;
				}
			}
			if (d < 0)
				return hull_error_wrap(err, "the destination `%s`", dest);
			if (!S_ISREG(st.st_mode))
				return hull_error(err, 0,
						  "`%s` is not a regular file or a directory",
						  sources[i]);
			/* the resolved source, reopened for reading through its fd */
			hull_fd_path(s, path);
			in = open(path, O_RDONLY | O_CLOEXEC);
			if (in < 0)
				return hull_error(err, errno, "open `%s`", sources[i]);
			if (make_room(d, dname, false, err) < 0 ||
			    copy_reg(in, &st, d, dname, sources[i], o, err) < 0)
				return -1;
		}
	}
	return 0;
}
