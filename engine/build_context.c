/* SPDX-License-Identifier: Apache-2.0 */
/* The build context: .dockerignore patterns as docker matches them, the sources of COPY and
 * ADD (wildcards, refusing paths outside the context), and their checksum for the cache.
 * The context is read through fds: a symlink in it never leads outside (lib/pathres.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/build_int.h"
#include "lib/pathres.h"
#include "lib/util.h"

#define DOCKERIGNORE ".dockerignore"

/* "./a//b/../c/" -> "a/c"; NULL when it climbs above the top */
static char *clean(const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char **parts = NULL, *save = NULL, *out;
	size_t n = 0;

	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, "."))
			continue;
		if (!strcmp(t, "..")) {
			if (!n) {
				hull_strv_free(parts);
				return NULL;
			}
			free(parts[--n]);
			parts[n] = NULL;
			continue;
		}
		hull_strv_push(&parts, t);
		n++;
	}
	out = n ? hull_strv_join(parts, "/") : xstrdup(".");
	hull_strv_free(parts);
	return out;
}

static char **split_path(const char *path, size_t *n)
{
	cleanup_free char *copy = xstrdup(path);
	char **v = xzalloc(sizeof(char *)), *save = NULL;
	*n = 0;
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		hull_strv_push(&v, t);
		(*n)++;
	}
	return v;
}

static bool match_parts(char **p, size_t np, char **s, size_t ns)
{
	if (!np)
		return !ns;
	if (!strcmp(p[0], "**")) {
		for (size_t k = 0; k <= ns; k++)
			if (match_parts(p + 1, np - 1, s + k, ns - k))
				return true;
		return false;
	}
	return ns && fnmatch(p[0], s[0], 0) == 0 && match_parts(p + 1, np - 1, s + 1, ns - 1);
}

bool hull_path_match(const char *pattern, const char *path)
{
	size_t np, ns;
	char **p = split_path(pattern, &np), **s = split_path(path, &ns);
	bool r = match_parts(p, np, s, ns);
	hull_strv_free(p);
	hull_strv_free(s);
	return r;
}

