/* SPDX-License-Identifier: Apache-2.0 */
/* hull diff (engine/diff.h).  The upper directory is the container's own writing: it is
 * walked through fds that never follow a symlink, and each name is looked up in the layers
 * with openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), top layer first, as overlayfs sees them
 * (a whiteout, or an opaque directory above it, hides what the layers below have). */
#include "engine/diff.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/rootfs.h"
#include "image/store.h"
#include "lib/util.h"
#include "runtime/spec/spec.h"

#define OPAQUE_XATTR "trusted.overlay.opaque"

struct walk {
	int *layers; /* top first */
	size_t n_layers;
	struct hull_change *v;
	size_t n;
};

static bool whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool opaque(int fd)
{
	char v[2] = "";
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return getxattr(proc, OPAQUE_XATTR, v, sizeof(v)) == 1 && v[0] == 'y';
}

/* Whether the layers show something at path (relative, no "." or ".." components). */
static bool in_layers(const struct walk *w, const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	const char *dir = slash ? copy : ".", *name = slash ? slash + 1 : copy;

	if (slash)
		*slash = '\0';
	for (size_t i = 0; i < w->n_layers; i++) {
		struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
						  RESOLVE_NO_MAGICLINKS};
		int fd = (int)syscall(SYS_openat2, w->layers[i], dir, &how, sizeof(how));
		struct stat st;
		bool found, hidden;
		if (fd < 0) {
			/* not a directory in this layer: a file or whiteout over it hides below */
			if (errno == ENOENT)
				continue;
			return false;
		}
		found = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
		hidden = !found && opaque(fd);
		close(fd);
		if (found)
			return !whiteout(&st);
		if (hidden)
			return false;
	}
	return false;
}

static void add(struct walk *w, char kind, const char *path)
{
	w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
	w->v[w->n].kind = kind;
	w->v[w->n++].path = hull_strfmt("/%s", path);
}

static int walk_dir(struct walk *w, int dfd, const char *rel, struct hull_err *err)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int rc = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return hull_error(err, errno, "open the upper directory `%s`", rel);
	}
	while (rc == 0 && (de = readdir(d))) {
		cleanup_free char *path = NULL;
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path = *rel ? hull_strfmt("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = hull_error(err, errno, "stat `%s`", path);
			break;
		}
		if (whiteout(&st)) {
			if (in_layers(w, path))
				add(w, 'D', path);
			continue;
		}
		add(w, in_layers(w, path) ? 'C' : 'A', path);
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
					 O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				rc = hull_error(err, errno, "open `%s`", path);
				break;
			}
			rc = walk_dir(w, sub, path, err);
			close(sub);
		}
	}
	closedir(d);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct hull_change *)a)->path, ((const struct hull_change *)b)->path);
}

/* what the runtime made in the upper directory as mount points (/etc/hosts, volumes): not
 * the container's changes, as docker leaves them out */
static char **mount_points(const struct hull_engine *e, const struct hull_ctr *c)
{
	cleanup_free char *path = hull_ctr_path(e, c->id, "config.json"), *json = NULL;
	struct hull_spec *s;
	char **v = NULL;

	if (hull_read_file(path, &json, NULL, NULL) < 0 || !(s = hull_spec_parse(json, NULL)))
		return NULL;
	for (size_t i = 0; i < s->n_mounts; i++) {
		cleanup_free char *clean = NULL;
		const char *d = s->mounts[i].destination;
		/* "/a//b/" as the walk names it: "/a/b" */
		clean = xzalloc(strlen(d) + 2);
		for (const char *p = d; *p; p++)
			if (!(*p == '/' && (p[1] == '/' || p[1] == '\0')))
				strncat(clean, p, 1);
		if (*clean != '/') {
			char *abs = hull_strfmt("/%s", clean);
			free(clean);
			clean = abs;
		}
		hull_strv_push(&v, clean);
	}
	hull_spec_free(s);
	return v;
}

/* path is under (or is) dir */
static bool beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* Drop the mount points and the directories that are in the upper directory only for them. */
static void drop_mount_points(struct walk *w, char **mps)
{
	size_t kept = 0;

	/* sorted: a directory's descendants come after it; decide from the last entry up */
	for (size_t i = w->n; i-- > 0;) {
		bool drop = false, has_kept_child = false;
		for (char **m = mps; m && *m && !drop; m++) {
			if (!strcmp(w->v[i].path, *m))
				drop = w->v[i].kind != 'D';
			else if (beneath(*m, w->v[i].path))
				drop = w->v[i].kind != 'D';
		}
		if (drop) {
			/* an ancestor of a mount point stays when something else changed in it */
			for (size_t j = i + 1; j < w->n; j++)
				has_kept_child |=
					w->v[j].kind != 0 && beneath(w->v[j].path, w->v[i].path);
			for (char **m = mps; m && *m; m++)
				if (!strcmp(w->v[i].path, *m))
					has_kept_child = false;
		}
		if (drop && !has_kept_child) {
			w->v[i].kind = 0; /* marked: removed below */
			continue;
		}
	}
	for (size_t i = 0; i < w->n; i++) {
		if (w->v[i].kind) {
			w->v[kept++] = w->v[i];
			continue;
		}
		free(w->v[i].path);
	}
	w->n = kept;
}

int hull_ctr_diff(const struct hull_engine *e, const struct hull_ctr *c, struct hull_change **out,
		  size_t *n, struct hull_err *err)
{
	cleanup_free char *upper = hull_ctr_path(e, c->id, "upper");
	cleanup_close int ufd = -1;
	struct walk w = {0};
	struct hull_store s;
	char **lower = NULL;
	size_t nl;
	int rc = -1;

	if (!c->rootfs_kind || strcmp(c->rootfs_kind, "overlay"))
		return hull_error(err, ENOTSUP,
				  "container %s has no image layers to compare with (hull diff "
				  "needs an image container on overlayfs)",
				  c->name);
	if (hull_store_open(&s, e->root, false, err) < 0)
		return -1;
	lower = hull_rootfs_lower(&s, c->id, err);
	hull_store_close(&s);
	if (!lower)
		return -1;
	nl = hull_strv_len(lower);
	w.layers = xzalloc(nl * sizeof(int));
	/* the layers file lists them bottom first */
	for (size_t i = 0; i < nl; i++) {
		w.layers[i] = open(lower[nl - 1 - i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (w.layers[i] < 0) {
			hull_error(err, errno, "open the layer %s", lower[nl - 1 - i]);
			goto out;
		}
		w.n_layers++;
	}
	ufd = open(upper, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd < 0) {
		hull_error(err, errno, "open %s", upper);
		goto out;
	}
	if (walk_dir(&w, ufd, "", err) < 0)
		goto out;
	qsort(w.v, w.n, sizeof(*w.v), by_path);
	{
		char **mps = mount_points(e, c);
		drop_mount_points(&w, mps);
		hull_strv_free(mps);
	}
	*out = steal_pointer(&w.v);
	*n = w.n;
	rc = 0;
out:
	for (size_t i = 0; i < w.n_layers; i++)
		close(w.layers[i]);
	free(w.layers);
	hull_changes_free(w.v, w.v ? w.n : 0);
	hull_strv_free(lower);
	return rc;
}

void hull_changes_free(struct hull_change *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}
