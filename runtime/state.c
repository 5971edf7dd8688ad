/* SPDX-License-Identifier: Apache-2.0 */
/* The state directory of one container and the status derived from its live process. */
#include "runtime/state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"

const char *hull_status_name(enum hull_status s)
{
	switch (s) {
	case HULL_CREATING:
		return "creating";
	case HULL_CREATED:
		return "created";
	case HULL_RUNNING:
		return "running";
	case HULL_PAUSED:
		return "paused";
	case HULL_STOPPED:
		return "stopped";
	}
	return "unknown";
}

int hull_validate_id(const char *id, struct hull_err *err)
{
	const char *p;
	if (!id || !*id)
		return hull_error(err, EINVAL, "container ID must not be empty");
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return hull_error(err, EINVAL, "invalid container ID `%s`", id);
	if (strlen(id) > 1024)
		return hull_error(err, EINVAL, "container ID is longer than 1024 characters");
	for (p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
			return hull_error(
				err, EINVAL,
				"invalid container ID `%s`: only letters, digits and _+-. "
				"may be used",
				id);
	return 0;
}

char *hull_state_dir(const char *root, const char *id)
{
	return hull_strfmt("%s/%s", root, id);
}

int hull_state_lock(const char *root, const char *id, struct hull_err *err)
{
	cleanup_free char *dir = hull_state_dir(root, id);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return hull_error(err, ENOENT, "container `%s` does not exist", id);
		return hull_error(err, errno, "open `%s`", dir);
	}
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		return hull_error(err, e, "lock `%s`", dir);
	}
	return fd;
}

void hull_state_free(struct hull_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup_path);
	free(st->isolation);
	hull_kv_free(st->annotations, st->n_annotations);
	free(st);
}

static void gen_common(yajl_gen g, const struct hull_state *st, bool internal)
{
	size_t i;
	hull_gen_str(g, "ociVersion");
	hull_gen_str(g, "1.2.0");
	hull_gen_str(g, "id");
	hull_gen_str(g, st->id);
	hull_gen_str(g, "pid");
	yajl_gen_integer(g, st->status == HULL_STOPPED && !internal ? 0 : st->pid);
	hull_gen_str(g, "status");
	hull_gen_str(g, hull_status_name(st->status));
	hull_gen_str(g, "bundle");
	hull_gen_str(g, st->bundle);
	hull_gen_str(g, "rootfs");
	hull_gen_str(g, st->rootfs);
	hull_gen_str(g, "created");
	hull_gen_str(g, st->created);
	hull_gen_str(g, "owner");
	{
		char owner[32];
		snprintf(owner, sizeof(owner), "%u", st->owner);
		hull_gen_str(g, internal ? owner : "");
	}
	hull_gen_str(g, "annotations");
	yajl_gen_map_open(g);
	for (i = 0; i < st->n_annotations; i++) {
		hull_gen_str(g, st->annotations[i].key);
		hull_gen_str(g, st->annotations[i].value);
	}
	yajl_gen_map_close(g);
}

char *hull_state_to_json(const struct hull_state *st, bool pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	}
	yajl_gen_map_open(g);
	gen_common(g, st, false);
	/* hull's own field (runc's tools ignore unknown ones): container or vm */
	hull_gen_str(g, "isolation");
	hull_gen_str(g, st->isolation ? st->isolation : "container");
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

int hull_state_save(const char *root, const struct hull_state *st, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/%s/state.json", root, st->id);
	cleanup_free char *json = NULL;
	yajl_gen g = yajl_gen_alloc(NULL);
	char owner[32];

	yajl_gen_map_open(g);
	gen_common(g, st, true);
	snprintf(owner, sizeof(owner), "%llu", st->start_time);
	hull_gen_str(g, "hull.startTime");
	hull_gen_str(g, owner);
	hull_gen_str(g, "hull.cgroupPath");
	hull_gen_str(g, st->cgroup_path ? st->cgroup_path : "");
	hull_gen_str(g, "hull.isolation");
	hull_gen_str(g, st->isolation ? st->isolation : "container");
	hull_gen_str(g, "hull.systemdCgroup");
	yajl_gen_bool(g, st->systemd_cgroup);
	yajl_gen_map_close(g);
	json = hull_gen_text(g);
	return hull_write_file_replace(path, json, strlen(json), 0600, err);
}

static char *tree_str(yajl_val v, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val s = yajl_tree_get(v, path, yajl_t_string);
	return xstrdup(s ? YAJL_GET_STRING(s) : "");
}

/* Paused is the freezer's state, whoever froze the cgroup. */
static bool cgroup_frozen(const char *path)
{
	struct hull_cgroups cg = {0};
	bool frozen = false;
	if (hull_cgroups_discover(&cg, NULL) == 0)
		hull_cgroup_frozen(&cg, path, &frozen, NULL);
	hull_cgroups_free(&cg);
	return frozen;
}

