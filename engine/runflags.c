/* SPDX-License-Identifier: Apache-2.0 */
/* engine/runflags.c: the container options of `hull run` that are not mounts, read as docker
 * reads them: --device, --ulimit, --init, --group-add, --sysctl, --shm-size, --label,
 * --label-file, --stop-timeout. */
#include "engine/runflags.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image/userdb.h"
#include "lib/size.h"
#include "lib/util.h"

/* the inits --init runs, static first: an image may have no C library at all */
static const char *const init_candidates[] = {"/usr/bin/tini-static", "/usr/bin/catatonit",
					      "/usr/libexec/podman/catatonit", "/usr/bin/tini"};

static bool valid_access(const char *s)
{
	if (!*s || strlen(s) > 3)
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("rwm", *p) || strchr(p + 1, *p))
			return false;
	return true;
}

static void add_device(struct hull_run_spec *rs, const char *path, const struct stat *st,
		       const char *access)
{
	struct hull_run_device d = {0};

	d.path = xstrdup(path);
	d.type = S_ISCHR(st->st_mode) ? 'c' : 'b';
	d.major = major(st->st_rdev);
	d.minor = minor(st->st_rdev);
	d.mode = st->st_mode & 07777;
	snprintf(d.access, sizeof(d.access), "%s", access);
	rs->devices = xrealloc(rs->devices, (rs->n_devices + 1) * sizeof(*rs->devices));
	rs->devices[rs->n_devices++] = d;
}

/* a directory of devices (/dev/snd): every node under it, at the same place under path;
 * symlinks are not followed */
static int device_dir(const char *host, const char *path, const char *access, int depth,
		      struct hull_run_spec *rs, struct hull_err *err)
{
	cleanup_dir DIR *d = opendir(host);
	struct dirent *de;

	if (!d)
		return hull_error(err, errno, "--device: open %s", host);
	if (depth > 8)
		return hull_error(err, ELOOP, "--device: %s is too deep", host);
	while ((de = readdir(d))) {
		cleanup_free char *h = NULL, *p = NULL;
		struct stat st;
		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		h = hull_strfmt("%s/%s", host, de->d_name);
		p = hull_strfmt("%s/%s", path, de->d_name);
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			add_device(rs, p, &st, access);
		else if (S_ISDIR(st.st_mode) && device_dir(h, p, access, depth + 1, rs, err) < 0)
			return -1;
	}
	return 0;
}

/* --device HOST[:CONTAINER][:PERMS] */
static int device(const char *spec, struct hull_run_spec *rs, struct hull_err *err)
{
	cleanup_free char *copy = xstrdup(spec);
	char *host = copy, *path = strchr(copy, ':'), *access = NULL;
	struct stat st;

	if (path) {
		*path++ = '\0';
		access = strchr(path, ':');
		if (access)
			*access++ = '\0';
		else if (valid_access(path)) /* HOST:PERMS, as docker reads it */
			access = path, path = NULL;
	}
	if (!path || !*path)
		path = host;
	if (access && !valid_access(access))
		return hull_error(err, EINVAL,
				  "--device `%s`: invalid permissions `%s` (a mix of r, w, m)",
				  spec, access);
	if (host[0] != '/' || path[0] != '/')
		return hull_error(err, EINVAL, "--device `%s`: paths must be absolute", spec);
	if (stat(host, &st) < 0)
		return hull_error(err, errno, "--device `%s`", spec);
	if (S_ISDIR(st.st_mode))
		return device_dir(host, path, access ? access : "rwm", 0, rs, err) < 0
			       ? hull_error_wrap(err, "--device `%s`", spec)
			       : 0;
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return hull_error(err, EINVAL,
				  "--device `%s`: %s is not a device node (or a directory of them)",
				  spec, host);
	add_device(rs, path, &st, access ? access : "rwm");
	return 0;
}

