/* SPDX-License-Identifier: Apache-2.0 */
/* engine/prepare.c: what `hull run` makes before the monitor starts: the container's rootfs
 * from an image (or a directory), its config.json from the image's settings (image-spec
 * conversion.md) with the options on top, and its record. */
#include "engine/prepare.h"
#include "engine/net.h"
#include "runtime/annotations.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "engine/imagepull.h"
#include "engine/runflags.h"
#include "engine/runspec.h"
#include "engine/volume.h"
#include "image/index.h"
#include "image/load.h"
#include "image/userdb.h"
#include "lib/timearg.h"
#include "lib/json.h"
#include "lib/size.h"
#include "lib/util.h"
#include "runtime/state.h"

/* What the image (or --rootfs) gives the container before the flags change it. */
struct base {
	char **entrypoint, **cmd, **env;
	char *workdir, *user, *stop_signal, *rootfs, *kind, *image_id;
	char **volumes;		/* the image's Volumes: a fresh directory each, bind-mounted */
	char **exposed;		/* the image's ExposedPorts ("80/tcp"), for -P */
	struct hull_kv *labels; /* the image's Labels: annotations (conversion.md) */
	size_t n_labels;
};

static void base_free(struct base *b)
{
	hull_strv_free(b->entrypoint);
	hull_strv_free(b->cmd);
	hull_strv_free(b->env);
	hull_strv_free(b->volumes);
	hull_strv_free(b->exposed);
	free(b->workdir);
	free(b->user);
	free(b->stop_signal);
	free(b->rootfs);
	free(b->kind);
	free(b->image_id);
	for (size_t i = 0; i < b->n_labels; i++) {
		free(b->labels[i].key);
		free(b->labels[i].value);
	}
	free(b->labels);
}

static int base_from_rootfs(const char *dir, struct base *b, struct hull_err *err)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(dir, real) || stat(real, &st) < 0)
		return hull_error(err, errno, "rootfs `%s`", dir);
	if (!S_ISDIR(st.st_mode))
		return hull_error(err, ENOTDIR, "rootfs `%s` is not a directory", dir);
	b->rootfs = xstrdup(real);
	b->kind = xstrdup("dir");
	b->image_id = xstrdup("");
	hull_strv_push(&b->env,
		       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	return 0;
}

