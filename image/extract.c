/* SPDX-License-Identifier: Apache-2.0 */
#include "image/echo.h"
#include "image/extract.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/util.h"

/* A directory's metadata, applied at the end: writing into it would change its mtime, and a
 * read-only mode would stop an unprivileged unpack from writing into it. */
struct dirfix {
	char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec ts[2];
};

struct hull_extract {
	int rootfd;
	/* The parent directory of the last entry (tar streams come grouped by directory), so
	 * most entries cost no path walk at all.  Entries only ever remove children of this
	 * directory, never it or its ancestors, so it stays the directory its path names. */
	int dirfd;
	char *dir;
	struct dirfix *fix;
	size_t nfix, capfix;
	mode_t umask;
	bool root; /* as root, owners must be set; otherwise a refused chown is skipped as tar does
		    */
	/* Who owns what this unpack makes: every directory of the layer is made here with no
	 * setgid bit until the end, so a new entry's owner is exactly this, and an entry that asks
	 * for this owner needs no chown (most entries of most layers: root's). */
	uid_t uid;
	gid_t gid;
	const bool *input_ended; /* the stream under the tar reader ended (NULL: not watched) */
	bool tail_missing;	 /* it ended after the last data, in its padding */
};

static bool needs_chown(const struct hull_extract *x, struct archive_entry *e)
{
	return archive_entry_uid(e) != x->uid || archive_entry_gid(e) != x->gid;
}

static int openat2_dir(int dfd, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)flags | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS};
	return (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}

static int refused(int e, const char *entry, const char *dir, struct hull_err *err)
{
	if (e == ELOOP || e == EXDEV || e == ENOTDIR)
		return hull_error(err, EPERM,
				  "layer entry `%s`: refused: `%s` is not a plain directory of the "
				  "layer (a symlink?)",
				  ECHO(entry), ECHO(dir));
	return hull_error(err, e, "layer entry `%s`: open `%s`", ECHO(entry), ECHO(dir));
}

/* Open (and with create, make as tar does) the directory dir of the layer, one component at a
 * time so that a missing one can be made at the right place. */
static int open_dir(int rootfd, const char *dir, bool create, const char *entry,
		    struct hull_err *err)
{
	cleanup_free char *p = NULL;
	char *c, *slash;
	int fd = openat2_dir(rootfd, dir, O_PATH), next;

	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : refused(errno, entry, dir, err);
	p = xstrdup(dir);
	fd = openat2_dir(rootfd, ".", O_PATH);
	if (fd < 0)
		return refused(errno, entry, ".", err);
	for (c = p;; c = slash + 1) {
		slash = strchr(c, '/');
		if (slash)
			*slash = '\0';
		next = openat2_dir(fd, c, O_PATH);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
				hull_error(err, errno, "layer entry `%s`: mkdir `%s`", ECHO(entry),
					   ECHO(p));
				close(fd);
				return -1;
			}
			next = openat2_dir(fd, c, O_PATH);
		}
		close(fd);
		if (next < 0)
			return refused(errno, entry, p, err);
		fd = next;
		if (!slash)
			return fd;
		*slash = '/';
	}
}

static int parent_fd(struct hull_extract *x, const char *dir, const char *entry,
		     struct hull_err *err)
{
	int fd;
	if (x->dir && !strcmp(x->dir, dir))
		return x->dirfd;
	fd = open_dir(x->rootfd, dir, true, entry, err);
	if (fd < 0)
		return -1;
	if (x->dirfd >= 0)
		close(x->dirfd);
	free(x->dir);
	x->dirfd = fd;
	x->dir = xstrdup(dir);
	return fd;
}

/* "a/b/c" is "a/b" and "c"; "c" is "." and "c".  Returns the allocated directory. */
static char *split(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char *d;
	*base = slash ? slash + 1 : path;
	d = slash ? strndup(path, (size_t)(slash - path)) : xstrdup(".");
	if (!d)
		abort();
	return d;
}

static int remove_tree_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(fd, de->d_name, 0) < 0 &&
		    (errno != EISDIR || remove_tree_at(fd, de->d_name) < 0)) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

