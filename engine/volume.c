/* SPDX-License-Identifier: Apache-2.0 */
/* engine/volume.c: volumes of the "local" driver under <root>/volumes/ (layout and rules in
 * volume.h).  Temporary names start with a dot: `.tmp-*` a volume being made, `.trash-*` one
 * being removed; each is flocked by the hull working on it, so one whose lock is free was left
 * by a hull that died, and the next listing removes it. */
#include "engine/volume.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "image/rootfs.h"
#include "lib/timearg.h"
#include "lib/pathres.h"
#include "lib/util.h"
#include "runtime/state.h"

#define RECORD	 "volume.json"
#define DATA	 "_data"
#define REFS	 "refs"
#define SEED_TMP ".seed" /* the copy-up being made, renamed onto an empty _data */
/* how old an unlocked temporary directory must be to count as left by a dead hull */
#define ABANDONED_AFTER_S 10

static char *volumes_dir(const struct hull_engine *e)
{
	return hull_strfmt("%s/volumes", e->root);
}

static char *volume_path(const struct hull_engine *e, const char *name, const char *file)
{
	return file ? hull_strfmt("%s/volumes/%s/%s", e->root, name, file)
		    : hull_strfmt("%s/volumes/%s", e->root, name);
}

int hull_volume_validate_name(const char *name, struct hull_err *err)
{
	size_t len = strlen(name);

	if (len < 2 || len > 255 || !isalnum((unsigned char)name[0]))
		goto bad;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			goto bad;
	return 0;
bad:
	return hull_error(
		err, EINVAL,
		"invalid volume name `%s`: a name is 2 or more of [a-zA-Z0-9_.-], starting "
		"with a letter or digit (a host directory must be an absolute path)",
		name);
}

static bool live_container(const struct hull_engine *e, const char *id)
{
	cleanup_free char *dir = hull_ctr_dir(e, id);
	struct stat st;
	return stat(dir, &st) == 0 || errno != ENOENT;
}

/* The live references of the volume at vfd; stale ones are removed when we hold its lock. */
static char **volume_users(const struct hull_engine *e, int vfd, bool locked)
{
	cleanup_dir DIR *d = hull_opendirat(vfd, REFS, 0);
	char **users = xzalloc(sizeof(char *));
	struct dirent *de;

	if (!d)
		return users;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (live_container(e, de->d_name))
			hull_strv_push(&users, de->d_name);
		else if (locked)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	return users;
}

