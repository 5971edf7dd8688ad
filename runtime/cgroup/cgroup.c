/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup placement by direct cgroupfs writes.
 *
 * Why not libcgroup here: on the container start path libcgroup costs ~3 ms in cgroup_init()
 * and ~2 ms per cgroup_create_cgroup() (it re-reads /proc/mounts for every controller, ~900
 * syscalls), about a fifth of crun's whole `run`; and on this kind of hybrid host (v1
 * controllers + a cgroup2 mount holding one controller) it fails half-way with ENOENT and
 * leaves directories behind.  Placement needs only mkdir, a pid write and rmdir, so those are
 * done here; libcgroup is kept for the resource and statistics work off the start path.
 */
#include "runtime/cgroup/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "lib/util.h"

/* What the mount point is now, not what the mount table once put there: a tmpfs over the
 * hybrid cgroup2 mount (how test harnesses hide it) leaves a plain v1 host, as runc and crun
 * see it (they look at the path's file system magic too). */
static bool is_cgroupfs(const char *mp, bool v2)
{
	struct statfs sf;
	if (statfs(mp, &sf) < 0)
		return false;
	return v2 ? sf.f_type == CGROUP2_SUPER_MAGIC : sf.f_type == CGROUP_SUPER_MAGIC;
}

static void add_hier(struct hull_cgroups *cg, const char *mp, const char *ctrls, bool v2)
{
	size_t i;
	/* A hierarchy may be mounted more than once; keep the first mount point. */
	for (i = 0; i < cg->n; i++)
		if (cg->h[i].v2 == v2 && !strcmp(cg->h[i].controllers, ctrls))
			return;
	if (!is_cgroupfs(mp, v2))
		return;
	cg->h = xrealloc(cg->h, (cg->n + 1) * sizeof(*cg->h));
	cg->h[cg->n] = (struct hull_cgroup_hier){
		.mountpoint = xstrdup(mp),
		.controllers = xstrdup(ctrls),
		.v2 = v2,
	};
	cg->n++;
}

/* v1 super options hold rw/relatime and friends besides the controllers. */
static char *v1_controllers(const char *superopts)
{
	cleanup_free char *copy = xstrdup(superopts);
	char *out = xzalloc(strlen(superopts) + 1), *tok, *save = NULL;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "rw") || !strcmp(tok, "ro") || !strcmp(tok, "relatime") ||
		    !strcmp(tok, "noexec") || !strcmp(tok, "nosuid") || !strcmp(tok, "nodev") ||
		    hull_has_prefix(tok, "release_agent=") || !strcmp(tok, "clone_children") ||
		    !strcmp(tok, "xattr") || !strcmp(tok, "noprefix"))
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, tok);
	}
	return out;
}