/* A later entry of the same layer replaces whatever an earlier one put at its name. */
static int remove_at(int dfd, const char *base, const char *entry, struct hull_err *err)
{
	if (unlinkat(dfd, base, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno == EISDIR && remove_tree_at(dfd, base) == 0)
		return 0;
	return hull_error(err, errno, "layer entry `%s`: remove what is there", ECHO(entry));
}

/* xattrs are set through fd when it is an open file, else on dfd's child base without
 * following it (symlinks, device nodes). */
static int set_xattrs(struct archive_entry *e, int fd, int dfd, const char *base, const char *entry,
		      struct hull_err *err)
{
	const char *name;
	const void *val;
	size_t size;
	char proc[64];
	cleanup_free char *p = NULL;

	if (archive_entry_xattr_reset(e) == 0)
		return 0;
	if (fd < 0) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dfd);
		p = hull_strfmt("%s/%s", proc, base);
	}
	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
		int r;
		/* overlayfs's own xattrs would let a layer hide or redirect paths of others */
		if (hull_has_prefix(name, "trusted.overlay."))
			continue;
		r = fd >= 0 ? fsetxattr(fd, name, val, size, 0) : lsetxattr(p, name, val, size, 0);
		/* as tar: a file system (or a user) that cannot hold the xattr does without */
		if (r < 0 && errno != ENOTSUP && errno != EPERM)
			return hull_error(err, errno, "layer entry `%s`: set xattr %s", ECHO(entry),
					  ECHO(name));
	}
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
}

static int chown_err(struct hull_extract *x, const char *entry, struct hull_err *err)
{
	if (!x->root && errno == EPERM)
		return 0;
	return hull_error(err, errno, "layer entry `%s`: chown", ECHO(entry));
}

/* Owner first (a chown clears setuid bits and security.capability), then mode, xattrs, times */
static int write_file(struct hull_extract *x, int dfd, const char *base, struct archive *tar,
		      struct archive_entry *e, const char *entry, struct hull_err *err)
{
	mode_t mode = archive_entry_perm(e);
	cleanup_close int fd = -1;
	struct timespec ts[2];
	const void *buf;
	size_t size;
	la_int64_t off, pos = 0;
	int r;

	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
	if (fd < 0 && errno == EEXIST) {
		if (remove_at(dfd, base, entry, err) < 0)
			return -1;
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    mode & 0777);
	}
	if (fd < 0)
		return hull_error(err, errno, "layer entry `%s`: create", ECHO(entry));
	while ((r = archive_read_data_block(tar, &buf, &size, &off)) == ARCHIVE_OK) {
		/* a hole of a sparse file is skipped over, not written */
		if (off != pos && lseek(fd, off, SEEK_SET) < 0)
			return hull_error(err, errno, "layer entry `%s`: seek", ECHO(entry));
		if (hull_write_all(fd, buf, size) < 0)
			return hull_error(err, errno, "layer entry `%s`: write", ECHO(entry));
		pos = off + (la_int64_t)size;
	}
	/* the stream ended with the data complete: only the padding and the end-of-archive
	 * blocks are missing, which docker and podman accept */
	if (r == ARCHIVE_FATAL && x->input_ended && *x->input_ended &&
	    pos >= archive_entry_size(e)) {
		x->tail_missing = true;
		r = ARCHIVE_EOF;
	}
	if (r != ARCHIVE_EOF)
		return hull_error(err, archive_errno(tar) > 0 ? archive_errno(tar) : EINVAL,
				  "layer entry `%s`: %s", ECHO(entry), archive_error_string(tar));
	if (pos < archive_entry_size(e) && ftruncate(fd, archive_entry_size(e)) < 0)
		return hull_error(err, errno, "layer entry `%s`: truncate", ECHO(entry));
	if (needs_chown(x, e) && fchown(fd, archive_entry_uid(e), archive_entry_gid(e)) < 0 &&
	    chown_err(x, entry, err) < 0)
		return -1;
	if (((mode & 07000) || (mode & x->umask)) && fchmod(fd, mode) < 0)
		return hull_error(err, errno, "layer entry `%s`: chmod", ECHO(entry));
	if (set_xattrs(e, fd, -1, NULL, entry, err) < 0)
		return -1;
	entry_times(e, ts);
	if (futimens(fd, ts) < 0)
		return hull_error(err, errno, "layer entry `%s`: set times", ECHO(entry));
	return 0;
}

static int add_fix(struct hull_extract *x, const char *path, struct archive_entry *e)
{
	struct dirfix *f;
	if (x->nfix == x->capfix) {
		x->capfix = x->capfix ? 2 * x->capfix : 64;
		x->fix = xrealloc(x->fix, x->capfix * sizeof(*x->fix));
	}
	f = &x->fix[x->nfix++];
	f->path = xstrdup(path);
	f->mode = archive_entry_perm(e);
	f->uid = archive_entry_uid(e);
	f->gid = archive_entry_gid(e);
	entry_times(e, f->ts);
	return 0;
}