/* The image's config section, as far as a container needs it (image-spec conversion.md). */
static int image_config(const char *json, struct base *b, struct hull_err *err)
{
	char ebuf[256];
	yajl_val j = yajl_tree_parse(json, ebuf, sizeof(ebuf)), c = NULL, vols = NULL,
		 labels = NULL, ports = NULL;
	int rc = 0;

	if (!j)
		return hull_error(err, EINVAL, "the image config is not JSON: %s", ebuf);
	if (sj_object(j, "config", "config", &c, err) < 0)
		rc = -1;
	else if (c && (sj_strv(c, "Entrypoint", "config.Entrypoint", &b->entrypoint, err) < 0 ||
		       sj_strv(c, "Cmd", "config.Cmd", &b->cmd, err) < 0 ||
		       sj_strv(c, "Env", "config.Env", &b->env, err) < 0 ||
		       sj_string(c, "WorkingDir", "config.WorkingDir", &b->workdir, err) < 0 ||
		       sj_string(c, "User", "config.User", &b->user, err) < 0 ||
		       sj_string(c, "StopSignal", "config.StopSignal", &b->stop_signal, err) < 0 ||
		       sj_object(c, "Volumes", "config.Volumes", &vols, err) < 0 ||
		       sj_object(c, "Labels", "config.Labels", &labels, err) < 0 ||
		       sj_object(c, "ExposedPorts", "config.ExposedPorts", &ports, err) < 0))
		rc = -1;
	for (size_t i = 0; rc == 0 && vols && i < vols->u.object.len; i++)
		hull_strv_push(&b->volumes, vols->u.object.keys[i]);
	for (size_t i = 0; rc == 0 && ports && i < ports->u.object.len; i++)
		hull_strv_push(&b->exposed, ports->u.object.keys[i]);
	for (size_t i = 0; rc == 0 && labels && i < labels->u.object.len; i++) {
		const char *v = YAJL_GET_STRING(labels->u.object.values[i]);
		if (!v)
			continue;
		b->labels = xrealloc(b->labels, (b->n_labels + 1) * sizeof(*b->labels));
		b->labels[b->n_labels].key = xstrdup(labels->u.object.keys[i]);
		b->labels[b->n_labels++].value = xstrdup(v);
	}
	yajl_tree_free(j);
	if (rc < 0)
		return hull_error_wrap(err, "image config");
	if (!b->env)
		hull_strv_push(&b->env,
			       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	return 0;
}

/* The image's layers become the container's rootfs (overlayfs, or a copy without it). */
static int base_from_image(const struct hull_engine *e, const char *image, const char *id,
			   enum hull_rootfs_mode mode, struct base *b, struct hull_err *err)
{
	struct hull_store s;
	struct hull_index idx;
	struct hull_image *img;
	cleanup_free char *cfg = NULL;
	struct stat st, parent;
	int rc = -1;

	if (hull_store_open(&s, e->root, false, err) < 0)
		return -1;
	if (hull_index_load(&s, &idx, err) < 0) {
		hull_store_close(&s);
		return -1;
	}
	hull_err_clear(err);
	img = hull_index_find(&idx, image, err);
	if (!img) {
		if (!err->msg[0])
			hull_error(err, ENOENT,
				   "no such image: %s (load it with `hull load` or `hull pull` it)",
				   image);
		goto out;
	}
	if (hull_store_read_blob(&s, img->config, &cfg, NULL, err) < 0 ||
	    image_config(cfg, b, err) < 0 || hull_image_layers_ensure(&s, img, err) < 0 ||
	    hull_rootfs_create(&s, img, id, mode, &b->rootfs, err) < 0)
		goto out;
	{
		cleanup_free char *up = hull_strfmt("%s/..", b->rootfs);
		bool mounted = stat(b->rootfs, &st) == 0 && stat(up, &parent) == 0 &&
			       st.st_dev != parent.st_dev;
		b->kind = xstrdup(mounted ? "overlay" : "copy");
	}
	b->image_id = xstrdup(img->config);
	rc = 0;
out:
	hull_index_free(&idx);
	hull_store_close(&s);
	return rc;
}

/* env: the image's, then --env-file lines, then -e; NAME alone takes our value. */
static void set_env(char ***env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	cleanup_free char *pair = NULL;
	size_t klen;

	if (!eq) {
		const char *v = getenv(kv);
		if (!v)
			return;
		pair = hull_strfmt("%s=%s", kv, v);
		kv = pair;
		eq = strchr(kv, '=');
	}
	klen = (size_t)(eq - kv) + 1;
	for (char **e = *env; e && *e; e++)
		if (!strncmp(*e, kv, klen)) {
			free(*e);
			*e = xstrdup(kv);
			return;
		}
	hull_strv_push(env, kv);
}

static int env_file(const char *path, char ***env, struct hull_err *err)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return hull_error(err, errno, "open env file %s", path);
	while (getline(&line, &cap, f) > 0) {
		char *s = line + strspn(line, " \t");
		s[strcspn(s, "\r\n")] = '\0';
		if (*s && *s != '#')
			set_env(env, s);
	}
	free(line);
	fclose(f);
	return 0;
}

#define STOP_SIGNAL_ANNOTATION "org.opencontainers.image.stopSignal"

/* key (klen bytes) = value; a key given again replaces the earlier value */
static void annotation_set(struct hull_run_spec *rs, const char *key, size_t klen,
			   const char *value)
{
	for (size_t i = 0; i < rs->n_annotations; i++)
		if (strlen(rs->annotations[i].key) == klen &&
		    !strncmp(rs->annotations[i].key, key, klen)) {
			free(rs->annotations[i].value);
			rs->annotations[i].value = xstrdup(value);
			return;
		}
	rs->annotations =
		xrealloc(rs->annotations, (rs->n_annotations + 1) * sizeof(*rs->annotations));
	rs->annotations[rs->n_annotations].key = strndup(key, klen);
	rs->annotations[rs->n_annotations++].value = xstrdup(value);
}

/* the flags runflags.c reads, at the isolation level the annotations now choose */
static int run_flags(const struct hull_run_opts *o, const char *rootfs, struct hull_run_spec *rs,
		     struct hull_err *err)
{
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	bool vm = false;