/* Live status: the process must exist, not be a zombie, and have the start time we saw. */
static enum hull_status live_status(const struct hull_state *st, const char *dir)
{
	char path[64], buf[512], *p, state;
	unsigned long long start;
	int fd;
	ssize_t n;
	cleanup_free char *fifo = NULL;

	if (st->pid <= 0)
		return HULL_STOPPED;
	if (hull_proc_start_time(st->pid, &start, NULL) < 0 || start != st->start_time)
		return HULL_STOPPED;
	snprintf(path, sizeof(path), "/proc/%d/stat", st->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return HULL_STOPPED;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return HULL_STOPPED;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	state = p && p[1] ? p[2] : 'Z';
	if (state == 'Z' || state == 'X')
		return HULL_STOPPED;
	fifo = hull_strfmt("%s/exec.fifo", dir);
	if (access(fifo, F_OK) == 0)
		return HULL_CREATED;
	if (st->cgroup_path && *st->cgroup_path && cgroup_frozen(st->cgroup_path))
		return HULL_PAUSED;
	return HULL_RUNNING;
}

int hull_state_load(const char *root, const char *id, struct hull_state **out, struct hull_err *err)
{
	cleanup_free char *dir = hull_state_dir(root, id);
	cleanup_free char *path = hull_strfmt("%s/state.json", dir);
	cleanup_free char *json = NULL;
	char ebuf[256];
	yajl_val tree, v;
	struct hull_state *st;
	const char *ann_path[] = {"annotations", NULL};

	if (hull_validate_id(id, err) < 0)
		return -1;
	if (hull_read_file(path, &json, NULL, err) < 0) {
		if (err && err->errnum == ENOENT)
			return hull_error(err, ENOENT, "container `%s` does not exist", id);
		return -1;
	}
	tree = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	if (!tree || !YAJL_IS_OBJECT(tree)) {
		yajl_tree_free(tree);
		return hull_error(err, EINVAL, "corrupt state file `%s`", path);
	}
	st = xzalloc(sizeof(*st));
	st->id = tree_str(tree, "id");
	st->bundle = tree_str(tree, "bundle");
	st->rootfs = tree_str(tree, "rootfs");
	st->created = tree_str(tree, "created");
	st->cgroup_path = tree_str(tree, "hull.cgroupPath");
	st->isolation = tree_str(tree, "hull.isolation");
	{
		const char *p[] = {"pid", NULL};
		v = yajl_tree_get(tree, p, yajl_t_number);
		st->pid = v ? (pid_t)YAJL_GET_INTEGER(v) : 0;
	}
	{
		cleanup_free char *s = tree_str(tree, "hull.startTime");
		cleanup_free char *o = tree_str(tree, "owner");
		const char *p[] = {"hull.systemdCgroup", NULL};
		st->start_time = strtoull(s, NULL, 10);
		st->owner = (uid_t)strtoul(o, NULL, 10);
		st->systemd_cgroup = YAJL_IS_TRUE(yajl_tree_get(tree, p, yajl_t_true));
	}
	v = yajl_tree_get(tree, ann_path, yajl_t_object);
	if (v) {
		size_t i, n = YAJL_GET_OBJECT(v)->len;
		st->annotations = xzalloc(n * sizeof(*st->annotations));
		for (i = 0; i < n; i++) {
			yajl_val s = YAJL_GET_OBJECT(v)->values[i];
			if (!YAJL_IS_STRING(s))
				continue;
			st->annotations[st->n_annotations].key =
				xstrdup(YAJL_GET_OBJECT(v)->keys[i]);
			st->annotations[st->n_annotations].value = xstrdup(YAJL_GET_STRING(s));
			st->n_annotations++;
		}
	}
	yajl_tree_free(tree);
	st->status = live_status(st, dir);
	*out = st;
	return 0;
}

static int cmp_state(const void *a, const void *b)
{
	return strcmp((*(struct hull_state *const *)a)->id, (*(struct hull_state *const *)b)->id);
}

int hull_state_list(const char *root, struct hull_state ***out, size_t *n, struct hull_err *err)
{
	DIR *d = opendir(root);
	struct dirent *de;
	struct hull_state **v = NULL;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return hull_error(err, errno, "open state root `%s`", root);
	}
	while ((de = readdir(d))) {
		struct hull_state *st;
		if (de->d_name[0] == '.' || hull_validate_id(de->d_name, NULL) < 0)
			continue;
		if (hull_state_load(root, de->d_name, &st, NULL) < 0)
			continue;
		v = xrealloc(v, (cnt + 1) * sizeof(*v));
		v[cnt++] = st;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_state);
	*out = v;
	*n = cnt;
	return 0;
}

void hull_state_list_free(struct hull_state **v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		hull_state_free(v[i]);
	free(v);
}
