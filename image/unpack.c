#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "runtime/util.h"
#include "whiteout.h"

#define BUF_SIZE (1 << 17)

/* The tar reader pulls its bytes through this from the decompressing reader, so the diff ID
 * is hashed in the same single pass that unpacks the layer. */
struct feed {
	struct archive *raw;
	struct hull_sha256 *h;
	uint64_t size;
	char *buf;
	const struct hull_progress *progress;
	const char *what;
	uint64_t reported;
};

static la_ssize_t feed_read(struct archive *a, void *ctx, const void **out)
{
	struct feed *f = ctx;
	la_ssize_t n = archive_read_data(f->raw, f->buf, BUF_SIZE);
	if (n < 0) {
		archive_set_error(a, archive_errno(f->raw), "%s", archive_error_string(f->raw));
		return -1;
	}
	hull_sha256_update(f->h, f->buf, n);
	f->size += n;
	if (f->progress && f->progress->fn && f->size - f->reported >= (1 << 20)) {
		f->reported = f->size;
		f->progress->fn(f->progress->ctx, f->what, f->size, 0);
	}
	*out = f->buf;
	return n;
}

/* Resolve a directory of the layer without following any symlink: a layer never needs to
 * write through one, and a hostile one would use it to get out. */
static int open_dir_beneath(int rootfd, const char *path, bool create, const char *entry,
			    struct hull_err *err)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS};
	cleanup_free char *p = xstrdup(path);
	int fd;
	char *s;

	fd = (int)syscall(SYS_openat2, rootfd, p, &how, sizeof(how));
	if (fd >= 0 || errno != ENOENT || !create)
		goto out;
	for (s = p;; s++) {
		char saved = *s;
		if (*s && *s != '/')
			continue;
		*s = '\0';
		if (mkdirat(rootfd, p, 0755) < 0 && errno != EEXIST)
			return hull_error(err, errno, "layer entry `%s`: mkdir `%s`", entry, p);
		*s = saved;
		if (!saved)
			break;
	}
	fd = (int)syscall(SYS_openat2, rootfd, p, &how, sizeof(how));
out:
	if (fd < 0 && errno == ENOENT && !create)
		return -2;
	if (fd < 0)
		return hull_error(err, errno == ELOOP || errno == EXDEV ? EPERM : errno,
				  "layer entry `%s`: refused: `%s` is not a plain directory of the "
				  "layer (a symlink?)",
				  entry, path);
	return fd;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d = slash ? strndup(path, slash - path) : xstrdup(".");
	if (!d)
		abort();
	return d;
}

/* The parent of an entry must not be reached through a symlink (libarchive checks the same
 * with ARCHIVE_EXTRACT_SECURE_SYMLINKS; this does not depend on it). */
static int check_parent(int rootfd, const char *path, const char *entry, struct hull_err *err)
{
	cleanup_free char *dir = dir_of(path);
	int fd = open_dir_beneath(rootfd, dir, false, entry, err);
	if (fd == -1)
		return -1;
	if (fd >= 0)
		close(fd);
	return 0;
}

static int whiteout(int rootfd, enum hull_wh_kind kind, const char *target, const char *entry,
		    struct hull_err *err)
{
	cleanup_free char *dir = kind == HULL_WH_OPAQUE ? xstrdup(target) : dir_of(target);
	cleanup_close int dfd = open_dir_beneath(rootfd, dir, true, entry, err);
	cleanup_close int d = -1;
	const char *base;