	if (rootfd < 0)
		return hull_error(err, errno, "open the rootfs %s", rootfs);
	for (size_t i = 0; i < rs->n_annotations; i++)
		if (!strcmp(rs->annotations[i].key, HULL_ANNOT_ISOLATION))
			vm = !strcmp(rs->annotations[i].value, "vm");
	return hull_run_flags(o, rootfd, vm, rs, err);
}

static int build_spec(const struct hull_run_opts *o, const struct base *b, const char *id,
		      struct hull_run_spec *rs, struct hull_err *err)
{
	const char *user = o->user ? o->user : b->user;
	struct hull_user u = {0};

	/* docker: --entrypoint replaces the image's and drops its Cmd */
	if (o->entrypoint) {
		if (*o->entrypoint)
			hull_strv_push(&rs->args, o->entrypoint);
	} else {
		for (char **a = b->entrypoint; a && *a; a++)
			hull_strv_push(&rs->args, *a);
	}
	if (o->args && *o->args)
		for (char **a = o->args; *a; a++)
			hull_strv_push(&rs->args, *a);
	else if (!o->entrypoint)
		for (char **a = b->cmd; a && *a; a++)
			hull_strv_push(&rs->args, *a);
	rs->env = hull_strv_dup(b->env);
	if (o->hostname) {
		rs->hostname = xstrdup(o->hostname);
	} else {
		if (o->network && !strcmp(o->network, "host")) {
			char hn[256] = "";
			gethostname(hn, sizeof(hn) - 1);
			rs->hostname = xstrdup(hn);
		} else {
			rs->hostname = strndup(id, 12);
		}
	}
	{
		cleanup_free char *h = hull_strfmt("HOSTNAME=%s", rs->hostname);
		set_env(&rs->env, h);
	}
	if (o->tty)
		set_env(&rs->env, "TERM=xterm");
	for (char **p = o->env_files; p && *p; p++)
		if (env_file(*p, &rs->env, err) < 0)
			return -1;
	for (char **e = o->env; e && *e; e++)
		set_env(&rs->env, *e);
	if (user && *user) {
		cleanup_close int rootfd = open(b->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return hull_error(err, errno, "open the rootfs %s", b->rootfs);
		if (hull_user_resolve(rootfd, user, &u, err) < 0)
			return -1;
		rs->uid = u.uid;
		rs->gid = u.gid;
		rs->groups = (gid_t *)u.groups;
		rs->n_groups = u.n_groups;
		u.groups = NULL;
		if (u.home) {
			cleanup_free char *h = hull_strfmt("HOME=%s", u.home);
			bool has = false;
			for (char **e = rs->env; e && *e; e++)
				has |= hull_has_prefix(*e, "HOME=");
			if (!has)
				set_env(&rs->env, h);
		}
		hull_user_free(&u);
	}
	rs->cwd = xstrdup(o->workdir ? o->workdir : b->workdir && *b->workdir ? b->workdir : "/");
	if (rs->cwd[0] != '/')
		return hull_error(err, EINVAL, "the working directory `%s` is not absolute",
				  rs->cwd);
	rs->terminal = o->tty;
	if (o->tty) {
		/* the pty has the caller's size before the workload starts (runc's consoleSize);
		 * the monitor follows later resizes */
		struct winsize ws;
		if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
			rs->console_height = ws.ws_row;
			rs->console_width = ws.ws_col;
		}
	}
	rs->read_only = o->read_only;
	rs->privileged = o->privileged;
	rs->no_new_privs = o->no_new_privs;
	rs->host_network = o->network && !strcmp(o->network, "host");
	rs->cap_add = hull_strv_dup(o->cap_add);
	rs->cap_drop = hull_strv_dup(o->cap_drop);
	if (hull_caps_normalize(rs->cap_add, err) < 0 || hull_caps_normalize(rs->cap_drop, err) < 0)
		return -1;
	if (o->memory && hull_parse_size(o->memory, 1, &rs->memory, err) < 0)
		return hull_error_wrap(err, "--memory");
	if (o->cpus) {
		char *end;
		double c = strtod(o->cpus, &end);
		if (*end || !(c > 0) || !isfinite(c))
			return hull_error(err, EINVAL, "invalid --cpus `%s`", o->cpus);
		rs->cpu_quota = (int64_t)(c * 100000);
	}
	if (o->pids) {
		char *end;
		long long p = strtoll(o->pids, &end, 10);
		if (*end || !*o->pids || p < -1 || p == 0)
			return hull_error(err, EINVAL, "invalid --pids-limit `%s`", o->pids);
		rs->pids_limit = p;
	}
	/* image-spec conversion.md: Labels, then StopSignal; the user's annotations win */
	for (size_t i = 0; i < b->n_labels; i++)
		annotation_set(rs, b->labels[i].key, strlen(b->labels[i].key), b->labels[i].value);
	if (b->stop_signal && *b->stop_signal)
		annotation_set(rs, STOP_SIGNAL_ANNOTATION, strlen(STOP_SIGNAL_ANNOTATION),
			       b->stop_signal);
	for (char **a = o->annotations; a && *a; a++) {
		const char *eq = strchr(*a, '=');
		if (!eq || eq == *a)
			return hull_error(err, EINVAL, "invalid --annotation `%s` (KEY=VALUE)", *a);
		annotation_set(rs, *a, (size_t)(eq - *a), eq + 1);
	}
	if (o->isolation) {
		if (strcmp(o->isolation, "container") && strcmp(o->isolation, "vm"))
			return hull_error(err, EINVAL, "invalid --isolation `%s` (container or vm)",
					  o->isolation);
		annotation_set(rs, HULL_ANNOT_ISOLATION, strlen(HULL_ANNOT_ISOLATION),
			       o->isolation);
	}
	rs->default_seccomp = !o->unconfined && !o->seccomp;
	if (o->seccomp && !o->unconfined) {
		char ebuf[256];
		yajl_val j;
		if (hull_read_file(o->seccomp, &rs->seccomp_json, NULL, err) < 0)
			return hull_error_wrap(err, "--security-opt seccomp");
		j = yajl_tree_parse(rs->seccomp_json, ebuf, sizeof(ebuf));
		if (!j || !YAJL_IS_OBJECT(j)) {
			yajl_tree_free(j);
			return hull_error(err, EINVAL, "seccomp profile %s: not a JSON object: %s",
					  o->seccomp, ebuf);
		}
		yajl_tree_free(j);
	}
	if (o->cgroup_parent)
		rs->cgroups_path = hull_strfmt("%s/hull-%.12s", o->cgroup_parent, id);
	rs->rootfs = b->rootfs;
	return run_flags(o, b->rootfs, rs, err);
}