/* Unescape mountinfo's octal escapes (\040 for a space). */
static void unescape(char *s)
{
	char *d = s;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

static void read_own(struct hull_cgroups *cg)
{
	cleanup_free char *buf = NULL;
	char *line, *save = NULL;
	size_t i;

	if (hull_read_file("/proc/self/cgroup", &buf, NULL, NULL) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		for (i = 0; i < cg->n; i++) {
			bool match =
				cg->h[i].v2 ? c1[1] == '\0' : !strcmp(c1 + 1, cg->h[i].controllers);
			if (match && !cg->h[i].own)
				cg->h[i].own = xstrdup(c2 + 1);
		}
	}
}

int hull_cgroups_discover(struct hull_cgroups *cg, struct hull_err *err)
{
	cleanup_free char *buf = NULL;
	char *line, *save = NULL;
	size_t i;

	cg->h = NULL;
	cg->n = 0;
	if (hull_read_file("/proc/self/mountinfo", &buf, NULL, err) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
		char *f[5], *sep = strstr(line, " - "), *p = line, *fstype, *src, *super;
		int k;
		if (!sep)
			continue;
		for (k = 0; k < 5; k++) {
			f[k] = strsep(&p, " ");
			if (!f[k])
				break;
		}
		if (k < 5)
			continue;
		fstype = sep + 3;
		src = strchr(fstype, ' ');
		if (!src)
			continue;
		*src++ = '\0';
		super = strchr(src, ' ');
		super = super ? super + 1 : "";
		unescape(f[4]);
		if (!strcmp(fstype, "cgroup2")) {
			add_hier(cg, f[4], "", true);
		} else if (!strcmp(fstype, "cgroup")) {
			cleanup_free char *c = v1_controllers(super);
			add_hier(cg, f[4], c, false);
		}
	}
	if (cg->n == 0)
		return hull_error(err, ENOENT, "no cgroup file system is mounted");
	read_own(cg);
	for (i = 0; i < cg->n; i++)
		if (!cg->h[i].own)
			cg->h[i].own = xstrdup("/");
	return 0;
}

void hull_cgroups_free(struct hull_cgroups *cg)
{
	size_t i;
	for (i = 0; i < cg->n; i++) {
		free(cg->h[i].mountpoint);
		free(cg->h[i].controllers);
		free(cg->h[i].own);
	}
	free(cg->h);
	cg->h = NULL;
	cg->n = 0;
}

char *hull_cgroup_resolve_path(const struct hull_cgroups *cg, const char *spec_path, const char *id)
{
	const char *own = "/";
	size_t i;

	if (!spec_path || !*spec_path)
		return hull_strfmt("/hull/%s", id);
	if (spec_path[0] == '/')
		return xstrdup(spec_path);
	/* Relative: below our own cgroup; the v2 one wins, as it is where new work goes. */
	for (i = 0; i < cg->n; i++)
		if (cg->h[i].v2 || i == 0)
			own = cg->h[i].own;
	return hull_strfmt("%s%s%s", own, own[strlen(own) - 1] == '/' ? "" : "/", spec_path);
}

static char *hier_path(const struct hull_cgroup_hier *h, const char *path)
{
	return hull_strfmt("%s%s", h->mountpoint, path);
}

/* A new v1 cpuset cgroup starts with empty cpus/mems, and no task can join it until they are
 * filled: copy them down from the parent at each level we create. */
static int cpuset_inherit(const char *dir, struct hull_err *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	size_t i;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free char *mine = hull_strfmt("%s/%s", dir, files[i]);
		cleanup_free char *parent = hull_strfmt("%s/../%s", dir, files[i]);
		cleanup_free char *cur = NULL, *val = NULL;
		if (hull_read_file(mine, &cur, NULL, err) < 0)
			return -1;
		if (cur[0] != '\n' && cur[0] != '\0')
			continue;
		if (hull_read_file(parent, &val, NULL, err) < 0)
			return -1;
		if (hull_write_string(mine, val, err) < 0)
			return -1;
	}
	return 0;
}

/* mkdir -p below the mount point; returns how many levels were created (for undo). */
static int make_dirs(const struct hull_cgroup_hier *h, const char *path, bool cpuset,
		     struct hull_err *err)
{
	cleanup_free char *full = hier_path(h, path);
	size_t base = strlen(h->mountpoint);
	char *s;
	int created = 0;

	for (s = full + base + 1;; s++) {
		bool end = *s == '\0';
		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(full, 0755) == 0) {
			created++;
			if (cpuset && cpuset_inherit(full, err) < 0)
				return -1;
		} else if (errno != EEXIST) {
			return hull_error(err, errno, "create cgroup `%s`", full);
		}
		if (end)
			break;
		*s = '/';
	}
	return created;
}

static void remove_dir(const char *dir)
{
	int i;
	/* Tasks that were just killed leave their cgroup a little after they die. */
	for (i = 0; i < 200; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY)
			return;
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	}
}

int hull_cgroup_enter(const struct hull_cgroups *cg, const char *path, pid_t pid,
		      struct hull_err *err)
{
	char pidbuf[32];
	size_t i;

	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	for (i = 0; i < cg->n; i++) {
		const struct hull_cgroup_hier *h = &cg->h[i];
		bool cpuset = !h->v2 && strstr(h->controllers, "cpuset");
		cleanup_free char *dir = hier_path(h, path);
		cleanup_free char *procs = hull_strfmt("%s/cgroup.procs", dir);

		if (make_dirs(h, path, cpuset, err) < 0 ||
		    hull_write_string(procs, pidbuf, err) < 0) {
			struct hull_err ignored;
			hull_cgroup_remove(cg, path, &ignored);
			return hull_error_wrap(err, "enter cgroup `%s`", path);
		}
	}
	return 0;
}

