/* SPDX-License-Identifier: Apache-2.0 */
/* hull cp (engine/cp.h).  Both directions are one pipeline: a tar stream of the source, made
 * by walking it through fds without following a symlink, extracted at the destination by the
 * image store's entry writer (image/extract.h), which makes every entry relative to a
 * directory fd of the destination and never writes through a symlink.  Between two trees the
 * stream runs through a pipe from a child process. */
#include "engine/cp.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/ctrfs.h"
#include "image/extract.h"
#include "image/whiteout.h"
#include "lib/pathres.h"
#include "lib/util.h"

#define COPY_BUF (128 * 1024)

static int tar_error(struct archive *a, const char *what, struct hull_err *err)
{
	return hull_error(err, archive_errno(a) > 0 ? archive_errno(a) : EIO, "%s: %s", what,
			  archive_error_string(a) ? archive_error_string(a) : "tar error");
}

/* One entry (fd: O_PATH of it, never followed) and, for a directory, what is in it. */
static int add_tree(struct archive *a, int fd, const char *name, struct hull_err *err)
{
	struct archive_entry *ent;
	struct stat st;
	char target[4096];
	int rc = 0;

	if (fstat(fd, &st) < 0)
		return hull_error(err, errno, "stat `%s`", name);
	if (S_ISSOCK(st.st_mode))
		return 0; /* docker leaves sockets out too */
	ent = archive_entry_new();
	archive_entry_copy_stat(ent, &st);
	archive_entry_set_pathname(ent, name);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
		if (n < 0) {
			archive_entry_free(ent);
			return hull_error(err, errno, "readlink `%s`", name);
		}
		target[n] = '\0';
		archive_entry_set_symlink(ent, target);
	}
	if (!S_ISREG(st.st_mode))
		archive_entry_set_size(ent, 0);
	if (archive_write_header(a, ent) != ARCHIVE_OK) {
		archive_entry_free(ent);
		return tar_error(a, name, err);
	}
	archive_entry_free(ent);
	if (S_ISREG(st.st_mode)) {
		char proc[HULL_FD_PATH_MAX];
		cleanup_close int rfd = -1;
		char *buf;
		ssize_t n;
		hull_fd_path(fd, proc);
		rfd = open(proc, O_RDONLY | O_CLOEXEC);
		if (rfd < 0)
			return hull_error(err, errno, "open `%s`", name);
		buf = xmalloc(COPY_BUF);
		while ((n = read(rfd, buf, COPY_BUF)) > 0)
			if (archive_write_data(a, buf, (size_t)n) < 0) {
				rc = tar_error(a, name, err);
				break;
			}
		if (n < 0 && rc == 0)
			rc = hull_error(err, errno, "read `%s`", name);
		free(buf);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		struct dirent *de;
		if (!d) {
			if (dfd >= 0)
				close(dfd);
			return hull_error(err, errno, "open the directory `%s`", name);
		}
		while (rc == 0 && (de = readdir(d))) {
			cleanup_free char *child = NULL;
			int cfd;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			child = strcmp(name, ".") ? hull_strfmt("%s/%s", name, de->d_name)
						  : xstrdup(de->d_name);
			cfd = openat(dirfd(d), de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0) {
				rc = hull_error(err, errno, "open `%s`", child);
				break;
			}
			rc = add_tree(a, cfd, child, err);
			close(cfd);
		}
		closedir(d);
	}
	return rc;
}

/* A tar stream of the tree at fd to out, its top named top ("." for its contents only). */
static int write_tar(int fd, const char *top, int out, struct hull_err *err)
{
	struct archive *a = archive_write_new();
	int rc;

	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_fd(a, out) != ARCHIVE_OK) {
		rc = tar_error(a, "write the tar stream", err);
		archive_write_free(a);
		return rc;
	}
	rc = add_tree(a, fd, top, err);
	if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = tar_error(a, "write the tar stream", err);
	archive_write_free(a);
	return rc;
}

