/* SPDX-License-Identifier: Apache-2.0 */
/* The layer writer: a directory in overlayfs form to a gzip'd tar blob, in one pass.  Two
 * libarchive writers are chained: the tar writer's output is hashed (the diff ID) and handed
 * to a raw-format writer with the gzip filter, whose output is hashed and stored (the blob).
 * The tree is walked through directory fds opened with O_NOFOLLOW, so what a container put in
 * its upper directory (symlinks anywhere) is read, never followed. */
#include "image/layer_write.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image/whiteout.h"
#include "lib/util.h"

#define OVERLAY_XATTR_PREFIX "trusted.overlay."
#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"
/* with these, part of a changed file or directory lives in a lower layer */
#define OVERLAY_REDIRECT_XATTR "trusted.overlay.redirect"
#define OVERLAY_METACOPY_XATTR "trusted.overlay.metacopy"

struct hardlink {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct writer {
	struct archive *tar, *gz;
	struct hull_blob_writer *blob;
	struct hull_sha256 *diff;
	char *const *stubs;
	struct hardlink *links;
	size_t n_links;
	size_t entries;
	struct hull_err *err;
	int failed_errno; /* the blob writer's failure, seen in a callback */
};

/* the tar writer's output: hashed for the diff ID, then compressed */
static la_ssize_t tar_out(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct writer *w = ctx;
	hull_sha256_update(w->diff, buf, len);
	if (archive_write_data(w->gz, buf, len) != (la_ssize_t)len) {
		archive_set_error(a, archive_errno(w->gz), "gzip: %s", archive_error_string(w->gz));
		return -1;
	}
	return (la_ssize_t)len;
}

/* the gzip writer's output: the blob (hashed as it is stored) */
static la_ssize_t gz_out(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct writer *w = ctx;
	struct hull_err e = {0};
	if (hull_blob_write(w->blob, buf, len, &e) < 0) {
		w->failed_errno = e.errnum ? e.errnum : EIO;
		archive_set_error(a, w->failed_errno, "%s", e.msg);
		return -1;
	}
	return (la_ssize_t)len;
}

static int tar_error(struct writer *w, const char *path)
{
	return hull_error(w->err, archive_errno(w->tar) > 0 ? archive_errno(w->tar) : 0,
			  "layer entry `%s`: %s", path, archive_error_string(w->tar));
}

static bool is_stub(const struct writer *w, const char *path, const struct stat *st, int parent,
		    const char *name)
{
	bool listed = false;
	for (char *const *s = w->stubs; s && *s && !listed; s++) {
		const char *p = *s;
		while (*p == '/')
			p++;
		listed = !strcmp(p, path);
	}
	if (!listed)
		return false;
	if (S_ISREG(st->st_mode))
		return st->st_size == 0;
	if (S_ISDIR(st->st_mode)) {
		cleanup_dir DIR *d = hull_opendirat(parent, name, O_NOFOLLOW);
		return d && !hull_readdir(d);
	}
	return false;
}

/* the xattrs of fd (trusted.overlay.* is overlayfs' own bookkeeping, never a layer's) */
static void add_xattrs(struct archive_entry *e, int fd)
{
	char names[8192], val[65536];
	ssize_t n = flistxattr(fd, names, sizeof(names)), v;

	for (char *p = names; n > 0 && p < names + n; p += strlen(p) + 1) {
		if (hull_has_prefix(p, OVERLAY_XATTR_PREFIX))
			continue;
		v = fgetxattr(fd, p, val, sizeof(val));
		if (v >= 0)
			archive_entry_xattr_add_entry(e, p, val, (size_t)v);
	}
}

static struct archive_entry *entry_for(const char *path, const struct stat *st)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_mode(e, st->st_mode);
	archive_entry_set_uid(e, st->st_uid);
	archive_entry_set_gid(e, st->st_gid);
	archive_entry_set_mtime(e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	return e;
}

/* an empty regular file: an OCI whiteout or opaque marker */
static int write_marker(struct writer *w, const char *path)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, 0);
	if (archive_write_header(w->tar, e) != ARCHIVE_OK)
		rc = tar_error(w, path);
	archive_entry_free(e);
	w->entries++;
	return rc;
}