	if (dfd < 0)
		return -1;
	if (kind == HULL_WH_OPAQUE) {
		d = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d < 0 || fsetxattr(d, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return hull_error(err, errno, "layer entry `%s`: mark `%s` opaque", entry,
					  dir);
		return 0;
	}
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	d = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return hull_error(err, errno, "layer entry `%s`: open `%s`", entry, dir);
	/* a whiteout replaces whatever this same layer put there before */
	if (unlinkat(d, base, 0) < 0 && errno == EISDIR)
		unlinkat(d, base, AT_REMOVEDIR);
	if (mknodat(d, base, S_IFCHR | 0, makedev(0, 0)) < 0)
		return hull_error(err, errno, "layer entry `%s`: make whiteout `%s`", entry,
				  target);
	return 0;
}

/* Overlay's own xattrs in a layer would let it redirect or hide paths: drop them. */
static void strip_overlay_xattrs(struct archive_entry *e)
{
	const char *name;
	const void *val;
	size_t size, i = 0, n = (size_t)archive_entry_xattr_reset(e);
	struct {
		char *name;
		void *val;
		size_t size;
	} *keep = xzalloc((n + 1) * sizeof(*keep));
	bool drop = false;

	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
		if (hull_has_prefix(name, "trusted.overlay.")) {
			drop = true;
			continue;
		}
		keep[i].name = xstrdup(name);
		keep[i].val = xmalloc(size);
		memcpy(keep[i].val, val, size);
		keep[i++].size = size;
	}
	if (drop) {
		archive_entry_xattr_clear(e);
		for (n = 0; n < i; n++)
			archive_entry_xattr_add_entry(e, keep[n].name, keep[n].val, keep[n].size);
	}
	for (n = 0; n < i; n++) {
		free(keep[n].name);
		free(keep[n].val);
	}
	free(keep);
}

static int extract_entry(struct archive *tar, struct archive *disk, struct archive_entry *e,
			 int rootfd, struct hull_err *err)
{
	const char *name = archive_entry_pathname(e);
	const char *link = archive_entry_hardlink(e);
	cleanup_free char *path = NULL, *target = NULL, *lpath = NULL;
	enum hull_wh_kind kind;
	int r;

	if (!name)
		return hull_error(err, EINVAL, "layer entry without a name");
	if (hull_layer_path_clean(name, &path, err) < 0)
		return hull_error_wrap(err, "layer entry refused");
	kind = hull_whiteout_classify(path, &target, err);
	if (kind == HULL_WH_ERROR)
		return hull_error_wrap(err, "layer entry refused");
	if (kind == HULL_WH_RESERVED)
		return 0;
	if (kind != HULL_WH_NONE)
		return whiteout(rootfd, kind, target, name, err);
	if (check_parent(rootfd, path, name, err) < 0)
		return -1;
	if (link) {
		if (hull_layer_path_clean(link, &lpath, err) < 0)
			return hull_error_wrap(err, "layer entry `%s`: hard link refused", name);
		if (check_parent(rootfd, lpath, name, err) < 0)
			return -1;
		archive_entry_set_hardlink(e, lpath);
	}
	archive_entry_set_pathname(e, path);
	strip_overlay_xattrs(e);
	r = archive_write_header(disk, e);
	if (r < ARCHIVE_WARN)
		return hull_error(err, archive_errno(disk) > 0 ? archive_errno(disk) : EPERM,
				  "layer entry `%s`: %s", name, archive_error_string(disk));
	if (archive_entry_size(e) > 0 && archive_entry_filetype(e) == AE_IFREG) {
		const void *buf;
		size_t size;
		la_int64_t off;
		while ((r = archive_read_data_block(tar, &buf, &size, &off)) == ARCHIVE_OK)
			if (archive_write_data_block(disk, buf, size, off) < ARCHIVE_OK)
				return hull_error(err, archive_errno(disk), "layer entry `%s`: %s",
						  name, archive_error_string(disk));
		if (r != ARCHIVE_EOF)
			return hull_error(err, archive_errno(tar), "layer entry `%s`: %s", name,
					  archive_error_string(tar));
	}
	if (archive_write_finish_entry(disk) < ARCHIVE_WARN)
		return hull_error(err, archive_errno(disk), "layer entry `%s`: %s", name,
				  archive_error_string(disk));
	return 0;
}

