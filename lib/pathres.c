/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/pathres.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "lib/util.h"

int hull_open_in_root(int rootfd, const char *path, int flags, mode_t mode, struct hull_err *err)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	do
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0)
		return hull_error(err, errno, "open `%s` in the root file system", path);
	return fd;
}

void hull_fd_path(int fd, char buf[HULL_FD_PATH_MAX])
{
	snprintf(buf, HULL_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/* One component at a time: every step is resolved in the root again, so a symlink planted
 * anywhere along the path is followed only inside it.  A dangling symlink on the way is
 * followed by rewriting the path (inside the root) and creating what it points to. */
int hull_mkpath_in_root(int rootfd, const char *path, enum hull_mkpath_kind kind, mode_t mode,
			struct hull_err *err)
{
	cleanup_free char *p = path[0] == '/' ? xstrdup(path) : hull_strfmt("/%s", path);
	struct stat st;
	int fd, hops = 0;

	while ((fd = hull_open_in_root(rootfd, p, O_PATH, 0, NULL)) < 0) {
		char *s = p, *slash;
		bool done = false;

		if (errno != ENOENT)
			return hull_error(err, errno, "open `%s` in the root file system", path);
		if (++hops > 40)
			return hull_error(err, ELOOP, "make `%s`", path);
		while (*s == '/')
			s++;
		/* find the first missing component and make it (or follow it if a symlink) */
		for (;;) {
			cleanup_close int parent = -1;
			cleanup_free char *dir = NULL;
			char *name, saved;
			bool last;

			slash = strchr(s, '/');
			last = !slash || slash[strspn(slash, "/")] == '\0';
			saved = slash ? *slash : '\0';
			if (slash)
				*slash = '\0';
			name = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
			if (*name && strcmp(name, ".") && strcmp(name, "..")) {
				int probe = hull_open_in_root(rootfd, p, O_PATH, 0, NULL);
				if (probe >= 0) {
					close(probe);
				} else {
					dir = xstrdup(p);
					*strrchr(dir, '/') =
						'\0'; /* p always starts with '/' here */
					parent = hull_open_in_root(rootfd, *dir ? dir : "/",
								   O_PATH | O_DIRECTORY, 0, err);
					if (parent < 0)
						return hull_error_wrap(err, "make `%s`", path);
					if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
					    S_ISLNK(st.st_mode)) {
						char target[4096];
						ssize_t n = readlinkat(parent, name, target,
								       sizeof(target) - 1);
						char *rest = slash ? slash + 1 : "";
						char *np;
						if (n < 0)
							return hull_error(err, errno,
									  "readlink `%s`", p);
						target[n] = '\0';
						/* no trailing slash when the link was the
						 * last name: a file must not be looked up
						 * as a directory */
						np = hull_strfmt("%s%s%s%s%s",
								 target[0] == '/' ? "" : dir,
								 target[0] == '/' ? "" : "/",
								 target, *rest ? "/" : "", rest);
						free(p);
						p = np;
						break; /* start over on the rewritten path */
					}
					if (last && kind == HULL_MK_FILE) {
						int f = openat(parent, name,
							       O_CREAT | O_EXCL | O_WRONLY |
								       O_NOFOLLOW | O_CLOEXEC,
							       mode);
						if (f < 0)
							return hull_error(err, errno, "create `%s`",
									  path);
						close(f);
					} else if (mkdirat(parent, name, last ? mode : 0755) < 0 &&
						   errno != EEXIST) {
						return hull_error(err, errno, "mkdir `%s`", p);
					}
				}
			}
			if (slash)
				*slash = saved;
			if (last) {
				done = true;
				break;
			}
			s = slash + 1;
		}
		(void)done;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return hull_error(err, e, "stat `%s`", path);
	}
	if (kind == HULL_MK_DIR && !S_ISDIR(st.st_mode)) {
		close(fd);
		return hull_error(err, ENOTDIR, "`%s` exists and is not a directory", path);
	}
	if (kind == HULL_MK_FILE && S_ISDIR(st.st_mode)) {
		close(fd);
		return hull_error(err, EISDIR, "`%s` exists and is a directory", path);
	}
	return fd;
}