static int write_data(struct writer *w, int fd, const char *path, int64_t size)
{
	char buf[1 << 16];
	int64_t left = size;

	while (left > 0) {
		ssize_t n = read(fd, buf, left < (int64_t)sizeof(buf) ? (size_t)left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hull_error(w->err, errno, "read `%s`", path);
		if (n == 0) {
			/* the file shrank while we read it (a container still at work): the
			 * header said size bytes, so zeros make up the rest */
			memset(buf, 0, sizeof(buf));
			n = left < (int64_t)sizeof(buf) ? (ssize_t)left : (ssize_t)sizeof(buf);
		}
		if (archive_write_data(w->tar, buf, (size_t)n) != n)
			return tar_error(w, path);
		left -= n;
	}
	return 0;
}

static int walk(struct writer *w, int parent, const char *prefix);

static int write_one(struct writer *w, int dirfd, const char *name, const char *prefix)
{
	cleanup_free char *path = hull_strfmt("%s%s", prefix, name);
	struct archive_entry *e = NULL;
	cleanup_close int fd = -1;
	struct stat st;
	int rc = -1;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : hull_error(w->err, errno, "stat `%s`", path);
	if (is_stub(w, path, &st, dirfd, name))
		return 0;
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		cleanup_free char *wh = hull_strfmt("%s" HULL_WH_PREFIX "%s", prefix, name);
		return write_marker(w, wh);
	}
	if (S_ISSOCK(st.st_mode))
		return 0; /* a tar has no sockets; docker leaves them out too */
	if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
		fd = openat(dirfd, name,
			    (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0) | O_RDONLY | O_NOFOLLOW |
				    O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			return hull_error(w->err, errno, "open `%s`", path);
	}
	/* overlayfs' redirect_dir and metacopy keep part of a change in the lower layers: the
	 * upper directory alone would make a wrong layer */
	if (fd >= 0 && (fgetxattr(fd, OVERLAY_REDIRECT_XATTR, NULL, 0) >= 0 ||
			fgetxattr(fd, OVERLAY_METACOPY_XATTR, NULL, 0) >= 0))
		return hull_error(w->err, ENOTSUP,
				  "`%s` was renamed or copied up by metadata only (overlayfs "
				  "redirect_dir or metacopy is on): its changes are not all in the "
				  "upper directory",
				  path);
	e = entry_for(path, &st);
	if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
		for (size_t i = 0; i < w->n_links; i++)
			if (w->links[i].dev == st.st_dev && w->links[i].ino == st.st_ino) {
				archive_entry_set_hardlink(e, w->links[i].path);
				archive_entry_set_size(e, 0);
				if (archive_write_header(w->tar, e) != ARCHIVE_OK)
					tar_error(w, path);
				else
					rc = 0;
				w->entries++;
				goto out;
			}
		w->links = xrealloc(w->links, (w->n_links + 1) * sizeof(*w->links));
		w->links[w->n_links++] = (struct hardlink){
			.dev = st.st_dev, .ino = st.st_ino, .path = xstrdup(path)};
	}
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0) {
			hull_error(w->err, errno, "readlink `%s`", path);
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		archive_entry_set_rdevmajor(e, major(st.st_rdev));
		archive_entry_set_rdevminor(e, minor(st.st_rdev));
	}
	if (S_ISREG(st.st_mode))
		archive_entry_set_size(e, st.st_size);
	else
		archive_entry_set_size(e, 0);
	if (fd >= 0)
		add_xattrs(e, fd);
	if (archive_write_header(w->tar, e) != ARCHIVE_OK) {
		tar_error(w, path);
		goto out;
	}
	w->entries++;
	if (S_ISREG(st.st_mode) && write_data(w, fd, path, st.st_size) < 0)
		goto out;
	if (S_ISDIR(st.st_mode)) {
		cleanup_free char *sub = hull_strfmt("%s/", path);
		char opq[2];
		if (fgetxattr(fd, OVERLAY_OPAQUE_XATTR, opq, sizeof(opq)) == 1 && opq[0] == 'y') {
			cleanup_free char *m = hull_strfmt("%s" HULL_WH_OPQ_NAME, sub);
			if (write_marker(w, m) < 0)
				goto out;
		}
		if (walk(w, fd, sub) < 0)
			goto out;
	}
	rc = 0;