static int make_dir(struct hull_extract *x, int dfd, const char *base, const char *path,
		    struct archive_entry *e, const char *entry, struct hull_err *err)
{
	cleanup_close int fd = -1;
	struct stat st;

	if (mkdirat(dfd, base, 0700) < 0) {
		if (errno != EEXIST)
			return hull_error(err, errno, "layer entry `%s`: mkdir", ECHO(entry));
		/* a directory stays (what it holds too); anything else is replaced */
		if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return hull_error(err, errno, "layer entry `%s`: stat", ECHO(entry));
		if (!S_ISDIR(st.st_mode) &&
		    (remove_at(dfd, base, entry, err) < 0 || mkdirat(dfd, base, 0700) < 0))
			return hull_error(err, errno, "layer entry `%s`: mkdir", ECHO(entry));
	}
	if (archive_entry_xattr_count(e) > 0) {
		fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return hull_error(err, errno, "layer entry `%s`: open", ECHO(entry));
		if (set_xattrs(e, fd, -1, NULL, entry, err) < 0)
			return -1;
	}
	return add_fix(x, path, e);
}

/* symlinks, device nodes, fifos: made and then changed by name, never followed */
static int make_node(struct hull_extract *x, int dfd, const char *base, struct archive_entry *e,
		     const char *entry, struct hull_err *err)
{
	mode_t type = archive_entry_filetype(e), mode = archive_entry_perm(e);
	const char *target = archive_entry_symlink(e);
	struct timespec ts[2];
	int r, tries;

	if (type == AE_IFLNK && !target)
		return hull_error(err, EINVAL, "layer entry `%s`: symlink without a target",
				  ECHO(entry));
	for (tries = 0; tries < 2; tries++) {
		if (type == AE_IFLNK)
			r = symlinkat(target, dfd, base);
		else
			r = mknodat(dfd, base, type | (mode & 0777), archive_entry_rdev(e));
		if (r == 0 || errno != EEXIST || tries)
			break;
		if (remove_at(dfd, base, entry, err) < 0)
			return -1;
	}
	if (r < 0)
		return hull_error(err, errno, "layer entry `%s`: %s", ECHO(entry),
				  type == AE_IFLNK ? "symlink" : "mknod");
	if (needs_chown(x, e) &&
	    fchownat(dfd, base, archive_entry_uid(e), archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) <
		    0 &&
	    chown_err(x, entry, err) < 0)
		return -1;
	/* a symlink has no mode of its own; a node was just made here, not replaced */
	if (type != AE_IFLNK && ((mode & 07000) || (mode & x->umask)) &&
	    fchmodat(dfd, base, mode, 0) < 0)
		return hull_error(err, errno, "layer entry `%s`: chmod", ECHO(entry));
	if (set_xattrs(e, -1, dfd, base, entry, err) < 0)
		return -1;
	entry_times(e, ts);
	if (utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error(err, errno, "layer entry `%s`: set times", ECHO(entry));
	return 0;
}

/* The target must already be in this layer, reached without a symlink; linkat does not
 * follow a symlink target either, so a link to a symlink is a second name of that symlink. */
static int make_link(struct hull_extract *x, int dfd, const char *base, const char *path,
		     const char *link, const char *entry, struct hull_err *err)
{
	const char *lbase;
	cleanup_free char *ldir = split(link, &lbase);
	cleanup_close int own = -1;
	int lfd = dfd, r;

	if (!strcmp(link, path))
		return 0;
	if (strcmp(ldir, x->dir)) {
		own = open_dir(x->rootfd, ldir, false, entry, err);
		if (own < 0)
			return hull_error_wrap(err, "hard link to `%s` refused", ECHO(link));
		lfd = own;
	}
	r = linkat(lfd, lbase, dfd, base, 0);
	if (r < 0 && errno == EEXIST) {
		if (remove_at(dfd, base, entry, err) < 0)
			return -1;
		r = linkat(lfd, lbase, dfd, base, 0);
	}
	if (r < 0)
		return hull_error(err, errno, "layer entry `%s`: hard link to `%s` refused",
				  ECHO(entry), ECHO(link));
	return 0;
}

int hull_extract_entry(struct hull_extract *x, struct archive *tar, struct archive_entry *e,
		       const char *path, const char *link, const char *entry, struct hull_err *err)
{
	const char *base;
	cleanup_free char *dir = NULL;
	int dfd;

	if (!strcmp(path, ".")) {
		/* the layer root itself: its metadata, set at the end */
		if (link || archive_entry_filetype(e) != AE_IFDIR)
			return hull_error(err, EPERM, "layer entry `%s`: refused: not a directory",
					  entry);
		if (set_xattrs(e, x->rootfd, -1, NULL, entry, err) < 0)
			return -1;
		return add_fix(x, ".", e);
	}
	dir = split(path, &base);
	dfd = parent_fd(x, dir, entry, err);
	if (dfd < 0)
		return -1;
	if (link)
		return make_link(x, dfd, base, path, link, entry, err);
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		return write_file(x, dfd, base, tar, e, entry, err);
	case AE_IFDIR:
		return make_dir(x, dfd, base, path, e, entry, err);
	case AE_IFLNK:
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return make_node(x, dfd, base, e, entry, err);
	default:
		return hull_error(err, EINVAL, "layer entry `%s`: unsupported file type 0%o",
				  ECHO(entry), (unsigned)archive_entry_filetype(e));
	}
}