/* The rootfs and the bundle files of container id in dir (config.json, /etc files). */
static int make_bundle(const struct hull_engine *e, const struct hull_run_opts *o, const char *id,
		       enum hull_rootfs_mode mode, const char *dir, bool record, struct base *b,
		       struct hull_run_spec *rs, struct hull_err *err)
{
	cleanup_free char *cfgpath = NULL, *json = NULL, *etc = NULL;
	struct hull_spec *spec;
	struct stat st;

	if ((o->from_rootfs ? base_from_rootfs(o->image, b, err)
			    : base_from_image(e, o->image, id, mode, b, err)) < 0)
		return -1;
	if (hull_mkdir_p(dir, 0700, err) < 0)
		return -1;
	/* volumes belong to a container with a record; a bare bundle gets directories */
	if (build_spec(o, b, id, rs, err) < 0 ||
	    hull_run_mounts(record ? e : NULL, o, id, b->rootfs, b->volumes, dir, rs, err) < 0)
		return -1;
	if (hull_net_needs_netns(o->network))
		rs->netns_path = hull_net_netns_path(e, id);
	rs->etc_files_dir = xstrdup(dir);
	etc = hull_strfmt("%s/etc", b->rootfs);
	rs->rootfs_has_etc = lstat(etc, &st) == 0 && S_ISDIR(st.st_mode);
	if (hull_run_spec_etc_files(dir, rs->hostname, rs->host_network, err) < 0)
		return -1;
	spec = hull_run_spec_build(rs, err);
	if (!spec)
		return -1;
	json = hull_spec_write(spec, false);
	hull_spec_free(spec);
	cfgpath = hull_strfmt("%s/config.json", dir);
	return hull_write_file_atomic(cfgpath, json, strlen(json), 0600, err);
}

/* an image's rootfs is a mount in the container's directory */
static void unmake_bundle(const struct base *b, const char *dir)
{
	if (b->kind && !strcmp(b->kind, "overlay"))
		umount2(b->rootfs, MNT_DETACH);
	if (dir)
		hull_remove_tree(dir, NULL);
}