/* Extract a tar stream from in beneath the directory destfd (opened O_RDONLY|O_DIRECTORY). */
static int extract_tar(int in, int destfd, bool keep_owner, struct hull_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	struct hull_extract *x = hull_extract_new(destfd);
	int r, rc = 0;

	archive_read_support_format_all(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_fd(a, in, COPY_BUF) != ARCHIVE_OK) {
		rc = tar_error(a, "read the tar stream", err);
		goto out;
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		cleanup_free char *path = NULL, *link = NULL;
		const char *name = archive_entry_pathname(ent);
		const char *hl = archive_entry_hardlink(ent);
		if (hull_layer_path_clean(name ? name : "", &path, err) < 0 ||
		    (hl && hull_layer_path_clean(hl, &link, err) < 0)) {
			rc = -1;
			break;
		}
		/* the destination directory itself keeps what it is */
		if (!strcmp(path, "."))
			continue;
		if (!keep_owner) {
			archive_entry_set_uid(ent, 0);
			archive_entry_set_gid(ent, 0);
		}
		if (hull_extract_entry(x, a, ent, path, link, name, err) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = tar_error(a, "read the tar stream", err);
	if (rc == 0)
		rc = hull_extract_finish(x, err);
out:
	hull_extract_free(x);
	archive_read_free(a);
	return rc;
}

/* The tree at srcfd named top, written beneath destfd, through a child and a pipe. */
static int copy_tree(int srcfd, const char *top, int destfd, bool keep_owner, struct hull_err *err)
{
	int p[2], rc, st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return hull_error(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return hull_error(err, errno, "fork");
	}
	if (pid == 0) {
		struct hull_err cerr = {0};
		close(p[0]);
		if (write_tar(srcfd, top, p[1], &cerr) < 0) {
			fprintf(stderr, "hull: %s\n", cerr.msg);
			_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	rc = extract_tar(p[0], destfd, keep_owner, err);
	close(p[0]);
	if (rc < 0)
		kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) == pid && (!WIFEXITED(st) || WEXITSTATUS(st)) && rc == 0)
		rc = hull_error(err, EIO, "reading the source failed");
	return rc;
}

/* "a/b/" -> "b"; "/" and "." -> "." (the contents) */
static char *base_of(const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	size_t n = strlen(copy);
	char *b;

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	b = basename(copy);
	return xstrdup(!strcmp(b, "/") || !strcmp(b, "..") ? "." : b);
}

/* docker's "SRC/.": the contents of the directory, not the directory */
static bool contents_only(const char *src)
{
	size_t n = strlen(src);
	return !strcmp(src, ".") || (n >= 2 && !strcmp(src + n - 2, "/."));
}

static bool ends_with_slash(const char *p)
{
	return *p && p[strlen(p) - 1] == '/';
}

/* Where the source lands: the directory to extract into (an open fd, from open_dir) and the
 * name of the top entry, as docker's cp decides from what DEST is. */
struct landing {
	int dirfd;
	char *top;
};

/* open_at(path, flags): a destination path opened on its side (host or container) */
typedef int (*open_fn)(void *ctx, const char *path, int flags, struct hull_err *err);

static int land(open_fn open_at, void *ctx, const char *src, bool src_dir, const char *dest,
		struct landing *l, struct hull_err *err)
{
	int fd = open_at(ctx, dest, O_PATH, NULL);
	struct stat st;

	l->dirfd = -1;
	l->top = NULL;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		l->dirfd = open_at(ctx, dest, O_RDONLY | O_DIRECTORY, err);
		l->top = contents_only(src) ? xstrdup(".") : base_of(src);
		return l->dirfd < 0 ? -1 : 0;
	}
	if (fd >= 0) {
		close(fd);
		if (src_dir)
			return hull_error(err, ENOTDIR, "cannot copy a directory to the file `%s`",
					  dest);
	} else if (ends_with_slash(dest)) {
		return hull_error(err, ENOENT, "the destination directory `%s` does not exist",
				  dest);
	}
	{
		cleanup_free char *copy = xstrdup(dest);
		size_t n = strlen(copy);
		while (n > 1 && copy[n - 1] == '/')
			copy[--n] = '\0';
		l->top = base_of(copy);
		l->dirfd = open_at(ctx, dirname(copy), O_RDONLY | O_DIRECTORY, err);
	}
	if (l->dirfd < 0) {
		free(l->top);
		l->top = NULL;
		return hull_error_wrap(err, "the parent of `%s`", dest);
	}
	return 0;
}

static int open_host(void *ctx, const char *path, int flags, struct hull_err *err)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "open `%s`", path);
	return fd;
}

