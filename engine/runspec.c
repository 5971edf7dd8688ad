/* SPDX-License-Identifier: Apache-2.0 */
/* engine/runspec.c: the config.json model of `hull run`: docker's defaults (docker_spec.c)
 * edited with what the image and the flags ask for. */
#include "engine/runspec.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "engine/docker_spec.h"
#include "lib/util.h"
#include "runtime/spec/spec_edit.h"

int hull_caps_normalize(char **names, struct hull_err *err)
{
	for (char **n = names; n && *n; n++) {
		char *up = hull_has_prefix(*n, "CAP_") || hull_has_prefix(*n, "cap_")
				   ? xstrdup(*n)
				   : hull_strfmt("CAP_%s", *n);
		cap_value_t v;

		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (strcmp(up, "CAP_ALL") == 0) {
			free(up);
			up = xstrdup("ALL");
		} else if (cap_from_name(up, &v) < 0) {
			hull_error(err, EINVAL, "unknown capability `%s`", *n);
			free(up);
			return -1;
		}
		free(*n);
		*n = up;
	}
	return 0;
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* The capabilities --cap-add and --cap-drop make of the set the spec has. */
struct cap_edit {
	char *const *have, *const *add, *const *drop;
	bool all, none;
};

static bool cap_wanted(const char *cap, const void *ctx)
{
	const struct cap_edit *e = ctx;
	return (e->all || (!e->none && strv_has(e->have, cap)) || strv_has(e->add, cap)) &&
	       !strv_has(e->drop, cap);
}

static int caps(struct hull_spec *s, const struct hull_run_spec *rs, struct hull_err *err)
{
	struct hull_capabilities *c;

	if (rs->privileged) {
		/* docker: --privileged gives everything, --cap-drop does not apply */
		if (hull_docker_spec_privileged(s, err) < 0)
			return -1;
	} else {
		struct cap_edit e = {s->process->caps->bounding, rs->cap_add, rs->cap_drop,
				     strv_has(rs->cap_add, "ALL"), strv_has(rs->cap_drop, "ALL")};
		char **set = hull_docker_caps_select(cap_wanted, &e);
		hull_strv_free(s->process->caps->bounding);
		s->process->caps->bounding = set;
	}
	/* as docker: a non-root user gets the set only as its bounding set */
	c = s->process->caps;
	hull_strv_free(c->effective);
	hull_strv_free(c->permitted);
	c->effective = rs->uid == 0 ? hull_strv_dup(c->bounding) : xzalloc(sizeof(char *));
	c->permitted = rs->uid == 0 ? hull_strv_dup(c->bounding) : xzalloc(sizeof(char *));
	return 0;
}

static void process(struct hull_spec *s, const struct hull_run_spec *rs)
{
	struct hull_process *p = hull_spec_process(s);

	p->terminal = rs->terminal;
	p->console_height = rs->console_height;
	p->console_width = rs->console_width;
	p->uid = rs->uid;
	p->gid = rs->gid;
	if (rs->n_groups) {
		p->additional_gids = xzalloc((rs->n_groups + 1) * sizeof(gid_t));
		memcpy(p->additional_gids, rs->groups, rs->n_groups * sizeof(gid_t));
		p->n_additional_gids = rs->n_groups;
	}
	hull_strv_free(p->args);
	p->args = hull_strv_dup(rs->args);
	hull_strv_free(p->env);
	p->env = rs->env ? hull_strv_dup(rs->env) : xzalloc(sizeof(char *));
	free(p->cwd);
	p->cwd = xstrdup(rs->cwd && *rs->cwd ? rs->cwd : "/");
	p->no_new_privileges = rs->no_new_privs;
}

/* "a,b,c" as a list */
static char **split_options(const char *opts)
{
	char *copy = xstrdup(opts), *save = NULL;
	char **v = xzalloc(sizeof(char *));
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
		hull_strv_push(&v, o);
	free(copy);
	return v;
}

static int add_mount(struct hull_spec *s, const char *dst, const char *type, const char *src,
		     const char *opts, struct hull_err *err)
{
	char **v = split_options(opts);
	int rc = hull_spec_add_mount(s, dst, type, src, v, err);
	hull_strv_free(v);
	return rc;
}

/* the components of an absolute path ("/a//b/" has 2; "/" none, counted as 1) */
static size_t path_depth(const char *p)
{
	size_t n = 0;
	for (const char *c = p; *c; c++)
		if (*c != '/' && (c == p || c[-1] == '/'))
			n++;
	return n ? n : 1;
}

/* docker's default mounts are in the spec already: the container's /etc files, -v, --tmpfs */
static int mounts(struct hull_spec *s, const struct hull_run_spec *rs, struct hull_err *err)
{
	if (rs->rootfs_has_etc && rs->etc_files_dir) {
		static const char *const files[] = {"hostname", "hosts", "resolv.conf"};
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			cleanup_free char *src = hull_strfmt("%s/%s", rs->etc_files_dir, files[i]);
			cleanup_free char *dst = hull_strfmt("/etc/%s", files[i]);
			if (add_mount(s, dst, "bind", src, "rbind,rprivate", err) < 0)
				return -1;
		}
	}
	/* as docker sorts them: a mount comes after those above it (-v a:/x/y, --tmpfs /x would
	 * hide /x/y otherwise); the order given stays among mounts as deep */
	for (size_t depth = 1, left = rs->n_binds + rs->n_tmpfs; left; depth++) {
		for (size_t i = 0; i < rs->n_binds; i++) {
			const struct hull_bind *b = &rs->binds[i];
			cleanup_free char *opts = NULL;
			if (path_depth(b->destination) != depth)
				continue;
			left--;
			opts = hull_strfmt("rbind,%s%s",
					   b->propagation ? b->propagation : "rprivate",
					   b->readonly ? ",ro" : "");
			if (add_mount(s, b->destination, "bind", b->source, opts, err) < 0)
				return -1;
		}
		for (size_t i = 0; i < rs->n_tmpfs; i++) {
			if (path_depth(rs->tmpfs[i].destination) != depth)
				continue;
			left--;
			if (add_mount(s, rs->tmpfs[i].destination, "tmpfs", "tmpfs",
				      rs->tmpfs[i].options ? rs->tmpfs[i].options
							   : "rw,nosuid,nodev,noexec",
				      err) < 0)
				return -1;
		}
	}
	/* --init: the init, where docker puts its own */
	if (rs->init_path &&
	    add_mount(s, rs->init_dest, "bind", rs->init_path, "rbind,ro,rprivate", err) < 0)
		return -1;
	return 0;
}