static const struct {
	const char *name;
	int resource;
} ulimit_names[] = {
	{"core", RLIMIT_CORE},	       {"cpu", RLIMIT_CPU},
	{"data", RLIMIT_DATA},	       {"fsize", RLIMIT_FSIZE},
	{"locks", RLIMIT_LOCKS},       {"memlock", RLIMIT_MEMLOCK},
	{"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
	{"nofile", RLIMIT_NOFILE},     {"nproc", RLIMIT_NPROC},
	{"rss", RLIMIT_RSS},	       {"rtprio", RLIMIT_RTPRIO},
	{"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
	{"stack", RLIMIT_STACK},
};

/* a limit: a count, -1 or "unlimited" */
static int limit_value(const char *s, uint64_t *out)
{
	char *end;
	long long v;

	if (!strcmp(s, "unlimited") || !strcmp(s, "-1")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static bool have_cap(cap_value_t cap)
{
	cap_t c = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;
	if (c) {
		cap_get_flag(c, cap, CAP_EFFECTIVE, &v);
		cap_free(c);
	}
	return v == CAP_SET;
}

/* --ulimit NAME=SOFT[:HARD] */
static int ulimit(const char *spec, bool vm, struct hull_run_spec *rs, struct hull_err *err)
{
	cleanup_free char *copy = xstrdup(spec);
	char *eq = strchr(copy, '='), *hard;
	struct hull_rlimit r = {.resource = -1};
	struct rlimit now;

	if (!eq)
		return hull_error(err, EINVAL, "--ulimit `%s`: expected NAME=SOFT[:HARD]", spec);
	*eq++ = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(ulimit_names); i++)
		if (!strcmp(copy, ulimit_names[i].name))
			r.resource = ulimit_names[i].resource;
	if (r.resource < 0)
		return hull_error(
			err, EINVAL,
			"--ulimit `%s`: unknown limit `%s` (core, cpu, data, fsize, locks, "
			"memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, "
			"sigpending, stack)",
			spec, copy);
	hard = strchr(eq, ':');
	if (hard)
		*hard++ = '\0';
	if (limit_value(eq, &r.soft) < 0 || limit_value(hard ? hard : eq, &r.hard) < 0)
		return hull_error(err, EINVAL, "--ulimit `%s`: limits are counts, -1 or unlimited",
				  spec);
	if (r.soft > r.hard)
		return hull_error(err, EINVAL,
				  "--ulimit `%s`: the soft limit is above the hard limit", spec);
	/* the container's processes inherit hull's limits: above them only with the capability
	 * (a VM's guest kernel has limits of its own) */
	if (!vm && getrlimit(r.resource, &now) == 0 && r.hard > now.rlim_max &&
	    !have_cap(CAP_SYS_RESOURCE)) {
		char cur[32];
		if (now.rlim_max == RLIM_INFINITY)
			snprintf(cur, sizeof(cur), "unlimited");
		else
			snprintf(cur, sizeof(cur), "%llu", (unsigned long long)now.rlim_max);
		return hull_error(
			err, EPERM,
			"--ulimit `%s`: the hard limit is above this host's (%s), and "
			"raising a hard limit needs CAP_SYS_RESOURCE, which hull lacks here",
			spec, cur);
	}
	r.type = hull_strfmt("RLIMIT_%s", copy);
	for (char *p = r.type; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	/* a later --ulimit of the same name wins */
	for (size_t i = 0; i < rs->n_rlimits; i++)
		if (rs->rlimits[i].resource == r.resource) {
			free(rs->rlimits[i].type);
			rs->rlimits[i] = r;
			return 0;
		}
	rs->rlimits = xrealloc(rs->rlimits, (rs->n_rlimits + 1) * sizeof(*rs->rlimits));
	rs->rlimits[rs->n_rlimits++] = r;
	return 0;
}

/* --group-add NAME|GID: names from the image's /etc/group */
static int group_add(const char *g, int rootfd, struct hull_run_spec *rs, struct hull_err *err)
{
	char *end;
	unsigned long gid = strtoul(g, &end, 10);

	if (!*g)
		return hull_error(err, EINVAL, "--group-add: empty group");
	if (*end || gid > UINT32_MAX - 1) {
		struct hull_user u = {0};
		cleanup_free char *spec = hull_strfmt("0:%s", g);
		/* the group part of a user spec is looked up in the image's /etc/group */
		if (hull_user_resolve(rootfd, spec, &u, err) < 0)
			return hull_error_wrap(err, "--group-add `%s`", g);
		gid = u.gid;
		hull_user_free(&u);
	}
	for (size_t i = 0; i < rs->n_groups; i++)
		if (rs->groups[i] == (gid_t)gid)
			return 0;
	rs->groups = xrealloc(rs->groups, (rs->n_groups + 1) * sizeof(gid_t));
	rs->groups[rs->n_groups++] = (gid_t)gid;
	return 0;
}

/* --sysctl KEY=VALUE (which keys a container may set is the runtime's check) */
static int sysctl(const char *kv, struct hull_run_spec *rs, struct hull_err *err)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		return hull_error(err, EINVAL, "invalid --sysctl `%s` (KEY=VALUE)", kv);
	rs->sysctls = xrealloc(rs->sysctls, (rs->n_sysctls + 1) * sizeof(*rs->sysctls));
	rs->sysctls[rs->n_sysctls].key = strndup(kv, (size_t)(eq - kv));
	rs->sysctls[rs->n_sysctls++].value = xstrdup(eq + 1);
	return 0;
}

static int init(struct hull_run_spec *rs, bool vm, struct hull_err *err)
{
	char **args = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(init_candidates) && !rs->init_path; i++)
		if (access(init_candidates[i], X_OK) == 0)
			rs->init_path = xstrdup(init_candidates[i]);
	if (!rs->init_path)
		return hull_error(err, ENOENT,
				  "--init: no init found (%s or %s; Debian's tini-static package)",
				  init_candidates[0], init_candidates[1]);
	rs->init_dest = vm ? HULL_RUN_INIT_PATH_VM : HULL_RUN_INIT_PATH;
	hull_strv_push(&args, rs->init_dest);
	hull_strv_push(&args, "--");
	for (char **a = rs->args; a && *a; a++)
		hull_strv_push(&args, *a);
	hull_strv_free(rs->args);
	rs->args = args;
	return 0;
}

int hull_run_flags(const struct hull_run_opts *o, int rootfd, bool vm, struct hull_run_spec *rs,
		   struct hull_err *err)
{
	if (vm && o->devices && *o->devices)
		return hull_error(err, EINVAL,
				  "--device is not available at the vm isolation level: the guest "
				  "kernel has devices of its own");
	for (char **d = o->devices; d && *d; d++)
		if (device(*d, rs, err) < 0)
			return -1;
	for (char **u = o->ulimits; u && *u; u++)
		if (ulimit(*u, vm, rs, err) < 0)
			return -1;
	for (char **g = o->group_add; g && *g; g++)
		if (group_add(*g, rootfd, rs, err) < 0)
			return -1;
	for (char **s = o->sysctls; s && *s; s++)
		if (sysctl(*s, rs, err) < 0)
			return -1;
	if (o->shm_size &&
	    (hull_parse_size(o->shm_size, 1, &rs->shm_size, err) < 0 ||
	     (rs->shm_size <= 0 && hull_error(err, EINVAL, "`%s` is not a size", o->shm_size) < 0)))
		return hull_error_wrap(err, "--shm-size");
	if (o->init && init(rs, vm, err) < 0)
		return -1;
	return 0;
}

static void label_set(struct hull_kv **v, size_t *n, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);

	for (size_t i = 0; i < *n; i++)
		if (strlen((*v)[i].key) == klen && !strncmp((*v)[i].key, kv, klen)) {
			free((*v)[i].value);
			(*v)[i].value = xstrdup(eq ? eq + 1 : "");
			return;
		}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].key = strndup(kv, klen);
	(*v)[(*n)++].value = xstrdup(eq ? eq + 1 : "");
}