out:
	archive_entry_free(e);
	return rc;
}

/* a directory's entries, sorted: the same tree always makes the same tar */
static int walk(struct writer *w, int parent, const char *prefix)
{
	DIR *d = hull_opendirat(parent, ".", 0);
	cleanup_strv char **names = NULL;
	size_t n;

	if (!d)
		return hull_error(w->err, errno, "open the directory `%s`", *prefix ? prefix : ".");
	names = hull_dir_sorted(d, &n);
	for (size_t i = 0; i < n; i++)
		if (write_one(w, dirfd(d), names[i], prefix) < 0) {
			closedir(d);
			return -1;
		}
	closedir(d);
	return 0;
}

static int open_writers(struct writer *w, struct hull_err *err)
{
	struct archive_entry *e;
	int rc;

	w->gz = archive_write_new();
	w->tar = archive_write_new();
	if (!w->gz || !w->tar)
		return hull_error(err, ENOMEM, "libarchive");
	archive_write_set_format_raw(w->gz);
	archive_write_add_filter_gzip(w->gz);
	/* no time stamp in the gzip header: the same tree gives the same blob */
	archive_write_set_filter_option(w->gz, "gzip", "timestamp", NULL);
	archive_write_set_bytes_in_last_block(w->gz, 1);
	if (archive_write_open(w->gz, w, NULL, gz_out, NULL) != ARCHIVE_OK)
		return hull_error(err, archive_errno(w->gz), "gzip: %s",
				  archive_error_string(w->gz));
	e = archive_entry_new();
	archive_entry_set_pathname(e, "layer.tar");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	rc = archive_write_header(w->gz, e);
	archive_entry_free(e);
	if (rc != ARCHIVE_OK)
		return hull_error(err, archive_errno(w->gz), "gzip: %s",
				  archive_error_string(w->gz));
	archive_write_set_format_pax_restricted(w->tar);
	archive_write_set_bytes_in_last_block(w->tar, 1);
	if (archive_write_open(w->tar, w, NULL, tar_out, NULL) != ARCHIVE_OK)
		return hull_error(err, archive_errno(w->tar), "tar: %s",
				  archive_error_string(w->tar));
	return 0;
}

int hull_layer_write_dir(struct hull_store *s, int dirfd, char *const *stubs,
			 struct hull_layer_out *out, struct hull_err *err)
{
	struct writer w = {.stubs = stubs, .err = err};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	w.blob = hull_blob_begin(s, err);
	if (!w.blob)
		return -1;
	w.diff = hull_sha256_new();
	if (open_writers(&w, err) < 0 || walk(&w, dirfd, "") < 0)
		goto out;
	if (archive_write_close(w.tar) != ARCHIVE_OK) {
		tar_error(&w, "(end of archive)");
		goto out;
	}
	if (archive_write_close(w.gz) != ARCHIVE_OK) {
		hull_error(err, archive_errno(w.gz), "gzip: %s", archive_error_string(w.gz));
		goto out;
	}
	hull_sha256_final(w.diff, out->diff_id);
	w.diff = NULL;
	out->entries = w.entries;
	if (!w.entries) {
		hull_blob_abort(w.blob);
		w.blob = NULL;
		rc = 0;
		goto out;
	}
	rc = hull_blob_commit(w.blob, NULL, out->blob, &out->size, err);
	w.blob = NULL;
out:
	/* the writers first: freeing an unclosed one still writes through the callbacks */
	if (w.tar)
		archive_write_free(w.tar);
	if (w.gz)
		archive_write_free(w.gz);
	if (w.blob)
		hull_blob_abort(w.blob);
	if (w.diff)
		hull_sha256_free(w.diff);
	for (size_t i = 0; i < w.n_links; i++)
		free(w.links[i].path);
	free(w.links);
	return rc;
}
