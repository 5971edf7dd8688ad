/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpcopyup (a runc and crun extension podman asks for): a tmpfs mounted on a directory of
 * the image starts with that directory's contents.  The directory is opened before the
 * mount covers it, and copied from that fd into the new tmpfs: every step goes by fd
 * (openat with O_NOFOLLOW), so nothing the image holds can lead the copy elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/executor/rootfs.h"

#define COPYUP_MAX_DEPTH 128 /* deeper trees are an image's attack, not its content */

static int copy_tree(int from, int to, const char *what, int depth, struct hull_err *err);

static int copy_file(int from, const char *name, int to, const struct stat *st,
		     struct hull_err *err)
{
	cleanup_close int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return hull_error(err, errno, "tmpcopyup: open `%s`", name);
	out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     st->st_mode & 07777);
	if (out < 0)
		return hull_error(err, errno, "tmpcopyup: create `%s`", name);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (hull_write_all(out, buf, (size_t)n) < 0)
			return hull_error(err, errno, "tmpcopyup: write `%s`", name);
	if (n < 0)
		return hull_error(err, errno, "tmpcopyup: read `%s`", name);
	return 0;
}

static int copy_entry(int from, int to, const char *name, int depth, struct hull_err *err)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error(err, errno, "tmpcopyup: stat `%s`", name);
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR: {
		cleanup_close int sub = -1, dst = -1;
		if (mkdirat(to, name, 0700) < 0)
			return hull_error(err, errno, "tmpcopyup: mkdir `%s`", name);
		sub = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		dst = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || dst < 0)
			return hull_error(err, errno, "tmpcopyup: open directory `%s`", name);
		if (copy_tree(sub, dst, name, depth + 1, err) < 0)
			return -1;
		break;
	}
	case S_IFREG:
		if (copy_file(from, name, to, &st, err) < 0)
			return -1;
		break;
	case S_IFLNK:
		n = readlinkat(from, name, target, sizeof(target) - 1);
		if (n < 0)
			return hull_error(err, errno, "tmpcopyup: readlink `%s`", name);
		target[n] = '\0';
		if (symlinkat(target, to, name) < 0)
			return hull_error(err, errno, "tmpcopyup: symlink `%s`", name);
		break;
	default: /* fifos, sockets, device nodes: as they are */
		if (mknodat(to, name, st.st_mode, st.st_rdev) < 0)
			return hull_error(err, errno, "tmpcopyup: mknod `%s`", name);
	}
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error(err, errno, "tmpcopyup: chown `%s`", name);
	if (!S_ISLNK(st.st_mode) && fchmodat(to, name, st.st_mode & 07777, 0) < 0)
		return hull_error(err, errno, "tmpcopyup: chmod `%s`", name);
	utimensat(to, name, (struct timespec[]){st.st_atim, st.st_mtim}, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int copy_tree(int from, int to, const char *what, int depth, struct hull_err *err)
{
	int dfd;
	DIR *d;
	struct dirent *e;
	int ret = 0;

	if (depth > COPYUP_MAX_DEPTH)
		return hull_error(err, ELOOP, "tmpcopyup: `%s` is nested too deep", what);
	dfd = dup(from);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return hull_error(err, errno, "tmpcopyup: read directory `%s`", what);
	}
	while (ret == 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			ret = copy_entry(from, to, e->d_name, depth, err);
	closedir(d);
	return ret;
}

int hull_tmpcopyup(int under, int mounted, const char *destination, struct hull_err *err)
{
	if (copy_tree(under, mounted, destination, 0, err) < 0)
		return hull_error_wrap(err, "mount `%s`", destination);
	return 0;
}