/* --memory, --cpus, --pids-limit on docker's device rules */
static void resources(struct hull_spec *s, const struct hull_run_spec *rs)
{
	yajl_val res = hull_spec_resources(s), v;

	if (rs->memory > 0) {
		v = hull_tree_object();
		hull_tree_put(v, "limit", hull_tree_int(rs->memory));
		hull_tree_put(res, "memory", v);
	}
	if (rs->cpu_quota > 0) {
		v = hull_tree_object();
		hull_tree_put(v, "quota", hull_tree_int(rs->cpu_quota));
		hull_tree_put(v, "period", hull_tree_int(100000));
		hull_tree_put(res, "cpu", v);
	}
	if (rs->pids_limit != 0) {
		v = hull_tree_object();
		hull_tree_put(v, "limit", hull_tree_int(rs->pids_limit));
		hull_tree_put(res, "pids", v);
	}
}

/* --device: the node in the container and its rule in the device cgroup */
static void devices(struct hull_spec *s, const struct hull_run_spec *rs)
{
	struct hull_linux *lx = hull_spec_linux(s);

	for (size_t i = 0; i < rs->n_devices; i++) {
		const struct hull_run_device *d = &rs->devices[i];
		char type[2] = {d->type, '\0'};
		lx->devices = xrealloc(lx->devices, (lx->n_devices + 1) * sizeof(*lx->devices));
		lx->devices[lx->n_devices++] = (struct hull_device){
			.path = xstrdup(d->path),
			.type = d->type,
			.major = d->major,
			.minor = d->minor,
			.has_file_mode = true,
			.file_mode = d->mode,
			.has_uid = true,
			.has_gid = true,
		};
		hull_docker_spec_allow_device(s, type, d->major, d->minor, d->access);
	}
}

/* --ulimit, --sysctl */
static void limits(struct hull_spec *s, const struct hull_run_spec *rs)
{
	struct hull_process *p = hull_spec_process(s);
	struct hull_linux *lx = hull_spec_linux(s);

	for (size_t i = 0; i < rs->n_rlimits; i++) {
		struct hull_rlimit r = rs->rlimits[i];
		r.type = xstrdup(r.type);
		p->rlimits = xrealloc(p->rlimits, (p->n_rlimits + 1) * sizeof(*p->rlimits));
		p->rlimits[p->n_rlimits++] = r;
	}
	for (size_t i = 0; i < rs->n_sysctls; i++) {
		lx->sysctl = xrealloc(lx->sysctl, (lx->n_sysctl + 1) * sizeof(*lx->sysctl));
		lx->sysctl[lx->n_sysctl].key = xstrdup(rs->sysctls[i].key);
		lx->sysctl[lx->n_sysctl++].value = xstrdup(rs->sysctls[i].value);
	}
}

/* --shm-size: the size option of docker's /dev/shm */
static int shm_size(struct hull_spec *s, const struct hull_run_spec *rs, struct hull_err *err)
{
	struct hull_mount *m = hull_spec_find_mount(s, "/dev/shm");
	char **opts = NULL;
	int rc;

	if (!rs->shm_size || !m)
		return 0;
	for (char **o = m->options; o && *o; o++)
		if (!hull_has_prefix(*o, "size="))
			hull_strv_push(&opts, *o);
	{
		cleanup_free char *size =
			rs->shm_size % 1024
				? hull_strfmt("size=%lld", (long long)rs->shm_size)
				: hull_strfmt("size=%lldk", (long long)rs->shm_size / 1024);
		hull_strv_push(&opts, size);
	}
	rc = hull_mount_set_options(m, opts, err);
	hull_strv_free(opts);
	return rc;
}