/* The volume's directory, open and flocked; ENOENT when there is no such volume. */
static int lock_volume(const struct hull_engine *e, const char *name, struct hull_err *err)
{
	cleanup_free char *path = volume_path(e, name, NULL);

	for (;;) {
		struct stat a, b;
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return hull_error(err, errno,
					  errno == ENOENT ? "no such volume: %s" : "open volume %s",
					  name);
		if (flock(fd, LOCK_EX) < 0) {
			close(fd);
			return hull_error(err, errno, "lock volume %s", name);
		}
		/* removed (renamed away) while we waited: look again */
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

static int write_record(const char *dir, const char *name, const char *created,
			const struct hull_kv *labels, size_t n, struct hull_err *err)
{
	cleanup_yajl_gen yajl_gen g = yajl_gen_alloc(NULL);
	cleanup_free char *path = hull_strfmt("%s/" RECORD, dir);
	const unsigned char *buf;
	size_t len;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	hull_gen_str(g, "Name"), hull_gen_str(g, name);
	hull_gen_str(g, "CreatedAt"), hull_gen_str(g, created);
	hull_gen_str(g, "Labels");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n; i++)
		hull_gen_str(g, labels[i].key), hull_gen_str(g, labels[i].value);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	return hull_write_file_atomic(path, buf, len, 0600, err);
}

/* a .tmp-* or .trash-* directory whose hull died: nobody holds its lock, and it is not one
 * being made right now (mkdir and flock are two steps: its maker gets a moment) */
static void remove_if_abandoned(const char *vdir, int vdirfd, const char *entry)
{
	cleanup_close int fd =
		openat(vdirfd, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_free char *path = NULL;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || time(NULL) - st.st_ctime < ABANDONED_AFTER_S ||
	    flock(fd, LOCK_EX | LOCK_NB) < 0)
		return;
	path = hull_strfmt("%s/%s", vdir, entry);
	hull_remove_tree(path, NULL);
}

/* A fresh directory name under volumes/: prefix + random hex, made and flocked. */
static int make_temp(const char *vdir, const char *prefix, char **path, struct hull_err *err)
{
	cleanup_free char *rnd = hull_ctr_new_id();
	int fd;

	*path = hull_strfmt("%s/%s%.16s", vdir, prefix, rnd);
	if (mkdir(*path, 0701) < 0)
		return hull_error(err, errno, "mkdir %s", *path);
	fd = open(*path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		hull_error(err, errno, "open %s", *path);
		if (fd >= 0)
			close(fd);
		rmdir(*path);
		return -1;
	}
	return fd;
}

static int create_volume(const struct hull_engine *e, const char *name,
			 const struct hull_kv *labels, size_t n_labels, bool anonymous,
			 struct hull_err *err)
{
	cleanup_free char *vdir = volumes_dir(e), *tmp = NULL, *dst = NULL;
	cleanup_free char *now = hull_now_rfc3339();
	cleanup_close int fd = -1;
	struct hull_kv *all = NULL;
	size_t n_all = 0;
	int rc;

	dst = hull_strfmt("%s/%s", vdir, name);
	if (access(dst, F_OK) == 0)
		return 0;
	if (hull_mkdir_p(vdir, 0700, err) < 0)
		return -1;
	fd = make_temp(vdir, ".tmp-", &tmp, err);
	if (fd < 0)
		return -1;
	all = xzalloc((n_labels + 1) * sizeof(*all));
	for (size_t i = 0; i < n_labels; i++)
		all[n_all++] = labels[i];
	/* docker marks the volumes it names itself */
	if (anonymous)
		all[n_all++] = (struct hull_kv){HULL_VOLUME_ANON_LABEL, ""};
	rc = write_record(tmp, name, now, all, n_all, err);
	free(all);
	if (rc < 0 || mkdirat(fd, DATA, 0755) < 0 || mkdirat(fd, REFS, 0700) < 0) {
		if (rc == 0)
			hull_error(err, errno, "make volume %s", name);
		hull_remove_tree(tmp, NULL);
		return -1;
	}
	if (rename(tmp, dst) < 0) {
		int saved = errno;
		hull_remove_tree(tmp, NULL);
		/* made by someone else meanwhile: theirs is the volume */
		if (saved != EEXIST && saved != ENOTEMPTY)
			return hull_error(err, saved, "make volume %s", name);
	}
	return 0;
}

int hull_volume_create(const struct hull_engine *e, const char *name, const struct hull_kv *labels,
		       size_t n_labels, struct hull_volume **out, struct hull_err *err)
{
	cleanup_free char *rnd = NULL;

	if (name && hull_volume_validate_name(name, err) < 0)
		return -1;
	if (!name)
		name = rnd = hull_ctr_new_id();
	if (create_volume(e, name, labels, n_labels, rnd != NULL, err) < 0)
		return -1;
	return out ? hull_volume_load(e, name, out, err) : 0;
}

int hull_volume_load(const struct hull_engine *e, const char *name, struct hull_volume **out,
		     struct hull_err *err)
{
	cleanup_free char *path = NULL, *text = NULL, *dir = NULL;
	cleanup_close int vfd = -1;
	cleanup_yajl_val yajl_val j = NULL;
	struct hull_volume *v;
	char ebuf[256];

	if (hull_volume_validate_name(name, NULL) < 0)
		return hull_error(err, ENOENT, "no such volume: %s", name);
	dir = volume_path(e, name, NULL);
	vfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (vfd < 0)
		return hull_error(err, errno,
				  errno == ENOENT ? "no such volume: %s" : "open volume %s", name);
	path = volume_path(e, name, RECORD);
	if (hull_read_file(path, &text, NULL, err) < 0)
		return -1;
	j = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!j)
		return hull_error(err, EINVAL, "parse %s: %s", path, ebuf);
	v = xzalloc(sizeof(*v));
	if (sj_string(j, "CreatedAt", "CreatedAt", &v->created, err) < 0 ||
	    sj_kv(j, "Labels", "Labels", &v->labels, &v->n_labels, err) < 0) {
		hull_volume_free(v);
		return hull_error_wrap(err, "%s", path);
	}
	v->name = xstrdup(name);
	v->mountpoint = volume_path(e, name, DATA);
	if (!v->created)
		v->created = xstrdup("");
	for (size_t i = 0; i < v->n_labels; i++)
		v->anonymous |= !strcmp(v->labels[i].key, HULL_VOLUME_ANON_LABEL);
	v->users = volume_users(e, vfd, false);
	*out = v;
	return 0;
}

