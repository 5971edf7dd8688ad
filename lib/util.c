/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *r;
	if (!s)
		return NULL;
	r = strdup(s);
	if (!r)
		abort();
	return r;
}

int xasprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = vasprintf(out, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	return r;
}

char *hull_strfmt(const char *fmt, ...)
{
	va_list ap;
	char *out;
	va_start(ap, fmt);
	if (vasprintf(&out, fmt, ap) < 0)
		abort();
	va_end(ap);
	return out;
}

ssize_t hull_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += n;
	}
	return done;
}

ssize_t hull_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

int hull_read_fd(int fd, char **out, size_t *len, struct hull_err *err)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		ssize_t r;
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return hull_error(err, errno, "read");
		}
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int hull_read_file(const char *path, char **out, size_t *len, struct hull_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "open `%s`", path);
	if (hull_read_fd(fd, out, len, err) < 0)
		return hull_error_wrap(err, "`%s`", path);
	return 0;
}

static int write_file_renamed(const char *path, const void *data, size_t len, mode_t mode,
			      bool durable, struct hull_err *err)
{
	cleanup_free char *tmp = hull_strfmt("%s.tmp.%d", path, getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return hull_error(err, errno, "create `%s`", tmp);
	if (hull_write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return hull_error(err, e, "write `%s`", tmp);
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return hull_error(err, e, "rename `%s` to `%s`", tmp, path);
	}
	return 0;
}

int hull_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct hull_err *err)
{
	return write_file_renamed(path, data, len, mode, true, err);
}

int hull_write_file_replace(const char *path, const void *data, size_t len, mode_t mode,
			    struct hull_err *err)
{
	return write_file_renamed(path, data, len, mode, false, err);
}

int hull_write_string(const char *path, const char *s, struct hull_err *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "open `%s`", path);
	if (hull_write_all(fd, s, strlen(s)) < 0)
		return hull_error(err, errno, "write `%s` to `%s`", s, path);
	return 0;
}

int hull_mkdir_p(const char *path, mode_t mode, struct hull_err *err)
{
	cleanup_free char *p = xstrdup(path);
	char *s;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return hull_error(err, errno, "mkdir `%s`", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return hull_error(err, errno, "mkdir `%s`", p);
	return 0;
}

static int remove_at(int parent, const char *name, dev_t dev, struct hull_err *err)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : hull_error(err, errno, "stat `%s`", name);
	if (S_ISDIR(st.st_mode)) {
		DIR *d;
		struct dirent *de;
		if (st.st_dev != dev)
			return hull_error(err, EBUSY, "refusing to cross into mount `%s`", name);
		d = hull_opendirat(parent, name, O_NOFOLLOW);
		if (!d)
			return hull_error(err, errno, "open the directory `%s`", name);
		while ((de = hull_readdir(d))) {
			if (remove_at(dirfd(d), de->d_name, dev, err) < 0) {
				closedir(d);
				return hull_error_wrap(err, "`%s`", name);
			}
		}
		closedir(d);
		if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return hull_error(err, errno, "rmdir `%s`", name);
		return 0;
	}
	if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
		return hull_error(err, errno, "unlink `%s`", name);
	return 0;
}

int hull_remove_tree(const char *path, struct hull_err *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : hull_error(err, errno, "stat `%s`", path);
	return remove_at(AT_FDCWD, path, st.st_dev, err);
}

size_t hull_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void hull_strv_free(char **v)
{
	size_t i;
	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

char **hull_strv_dup(char *const *v)
{
	size_t i, n = hull_strv_len(v);
	char **r = xzalloc((n + 1) * sizeof(char *));
	for (i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

void hull_strv_push(char ***v, const char *s)
{
	size_t n = hull_strv_len(*v);
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

bool hull_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int hull_proc_start_time(pid_t pid, unsigned long long *start, struct hull_err *err)
{
	char path[64], buf[1024], *p;
	int fd, i;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "open `%s`", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return hull_error(err, n < 0 ? errno : EIO, "read `%s`", path);
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return hull_error(err, EINVAL, "parse `%s`", path);
	p++;
	/* after ')' comes field 3 (state); start time is field 22 */
	for (i = 3; i < 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return hull_error(err, EINVAL, "parse `%s`", path);
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

char *hull_random_id(void)
{
	unsigned char b[32];
	char *id = xmalloc(2 * sizeof(b) + 1);
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
		if (r > 0)
			got += (size_t)r;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
	return id;
}

DIR *hull_opendirat(int dirfd, const char *path, int extra_flags)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | extra_flags);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return d;
}

struct dirent *hull_readdir(DIR *d)
{
	struct dirent *de;

	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			break;
	return de;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void hull_strv_sort(char **v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(char *), cmp_names);
}

char **hull_dir_sorted(DIR *d, size_t *n)
{
	char **names = xzalloc(sizeof(char *));
	struct dirent *de;

	*n = 0;
	while ((de = hull_readdir(d))) {
		hull_strv_push(&names, de->d_name);
		(*n)++;
	}
	hull_strv_sort(names, *n);
	return names;
}

int hull_lock_path(const char *path, struct hull_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return hull_error(err, errno, "open the lock `%s`", path);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			hull_error(err, errno, "lock `%s`", path);
			close(fd);
			return -1;
		}
	return fd;
}

char *hull_strv_join(char *const *v, const char *sep)
{
	size_t len = 1, k = strlen(sep), at = 0;
	char *out;

	for (char *const *p = v; p && *p; p++)
		len += strlen(*p) + k;
	out = xzalloc(len);
	for (char *const *p = v; p && *p; p++) {
		size_t n = strlen(*p);
		if (p != v) {
			memcpy(out + at, sep, k);
			at += k;
		}
		memcpy(out + at, *p, n);
		at += n;
	}
	out[at] = '\0';
	return out;
}