/* The profile of --security-opt seccomp=FILE, or docker's default for the final set. */
static int seccomp(struct hull_spec *s, const struct hull_run_spec *rs, struct hull_err *err)
{
	yajl_val profile;

	if (rs->privileged)
		return 0;
	if (!rs->seccomp_json)
		return rs->default_seccomp ? hull_docker_spec_seccomp(s, err) : 0;
	profile = hull_tree_parse(rs->seccomp_json, "seccomp profile", err);
	if (!profile)
		return -1;
	hull_spec_set_section(s, &hull_spec_linux(s)->seccomp, profile);
	return 0;
}

struct hull_spec *hull_run_spec_build(const struct hull_run_spec *rs, struct hull_err *err)
{
	struct hull_spec *s;

	if (!rs->args || !rs->args[0]) {
		hull_error(err, EINVAL, "no command given and the image has none");
		return NULL;
	}
	s = hull_docker_spec(err);
	if (!s)
		return NULL;
	process(s, rs);
	s->root_path = xstrdup(rs->rootfs);
	s->root_readonly = rs->read_only;
	s->hostname = xstrdup(rs->hostname);
	for (size_t i = 0; i < rs->n_annotations; i++)
		hull_spec_set_annotation(s, rs->annotations[i].key, rs->annotations[i].value);
	if (rs->cgroups_path)
		s->linux_->cgroups_path = xstrdup(rs->cgroups_path);
	if (rs->host_network)
		hull_spec_remove_namespace(s, CLONE_NEWNET);
	else if (rs->netns_path)
		hull_spec_set_namespace(s, CLONE_NEWNET, rs->netns_path);
	resources(s, rs);
	devices(s, rs);
	limits(s, rs);
	if (caps(s, rs, err) < 0 || mounts(s, rs, err) < 0 || shm_size(s, rs, err) < 0 ||
	    seccomp(s, rs, err) < 0) {
		hull_spec_free(s);
		return NULL;
	}
	return s;
}

int hull_run_spec_etc_files(const char *dir, const char *hostname, bool host_network,
			    struct hull_err *err)
{
	cleanup_free char *hn = hull_strfmt("%s/hostname", dir);
	cleanup_free char *hosts = hull_strfmt("%s/hosts", dir);
	cleanup_free char *resolv = hull_strfmt("%s/resolv.conf", dir);
	cleanup_free char *hn_text = hull_strfmt("%s\n", hostname);
	cleanup_free char *hosts_text = NULL, *resolv_text = NULL;

	if (host_network && hull_read_file("/etc/hosts", &hosts_text, NULL, NULL) == 0) {
		/* the host's own, as docker does for --network host */
	} else {
		hosts_text = hull_strfmt("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
					 "ip6-loopback\n127.0.1.1\t%s\n",
					 hostname);
	}
	if (hull_read_file("/etc/resolv.conf", &resolv_text, NULL, NULL) < 0)
		resolv_text = xstrdup("");
	if (hull_write_file_atomic(hn, hn_text, strlen(hn_text), 0644, err) < 0 ||
	    hull_write_file_atomic(hosts, hosts_text, strlen(hosts_text), 0644, err) < 0 ||
	    hull_write_file_atomic(resolv, resolv_text, strlen(resolv_text), 0644, err) < 0)
		return -1;
	return 0;
}

void hull_run_spec_free(struct hull_run_spec *rs)
{
	hull_strv_free(rs->args);
	hull_strv_free(rs->env);
	free(rs->cwd);
	free(rs->groups);
	free(rs->hostname);
	hull_strv_free(rs->cap_add);
	hull_strv_free(rs->cap_drop);
	for (size_t i = 0; i < rs->n_binds; i++) {
		free(rs->binds[i].source);
		free(rs->binds[i].destination);
		free(rs->binds[i].propagation);
	}
	free(rs->binds);
	for (size_t i = 0; i < rs->n_tmpfs; i++) {
		free(rs->tmpfs[i].destination);
		free(rs->tmpfs[i].options);
	}
	free(rs->tmpfs);
	hull_kv_free(rs->annotations, rs->n_annotations);
	for (size_t i = 0; i < rs->n_devices; i++)
		free(rs->devices[i].path);
	free(rs->devices);
	for (size_t i = 0; i < rs->n_rlimits; i++)
		free(rs->rlimits[i].type);
	free(rs->rlimits);
	hull_kv_free(rs->sysctls, rs->n_sysctls);
	free(rs->init_path);
	free(rs->cgroups_path);
	free(rs->netns_path);
	free(rs->seccomp_json);
	free(rs->etc_files_dir);
	memset(rs, 0, sizeof(*rs));
}