void hull_volume_free(struct hull_volume *v)
{
	if (!v)
		return;
	free(v->name);
	free(v->mountpoint);
	free(v->created);
	hull_kv_free(v->labels, v->n_labels);
	hull_strv_free(v->users);
	free(v);
}

void hull_volume_list_free(struct hull_volume **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hull_volume_free(v[i]);
	free(v);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct hull_volume *const *)a)->name,
		      (*(struct hull_volume *const *)b)->name);
}

int hull_volume_list(const struct hull_engine *e, struct hull_volume ***out, size_t *n,
		     struct hull_err *err)
{
	cleanup_free char *vdir = volumes_dir(e);
	cleanup_dir DIR *d = opendir(vdir);
	struct hull_volume **v = NULL;
	struct dirent *de;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : hull_error(err, errno, "open %s", vdir);
	while ((de = readdir(d))) {
		struct hull_volume *one;
		if (de->d_name[0] == '.') {
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				remove_if_abandoned(vdir, dirfd(d), de->d_name);
			continue;
		}
		/* one being removed right now is not an error for a listing */
		if (hull_volume_load(e, de->d_name, &one, NULL) < 0)
			continue;
		v = xrealloc(v, (cnt + 1) * sizeof(*v));
		v[cnt++] = one;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), by_name);
	*out = v;
	*n = cnt;
	return 0;
}