void hull_ignore_parse(struct hull_ignore *ig, const char *text)
{
	cleanup_free char *copy = xstrdup(text);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		bool neg = false;
		char *p = line, *c;
		while (len &&
		       (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			continue;
		if (*p == '!') {
			neg = true;
			p++;
			p += strspn(p, " \t");
		}
		while (*p == '/')
			p++;
		c = clean(p);
		if (!c)
			continue; /* "../x" names nothing in the context */
		ig->patterns = xrealloc(ig->patterns, (ig->n + 1) * sizeof(char *));
		ig->negate = xrealloc(ig->negate, (ig->n + 1) * sizeof(bool));
		ig->patterns[ig->n] = c;
		ig->negate[ig->n++] = neg;
	}
}

int hull_ignore_load(int ctxfd, struct hull_ignore *ig, struct hull_err *err)
{
	cleanup_close int fd = openat(ctxfd, DOCKERIGNORE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_free char *text = NULL;

	memset(ig, 0, sizeof(*ig));
	if (fd < 0)
		return errno == ENOENT ? 0 : hull_error(err, errno, "open " DOCKERIGNORE);
	if (hull_read_fd(fd, &text, NULL, err) < 0)
		return hull_error_wrap(err, DOCKERIGNORE);
	hull_ignore_parse(ig, text);
	return 0;
}

void hull_ignore_free(struct hull_ignore *ig)
{
	for (size_t i = 0; i < ig->n; i++)
		free(ig->patterns[i]);
	free(ig->patterns);
	free(ig->negate);
	memset(ig, 0, sizeof(*ig));
}

/* docker's rule: the last pattern that matches the path or one of its parent directories
 * decides; a `!` pattern takes the path back in */
bool hull_ignore_match(const struct hull_ignore *ig, const char *path)
{
	bool out = false;
	size_t ns;
	char **s;

	if (!ig || !ig->n || !strcmp(path, "."))
		return false;
	s = split_path(path, &ns);
	for (size_t i = 0; i < ig->n; i++) {
		size_t np;
		char **p = split_path(ig->patterns[i], &np);
		bool m = false;
		for (size_t k = 1; k <= ns && !m; k++)
			m = match_parts(p, np, s, k);
		if (m)
			out = !ig->negate[i];
		hull_strv_free(p);
	}
	hull_strv_free(s);
	return out;
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static char *join(const char *dir, const char *name)
{
	return strcmp(dir, ".") ? hull_strfmt("%s/%s", dir, name) : xstrdup(name);
}

/* the entries under dir (relative to rootfd) matching the pattern's components from k on */
static void glob_walk(int rootfd, const struct hull_ignore *ig, const char *dir, char **parts,
		      size_t np, size_t k, char ***out)
{
	int fd = hull_open_in_root(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, NULL);
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((de = hull_readdir(d))) {
		cleanup_free char *p = NULL;
		if (fnmatch(parts[k], de->d_name, FNM_PERIOD) != 0)
			continue;
		p = join(dir, de->d_name);
		if (hull_ignore_match(ig, p))
			continue;
		if (k + 1 == np)
			hull_strv_push(out, p);
		else
			glob_walk(rootfd, ig, p, parts, np, k + 1, out);
	}
	closedir(d);
}

int hull_sources_resolve(int rootfd, const struct hull_ignore *ig, char *const *sources,
			 char ***out, struct hull_err *err)
{
	*out = xzalloc(sizeof(char *));
	for (char *const *src = sources; src && *src; src++) {
		const char *s = *src;
		cleanup_free char *c = NULL;
		while (*s == '/')
			s++;
		c = clean(*s ? s : ".");
		if (!c) {
			hull_error(err, 0, "forbidden path outside the build context: %s", *src);
			goto fail;
		}
		if (has_wildcard(c)) {
			size_t np, before = hull_strv_len(*out);
			char **parts = split_path(c, &np);
			glob_walk(rootfd, ig, ".", parts, np, 0, out);
			hull_strv_free(parts);
			if (hull_strv_len(*out) == before) {
				hull_error(err, 0,
					   "no source files were specified: `%s` matches "
					   "nothing",
					   *src);
				goto fail;
			}
			hull_strv_sort(*out + before, hull_strv_len(*out) - before);
			continue;
		}
		{
			int fd = hull_open_in_root(rootfd, c, O_PATH | O_CLOEXEC, 0, NULL);
			if (fd < 0 || hull_ignore_match(ig, c)) {
				if (fd >= 0)
					close(fd);
				hull_error(err, 0,
					   "`%s`: not found in the build context or excluded by "
					   ".dockerignore",
					   *src);
				goto fail;
			}
			close(fd);
		}
		hull_strv_push(out, c);
	}
	return 0;
fail:
	hull_strv_free(*out);
	*out = NULL;
	return -1;
}

struct sum {
	struct hull_sha256 *h;
	const struct hull_ignore *ig;
	struct hull_err *err;
};

static void sum_str(struct sum *s, const char *str)
{
	hull_sha256_update(s->h, str, strlen(str) + 1);
}

static int sum_entry(struct sum *s, int fd, const char *rel, const struct stat *st);

static int sum_dir(struct sum *s, int fd, const char *rel)
{
	DIR *d = hull_opendirat(fd, ".", 0);
	cleanup_strv char **names = NULL;
	size_t n;

	if (!d)
		return hull_error(s->err, errno, "read the directory `%s`", rel);
	names = hull_dir_sorted(d, &n);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *p = join(rel, names[i]);
		cleanup_close int cfd = -1;
		struct stat st;
		if (hull_ignore_match(s->ig, p))
			continue;
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		cfd = openat(dirfd(d), names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0 || sum_entry(s, cfd, p, &st) < 0) {
			closedir(d);
			return cfd < 0 ? hull_error(s->err, errno, "open `%s`", p) : -1;
		}
	}
	closedir(d);
	return 0;
}

/* fd: O_PATH to the entry */
static int sum_entry(struct sum *s, int fd, const char *rel, const struct stat *st)
{
	char meta[128];

	sum_str(s, rel);
	snprintf(meta, sizeof(meta), "%o %lld", (unsigned)st->st_mode,
		 S_ISREG(st->st_mode) ? (long long)st->st_size : 0LL);
	sum_str(s, meta);
	if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		sum_str(s, target);
	} else if (S_ISREG(st->st_mode)) {
		char path[HULL_FD_PATH_MAX], buf[1 << 16];
		cleanup_close int rfd = -1;
		ssize_t n;
		hull_fd_path(fd, path);
		rfd = open(path, O_RDONLY | O_CLOEXEC);
		if (rfd < 0)
			return hull_error(s->err, errno, "open `%s`", rel);
		while ((n = read(rfd, buf, sizeof(buf))) > 0)
			hull_sha256_update(s->h, buf, (size_t)n);
		if (n < 0)
			return hull_error(s->err, errno, "read `%s`", rel);
	} else if (S_ISDIR(st->st_mode)) {
		return sum_dir(s, fd, rel);
	}
	return 0;
}

int hull_sources_checksum(int rootfd, const struct hull_ignore *ig, char *const *paths,
			  char out[HULL_DIGEST_SIZE], struct hull_err *err)
{
	struct sum s = {.h = hull_sha256_new(), .ig = ig, .err = err};

	for (char *const *p = paths; p && *p; p++) {
		cleanup_close int fd = hull_open_in_root(rootfd, *p, O_PATH | O_CLOEXEC, 0, err);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0 || sum_entry(&s, fd, *p, &st) < 0) {
			hull_sha256_free(s.h);
			return fd < 0 ? -1 : hull_error_wrap(err, "checksum of `%s`", *p);
		}
	}
	hull_sha256_final(s.h, out);
	return 0;
}