int hull_cgroup_join(const struct hull_cgroups *cg, const char *path, pid_t pid,
		     struct hull_err *err)
{
	char pidbuf[32];
	size_t i, joined = 0;

	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	for (i = 0; i < cg->n; i++) {
		cleanup_free char *dir = hier_path(&cg->h[i], path);
		cleanup_free char *procs = hull_strfmt("%s/cgroup.procs", dir);
		if (access(dir, F_OK) < 0)
			continue;
		if (hull_write_string(procs, pidbuf, err) < 0)
			return hull_error_wrap(err, "join cgroup `%s`", path);
		joined++;
	}
	if (!joined)
		return hull_error(err, ENOENT, "join cgroup `%s`: it does not exist", path);
	return 0;
}

/* How deep below a container's cgroup its own sub-cgroups are followed; far more than any
 * real nesting, a bound only so a damaged tree cannot run the recursion away. */
#define SUBCGROUP_MAX_DEPTH 32

/* Calls fn on every cgroup below dir (not dir itself), deepest first. */
static int for_each_subcgroup(const char *dir, int depth, int (*fn)(const char *, void *),
			      void *arg)
{
	DIR *d;
	struct dirent *e;
	int ret = 0;

	if (depth >= SUBCGROUP_MAX_DEPTH || !(d = opendir(dir)))
		return 0;
	while (ret == 0 && (e = readdir(d))) {
		cleanup_free char *sub = NULL;
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = hull_strfmt("%s/%s", dir, e->d_name);
		ret = for_each_subcgroup(sub, depth + 1, fn, arg);
		if (ret == 0)
			ret = fn(sub, arg);
	}
	closedir(d);
	return ret;
}

struct pid_list {
	pid_t **pids;
	size_t *n;
	struct hull_err *err;
};

static int add_procs(const char *dir, void *arg)
{
	struct pid_list *l = arg;
	cleanup_free char *procs = hull_strfmt("%s/cgroup.procs", dir);
	cleanup_free char *buf = NULL;
	char *line, *save = NULL;
	struct hull_err e = {0};

	if (hull_read_file(procs, &buf, NULL, &e) < 0) {
		/* a sub-cgroup removed while we walk holds nothing any more */
		if (e.errnum == ENOENT || e.errnum == ENODEV)
			return 0;
		return hull_error(l->err, e.errnum, "read `%s`", procs);
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		*l->pids = xrealloc(*l->pids, (*l->n + 1) * sizeof(pid_t));
		(*l->pids)[(*l->n)++] = (pid_t)atoi(line);
	}
	return 0;
}

int hull_cgroup_pids(const struct hull_cgroups *cg, const char *path, pid_t **pids, size_t *n,
		     struct hull_err *err)
{
	size_t i;
	*pids = NULL;
	*n = 0;
	for (i = 0; i < cg->n; i++) {
		cleanup_free char *dir = hier_path(&cg->h[i], path);
		struct pid_list l = {pids, n, err};
		if (access(dir, F_OK) < 0)
			continue;
		/* what the container moved into cgroups of its own below is its too, as runc
		 * and crun count it (ps, kill --all, delete --force) */
		if (add_procs(dir, &l) < 0 || for_each_subcgroup(dir, 0, add_procs, &l) < 0) {
			free(*pids);
			*pids = NULL;
			*n = 0;
			return -1;
		}
		return 0;
	}
	return hull_error(err, ENOENT, "cgroup `%s` not found", path);
}

static int remove_subcgroup(const char *dir, void *arg)
{
	(void)arg;
	remove_dir(dir);
	return 0;
}

int hull_cgroup_remove(const struct hull_cgroups *cg, const char *path, struct hull_err *err)
{
	size_t i;
	int ret = 0;

	if (!path || !*path || !strcmp(path, "/"))
		return 0;
	for (i = 0; i < cg->n; i++) {
		cleanup_free char *dir = hier_path(&cg->h[i], path);
		/* rmdir needs the cgroups the container made inside its own gone first */
		for_each_subcgroup(dir, 0, remove_subcgroup, NULL);
		remove_dir(dir);
		if (access(dir, F_OK) == 0)
			ret = hull_error(err, EBUSY, "remove cgroup `%s`", dir);
	}
	return ret;
}