int hull_extract_whiteout(struct hull_extract *x, enum hull_wh_kind kind, const char *target,
			  const char *entry, struct hull_err *err)
{
	cleanup_close int d = -1;
	cleanup_free char *dir = NULL;
	const char *base;
	int dfd;

	if (kind == HULL_WH_OPAQUE) {
		dfd = parent_fd(x, target, entry, err);
		if (dfd < 0)
			return -1;
		d = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d < 0 || fsetxattr(d, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return hull_error(err, errno, "layer entry `%s`: mark `%s` opaque",
					  ECHO(entry), ECHO(target));
		return 0;
	}
	dir = split(target, &base);
	dfd = parent_fd(x, dir, entry, err);
	if (dfd < 0)
		return -1;
	/* a whiteout replaces whatever this same layer put there before */
	if (remove_at(dfd, base, entry, err) < 0)
		return -1;
	if (mknodat(dfd, base, S_IFCHR | 0, makedev(0, 0)) < 0)
		return hull_error(err, errno, "layer entry `%s`: make whiteout `%s`", ECHO(entry),
				  ECHO(target));
	return 0;
}

int hull_extract_finish(struct hull_extract *x, struct hull_err *err)
{
	size_t i;
	for (i = 0; i < x->nfix; i++) {
		struct dirfix *f = &x->fix[i];
		cleanup_close int fd = openat2_dir(x->rootfd, f->path, O_RDONLY);
		/* replaced by a later entry (or whited out): its metadata went with it */
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
			continue;
		if (fd < 0)
			return hull_error(err, errno, "layer directory `%s`: open", ECHO(f->path));
		if ((f->uid != x->uid || f->gid != x->gid) && fchown(fd, f->uid, f->gid) < 0 &&
		    chown_err(x, f->path, err) < 0)
			return -1;
		if (fchmod(fd, f->mode) < 0 || futimens(fd, f->ts) < 0)
			return hull_error(err, errno, "layer directory `%s`: set mode and times",
					  f->path);
	}
	return 0;
}

void hull_extract_watch_end(struct hull_extract *x, const bool *ended)
{
	x->input_ended = ended;
}

bool hull_extract_tail_missing(const struct hull_extract *x)
{
	return x->tail_missing;
}

struct hull_extract *hull_extract_new(int rootfd)
{
	struct hull_extract *x = xzalloc(sizeof(*x));
	struct stat st;
	x->rootfd = rootfd;
	x->dirfd = -1;
	x->umask = umask(022);
	umask(x->umask);
	x->root = geteuid() == 0;
	x->uid = geteuid();
	x->gid = getegid();
	/* a setgid layer directory (its parent was) hands its group down instead */
	if (fstat(rootfd, &st) == 0 && (st.st_mode & S_ISGID))
		x->gid = st.st_gid;
	return x;
}

void hull_extract_free(struct hull_extract *x)
{
	size_t i;
	if (!x)
		return;
	if (x->dirfd >= 0)
		close(x->dirfd);
	free(x->dir);
	for (i = 0; i < x->nfix; i++)
		free(x->fix[i].path);
	free(x->fix);
	free(x);
}