static int unpack_stream(struct feed *f, int rootfd, struct hull_err *err)
{
	struct archive *tar = archive_read_new(), *disk = archive_write_disk_new();
	struct archive_entry *e;
	int r, rc = -1;

	archive_read_support_format_tar(tar);
	archive_read_support_format_empty(tar);
	/* no ARCHIVE_EXTRACT_FFLAGS: an immutable flag from a layer would make the layer
	 * impossible to remove */
	archive_write_disk_set_options(
		disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
			      ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_OWNER |
			      ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
			      ARCHIVE_EXTRACT_ACL);
	if (archive_read_open(tar, f, NULL, feed_read, NULL) != ARCHIVE_OK) {
		hull_error(err, archive_errno(tar), "read the layer: %s",
			   archive_error_string(tar));
		goto out;
	}
	while ((r = archive_read_next_header(tar, &e)) == ARCHIVE_OK)
		if (extract_entry(tar, disk, e, rootfd, err) < 0)
			goto out;
	if (r != ARCHIVE_EOF) {
		hull_error(err, archive_errno(tar) > 0 ? archive_errno(tar) : EINVAL,
			   "read the layer: %s", archive_error_string(tar));
		goto out;
	}
	/* directories' modes and times are set last, once nothing more is written in them */
	if (archive_write_close(disk) != ARCHIVE_OK) {
		hull_error(err, archive_errno(disk), "finish the layer: %s",
			   archive_error_string(disk));
		goto out;
	}
	rc = 0;
out:
	archive_read_free(tar);
	archive_write_free(disk);
	return rc;
}

int hull_unpack_fd(int fd, const char *dest, char diff_id[HULL_DIGEST_SIZE], uint64_t *size,
		   const struct hull_progress *progress, const char *what, struct hull_err *err)
{
	struct archive *raw = archive_read_new();
	struct archive_entry *e;
	cleanup_close int rootfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct feed f = {.raw = raw, .progress = progress, .what = what};
	la_ssize_t n;
	int rc = -1;

	if (rootfd < 0 || cwd < 0) {
		archive_read_free(raw);
		return hull_error(err, errno, "open `%s`", rootfd < 0 ? dest : ".");
	}
	archive_read_support_filter_all(raw);
	archive_read_support_format_raw(raw);
	if (archive_read_open_fd(raw, fd, BUF_SIZE) != ARCHIVE_OK ||
	    archive_read_next_header(raw, &e) != ARCHIVE_OK) {
		hull_error(err, archive_errno(raw) > 0 ? archive_errno(raw) : EINVAL,
			   "read the layer: %s", archive_error_string(raw));
		archive_read_free(raw);
		return -1;
	}
	f.h = hull_sha256_new();
	f.buf = xmalloc(BUF_SIZE);
	/* archive_write_disk works relative to the working directory */
	if (fchdir(rootfd) < 0) {
		hull_error(err, errno, "chdir `%s`", dest);
		goto out;
	}
	rc = unpack_stream(&f, rootfd, err);
	if (fchdir(cwd) < 0 && rc == 0)
		rc = hull_error(err, errno, "chdir back from `%s`", dest);
	/* the end-of-archive blocks and padding after them are part of the diff ID too */
	while (rc == 0 && (n = archive_read_data(raw, f.buf, BUF_SIZE)) != 0) {
		if (n < 0) {
			rc = hull_error(err, EINVAL, "read the layer: %s",
					archive_error_string(raw));
			break;
		}
		hull_sha256_update(f.h, f.buf, n);
		f.size += n;
	}
	if (rc == 0) {
		hull_sha256_final(f.h, diff_id);
		f.h = NULL;
		if (size)
			*size = f.size;
	}
out:
	hull_sha256_free(f.h);
	free(f.buf);
	archive_read_free(raw);
	return rc;
}

void hull_chain_id(const char *parent, const char *diff_id, char out[HULL_DIGEST_SIZE])
{
	cleanup_free char *s = NULL;
	if (!parent) {
		memcpy(out, diff_id, HULL_DIGEST_SIZE);
		return;
	}
	s = hull_strfmt("%s %s", parent, diff_id);
	hull_sha256_buf(s, strlen(s), out);
}