int hull_run_labels(const struct hull_run_opts *o, const struct hull_kv *image_labels,
		    size_t n_image, struct hull_kv **out, size_t *n, struct hull_err *err)
{
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < n_image; i++) {
		cleanup_free char *kv =
			hull_strfmt("%s=%s", image_labels[i].key, image_labels[i].value);
		label_set(out, n, kv);
	}
	for (char **p = o->label_files; p && *p; p++) {
		cleanup_file FILE *f = fopen(*p, "re");
		cleanup_free char *line = NULL;
		size_t cap = 0;
		if (!f)
			return hull_error(err, errno, "open label file %s", *p);
		while (getline(&line, &cap, f) > 0) {
			char *s = line + strspn(line, " \t");
			s[strcspn(s, "\r\n")] = '\0';
			if (*s && *s != '#' && *s != '=')
				label_set(out, n, s);
		}
	}
	for (char **l = o->labels; l && *l; l++) {
		if (!**l || **l == '=')
			return hull_error(err, EINVAL, "invalid --label `%s` (KEY[=VALUE])", *l);
		label_set(out, n, *l);
	}
	return 0;
}

int hull_run_stop_timeout(const char *s, int *out, struct hull_err *err)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 86400 * 365)
		return hull_error(err, EINVAL, "invalid --stop-timeout `%s` (seconds)", s);
	*out = (int)v;
	return 0;
}