/* bytes in use under dirfd (blocks, as du counts them), not crossing into mounts */
static uint64_t disk_usage(int dfd)
{
	cleanup_dir DIR *d = hull_opendirat(dfd, ".", 0);
	struct dirent *de;
	uint64_t sum = 0;

	if (!d)
		return 0;
	while ((de = hull_readdir(d))) {
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		sum += (uint64_t)st.st_blocks * 512;
		if (S_ISDIR(st.st_mode)) {
			cleanup_close int sub =
				openat(dirfd(d), de->d_name,
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				sum += disk_usage(sub);
		}
	}
	return sum;
}

/* With the volume's lock held: rename it out of the way, then remove it. */
static int destroy_locked(const struct hull_engine *e, const char *name, int vfd, uint64_t *freed,
			  struct hull_err *err)
{
	cleanup_free char *vdir = volumes_dir(e), *src = volume_path(e, name, NULL);
	cleanup_free char *rnd = hull_ctr_new_id();
	cleanup_free char *trash = hull_strfmt("%s/.trash-%.16s", vdir, rnd);

	if (freed) {
		cleanup_close int data = openat(vfd, DATA, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		*freed = data >= 0 ? disk_usage(data) : 0;
	}
	if (rename(src, trash) < 0)
		return hull_error(err, errno, "remove volume %s", name);
	/* from here the volume is gone; what a crash leaves is found by the next listing */
	hull_remove_tree(trash, NULL);
	return 0;
}

int hull_volume_remove(const struct hull_engine *e, const char *name, uint64_t *freed,
		       struct hull_err *err)
{
	cleanup_close int vfd = -1;
	cleanup_strv char **users = NULL;

	if (hull_volume_validate_name(name, NULL) < 0)
		return hull_error(err, ENOENT, "no such volume: %s", name);
	vfd = lock_volume(e, name, err);
	if (vfd < 0)
		return -1;
	users = volume_users(e, vfd, true);
	if (users[0]) {
		char list[256] = "";
		for (char **u = users; *u && strlen(list) < 200; u++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%.12s",
				 u == users ? "" : ", ", *u);
		return hull_error(err, EBUSY,
				  "volume %s is in use by container(s) %s: remove them first", name,
				  list);
	}
	return destroy_locked(e, name, vfd, freed, err);
}

/* The ownership and mode of src on dst: docker gives the volume the directory's own. */
static int copy_dir_meta(int src, int dst, struct hull_err *err)
{
	struct stat st;
	if (fstat(src, &st) < 0 || fchown(dst, st.st_uid, st.st_gid) < 0 ||
	    fchmod(dst, st.st_mode & 07777) < 0)
		return hull_error(err, errno, "set the owner and mode of the volume");
	return 0;
}

static bool dir_empty(int dfd)
{
	cleanup_dir DIR *d = hull_opendirat(dfd, ".", 0);

	return d && !hull_readdir(d);
}

/* docker's copy-up, with the volume locked and its _data empty.  Alone on the volume, the copy
 * is made aside and renamed onto _data, so a kill midway leaves the volume empty (and filled
 * again next time), never half filled; a container that has it mounted already gets the copy
 * in place. */
static int seed(int vfd, const char *vpath, const char *rootfs, const char *dest, bool alone,
		struct hull_err *err)
{
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int src = -1, dst = -1;
	struct stat st;

	if (rootfd < 0)
		return hull_error(err, errno, "open the rootfs %s", rootfs);
	/* symlinks on the way are followed inside the rootfs only */
	src = hull_open_in_root(rootfd, dest, O_RDONLY | O_DIRECTORY, 0, NULL);
	if (src < 0)
		return errno == ENOENT || errno == ENOTDIR
			       ? 0
			       : hull_error(err, errno, "open `%s` in the image", dest);
	if (fstat(src, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (!alone) {
		dst = openat(vfd, DATA, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dst < 0)
			return hull_error(err, errno, "open the volume");
		if (hull_layer_apply(src, dst, err) < 0)
			return -1;
		return copy_dir_meta(src, dst, err);
	}
	{
		cleanup_free char *leftover = hull_strfmt("%s/" SEED_TMP, vpath);
		hull_remove_tree(leftover, NULL);
	}
	if (mkdirat(vfd, SEED_TMP, 0700) < 0 ||
	    (dst = openat(vfd, SEED_TMP, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return hull_error(err, errno, "make the copy of `%s`", dest);
	if (hull_layer_apply(src, dst, err) < 0 || copy_dir_meta(src, dst, err) < 0)
		return hull_error_wrap(err, "copy `%s` of the image into the volume", dest);
	/* onto the empty _data: the copy appears whole */
	if (renameat(vfd, SEED_TMP, vfd, DATA) < 0)
		return hull_error(err, errno, "copy `%s` of the image into the volume", dest);
	return 0;
}

int hull_volume_attach(const struct hull_engine *e, const char *name, const struct hull_kv *labels,
		       size_t n_labels, const char *id, const char *rootfs, const char *dest,
		       bool nocopy, char **source, char **used_name, struct hull_err *err)
{
	cleanup_free char *anon = NULL, *vpath = NULL;
	cleanup_strv char **users = NULL;
	cleanup_close int vfd = -1, ref = -1, ref2 = -1, data = -1;
	bool alone;

	if (!name)
		name = anon = hull_ctr_new_id();
	else if (hull_volume_validate_name(name, err) < 0)
		return -1;
	/* made when missing; removed again before we hold it: made again */
	for (int tries = 0; vfd < 0; tries++) {
		if (create_volume(e, name, labels, n_labels, anon != NULL, err) < 0)
			return -1;
		vfd = lock_volume(e, name, tries < 3 ? NULL : err);
		if (vfd < 0 && tries >= 3)
			return -1;
	}
	vpath = volume_path(e, name, NULL);
	users = volume_users(e, vfd, true);
	alone = !users[0];
	ref = openat(vfd, REFS "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ref >= 0)
		ref2 = openat(ref, id, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (ref2 < 0)
		return hull_error(err, errno, "reference volume %s", name);
	data = openat(vfd, DATA, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (data < 0)
		return hull_error(err, errno, "open volume %s", name);
	if (!nocopy && rootfs && dir_empty(data) && seed(vfd, vpath, rootfs, dest, alone, err) < 0)
		return hull_error_wrap(err, "volume %s", name);
	*source = volume_path(e, name, DATA);
	*used_name = xstrdup(name);
	return 0;
}

int hull_volumes_release(const struct hull_engine *e, const char *id, bool remove_anonymous,
			 struct hull_err *err)
{
	struct hull_volume **v = NULL;
	size_t n = 0;
	int rc = 0;

	if (hull_volume_list(e, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cleanup_close int vfd = -1;
		cleanup_strv char **users = NULL;
		cleanup_free char *ref = volume_path(e, v[i]->name, REFS);
		cleanup_free char *mine = hull_strfmt("%s/%s", ref, id);
		struct stat st;

		if (lstat(mine, &st) < 0)
			continue;
		vfd = lock_volume(e, v[i]->name, NULL);
		if (vfd < 0)
			continue;
		unlink(mine);
		users = volume_users(e, vfd, true);
		if (remove_anonymous && v[i]->anonymous && !users[0] &&
		    destroy_locked(e, v[i]->name, vfd, NULL, err) < 0)
			rc = -1;
	}
	hull_volume_list_free(v, n);
	return rc;
}