static int open_ctr(void *ctx, const char *path, int flags, struct hull_err *err)
{
	const struct hull_ctrfs *fs = ctx;
	return hull_open_in_root(fs->rootfd, path, flags | O_CLOEXEC, 0, err);
}

int hull_cp_from(const struct hull_engine *e, const struct hull_ctr *c, const char *src,
		 const char *dest, int out_fd, const struct hull_cp_opts *o, struct hull_err *err)
{
	struct hull_ctrfs fs;
	struct landing l = {.dirfd = -1};
	cleanup_close int sfd = -1;
	struct stat st;
	int rc = -1;

	if (hull_ctrfs_open(e, c, &fs, err) < 0)
		return -1;
	sfd = hull_open_in_root(fs.rootfd, src, O_PATH | (o->follow_link ? 0 : O_NOFOLLOW), 0, err);
	if (sfd < 0 || fstat(sfd, &st) < 0) {
		if (sfd >= 0)
			hull_error(err, errno, "stat `%s`", src);
		hull_error_wrap(err, "container %s", c->name);
		goto out;
	}
	if (!strcmp(dest, "-")) {
		cleanup_free char *top = base_of(src);
		rc = write_tar(sfd, top, out_fd, err);
		goto out;
	}
	if (land(open_host, NULL, src, S_ISDIR(st.st_mode), dest, &l, err) < 0)
		goto out;
	rc = copy_tree(sfd, l.top, l.dirfd, o->archive, err);
out:
	if (l.dirfd >= 0)
		close(l.dirfd);
	free(l.top);
	hull_ctrfs_close(&fs);
	return rc;
}

int hull_cp_to(const struct hull_engine *e, const struct hull_ctr *c, const char *src,
	       const char *dest, int in_fd, const struct hull_cp_opts *o, struct hull_err *err)
{
	struct hull_ctrfs fs;
	struct landing l = {.dirfd = -1};
	cleanup_close int sfd = -1;
	struct stat st;
	int rc = -1;

	if (strcmp(src, "-")) {
		sfd = open(src, O_PATH | O_CLOEXEC | (o->follow_link ? 0 : O_NOFOLLOW));
		if (sfd < 0 || fstat(sfd, &st) < 0)
			return hull_error(err, errno, "`%s`", src);
	}
	if (hull_ctrfs_open(e, c, &fs, err) < 0)
		return -1;
	if (sfd < 0) {
		/* a tar stream goes into a directory that is there */
		l.dirfd = open_ctr(&fs, dest, O_RDONLY | O_DIRECTORY, err);
		if (l.dirfd < 0)
			hull_error_wrap(err, "the destination directory in container %s", c->name);
		else
			rc = extract_tar(in_fd, l.dirfd, o->archive, err);
		goto out;
	}
	if (land(open_ctr, &fs, src, S_ISDIR(st.st_mode), dest, &l, err) < 0) {
		hull_error_wrap(err, "container %s", c->name);
		goto out;
	}
	rc = copy_tree(sfd, l.top, l.dirfd, o->archive, err);
out:
	if (l.dirfd >= 0)
		close(l.dirfd);
	free(l.top);
	hull_ctrfs_close(&fs);
	return rc;
}
