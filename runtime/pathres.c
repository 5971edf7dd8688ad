#include "pathres.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "util.h"

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
 * anywhere along the path is followed only inside it. */
int hull_mkpath_in_root(int rootfd, const char *path, enum hull_mkpath_kind kind, mode_t mode,
			struct hull_err *err)
{
	cleanup_free char *p = xstrdup(path);
	char *s = p;
	struct stat st;
	int fd;

	fd = hull_open_in_root(rootfd, path, O_PATH, 0, NULL);
	if (fd < 0) {
		while (*s == '/')
			s++;
		for (;;) {
			char *slash = strchr(s, '/');
			bool last;
			cleanup_close int parent = -1;
			char *name;

			while (slash && slash[1] == '/')
				memmove(slash, slash + 1, strlen(slash));
			last = !slash || slash[1] == '\0';
			if (slash)
				*slash = '\0';
			name = strrchr(p, '/');
			name = name ? name + 1 : p;
			if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
				if (last)
					break;
				*slash = '/';
				s = slash + 1;
				continue;
			}
			/* parent of this component */
			{
				cleanup_free char *dir = xstrdup(p);
				char *cut = strrchr(dir, '/');
				if (cut)
					*cut = '\0';
				parent = hull_open_in_root(rootfd, cut ? dir : ".",
							   O_PATH | O_DIRECTORY, 0, err);
				if (parent < 0)
					return hull_error_wrap(err, "make `%s`", path);
			}
			if (last && kind == HULL_MK_FILE) {
				int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW |
								     O_CLOEXEC,
					       mode);
				if (f >= 0)
					close(f);
				else if (errno != EEXIST)
					return hull_error(err, errno, "create `%s`", path);
			} else if (mkdirat(parent, name, last ? mode : 0755) < 0 &&
				   errno != EEXIST) {
				return hull_error(err, errno, "mkdir `%s`", p);
			}
			if (last)
				break;
			*slash = '/';
			s = slash + 1;
		}
		fd = hull_open_in_root(rootfd, path, O_PATH, 0, err);
		if (fd < 0)
			return hull_error_wrap(err, "make `%s`", path);
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