int hull_run_bundle(const struct hull_engine *e, const struct hull_run_opts *o, const char *id,
		    enum hull_rootfs_mode mode, const char *dir, char **rootfs,
		    struct hull_err *err)
{
	struct base b = {0};
	struct hull_run_spec rs = {0};
	/* no hull network is made for such a bundle: it gets a namespace of its own */
	struct hull_run_opts own = *o;
	int rc;

	if (!own.network)
		own.network = HULL_NET_NONE;
	rc = make_bundle(e, &own, id, mode, dir, false, &b, &rs, err);

	if (rc == 0)
		*rootfs = xstrdup(b.rootfs);
	else if (b.kind && !strcmp(b.kind, "overlay"))
		umount2(b.rootfs, MNT_DETACH);
	hull_run_spec_free(&rs);
	base_free(&b);
	return rc;
}

int hull_run_prepare(const struct hull_engine *e, const struct hull_run_opts *o, struct hull_ctr *c,
		     struct hull_err *err)
{
	struct base b = {0};
	struct hull_run_spec rs = {0};
	struct hull_net_pending net = {0};
	cleanup_free char *dir = NULL;
	bool net_up = false;
	int rc = -1;

	if (hull_net_check(e, o, err) < 0 || hull_run_image_pull(e, o, err) < 0)
		return -1;
	c->id = hull_ctr_new_id();
	c->name = o->name ? xstrdup(o->name) : hull_ctr_random_name(e);
	if (hull_ctr_claim_name(e, c->name, c->id, err) < 0) {
		free(c->name);
		c->name = NULL;
		goto out;
	}
	dir = hull_ctr_dir(e, c->id);
	/* CNI's bridge plugin runs while the bundle is made; hull create brings no network up
	 * (as docker, its start does: engine/start.c) */
	c->network = xstrdup(hull_net_mode(o->network));
	if (!o->create_only && hull_net_up_start(e, c, o, &net, err) < 0)
		goto out;
	if (make_bundle(e, o, c->id, HULL_ROOTFS_AUTO, dir, true, &b, &rs, err) < 0)
		goto out;
	c->image = xstrdup(o->from_rootfs ? b.rootfs : o->image);
	c->image_id = xstrdup(b.image_id ? b.image_id : "");
	/* as docker shows it: the command, not the --init that runs it */
	c->command = hull_strv_dup(rs.init_path ? rs.args + 2 : rs.args);
	c->created = hull_now_rfc3339();
	c->isolation = xstrdup(o->isolation ? o->isolation : "container");
	c->stop_signal = xstrdup(o->stop_signal	 ? o->stop_signal
				 : b.stop_signal ? b.stop_signal
						 : "SIGTERM");
	c->rootfs_kind = xstrdup(b.kind);
	c->rootfs = xstrdup(b.rootfs);
	c->auto_remove = o->rm;
	c->tty = o->tty;
	c->interactive = o->interactive;
	c->monitor_pid = o->detach ? 0 : getpid();
	if (hull_run_labels(o, b.labels, b.n_labels, &c->labels, &c->n_labels, err) < 0 ||
	    (o->stop_timeout && hull_run_stop_timeout(o->stop_timeout, &c->stop_timeout, err) < 0))
		goto out;
	c->has_stop_timeout = o->stop_timeout != NULL;
	c->ports = hull_strv_dup(o->publish);
	if (o->publish_all && hull_net_publish_all(e, b.exposed, &c->ports, err) < 0)
		goto out;
	if (hull_net_up_finish(e, c, o, &net, err) < 0)
		goto out;
	net_up = true;
	if ((!o->create_only && hull_net_etc_files(e, c, o, rs.hostname, err) < 0) ||
	    hull_net_config_made(e, c, o, err) < 0)
		goto out;
	rc = hull_ctr_save(e, c, err);
out:
	hull_run_spec_free(&rs);
	hull_net_up_abort(e, c, &net);
	if (rc < 0 && net_up)
		hull_net_down(e, c, NULL);
	if (rc < 0 && c->id) {
		unmake_bundle(&b, dir);
		/* the container is gone: so are the anonymous volumes made for it */
		hull_volumes_release(e, c->id, true, NULL);
		hull_ctr_release_name(e, c->name);
	}
	base_free(&b);
	return rc;
}
