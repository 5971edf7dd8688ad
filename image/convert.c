#include "convert.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "json.h"
#include "runtime/pathres.h"
#include "runtime/spec.h"
#include "runtime/spec_json.h"
#include "runtime/caps.h"
#include "runtime/util.h"
#include "userdb.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct conv {
	yajl_val img; /* the image config's "config" object (may be NULL) */
	yajl_val top; /* the whole image config */
	const struct hull_convert_opts *o;
	char **args, **env;
	const char *cwd;
	struct hull_user user;
};

static void strv_gen(yajl_gen g, const char *const *v)
{
	yajl_gen_array_open(g);
	for (; v && *v; v++)
		JS(g, *v);
	yajl_gen_array_close(g);
}

static char **strv_of(yajl_val arr)
{
	size_t i, n = arr && YAJL_IS_ARRAY(arr) ? arr->u.array.len : 0, k = 0;
	char **v = xzalloc((n + 1) * sizeof(char *));
	for (i = 0; i < n; i++)
		if (hull_json_str(arr->u.array.values[i]))
			v[k++] = xstrdup(hull_json_str(arr->u.array.values[i]));
	return v;
}

static void strv_append(char ***v, char *const *more)
{
	size_t n = hull_strv_len(*v), m = hull_strv_len(more), i;
	*v = xrealloc(*v, (n + m + 1) * sizeof(char *));
	for (i = 0; i < m; i++)
		(*v)[n + i] = xstrdup(more[i]);
	(*v)[n + m] = NULL;
}

/* KEY=VALUE set: a later key replaces an earlier one in place */
static void env_set(char ***env, const char *kv)
{
	size_t i, klen = strcspn(kv, "=");
	for (i = 0; (*env)[i]; i++) {
		if (!strncmp((*env)[i], kv, klen) && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	}
	strv_append(env, (char *const[]){(char *)kv, NULL});
}

static int build_process(struct conv *c, int rootfd, struct hull_err *err)
{
	const struct hull_convert_opts *o = c->o;
	char **image_env = strv_of(sj_get(c->img, "Env"));
	const char *user = o->user ? o->user : hull_json_str(sj_get(c->img, "User"));
	size_t i;

	/* Entrypoint + Cmd; --entrypoint drops the image's Cmd, as docker does */
	if (o->entrypoint) {
		c->args = xzalloc(sizeof(char *));
		if (*o->entrypoint)
			strv_append(&c->args, (char *const[]){(char *)o->entrypoint, NULL});
	} else {
		c->args = strv_of(sj_get(c->img, "Entrypoint"));
	}
	if (o->cmd) {
		strv_append(&c->args, o->cmd);
	} else if (!o->entrypoint) {
		char **cmd = strv_of(sj_get(c->img, "Cmd"));
		strv_append(&c->args, cmd);
		hull_strv_free(cmd);
	}
	if (!c->args[0]) {
		hull_strv_free(image_env);
		return hull_error(err, EINVAL,
				  "no command specified: the image has no Entrypoint "
				  "or Cmd, and none was given");
	}
	c->env = xzalloc(sizeof(char *));
	for (i = 0; image_env[i]; i++)
		env_set(&c->env, image_env[i]);
	hull_strv_free(image_env);
	for (i = 0; o->env && o->env[i]; i++)
		env_set(&c->env, o->env[i]);
	for (i = 0; c->env[i] && !hull_has_prefix(c->env[i], "PATH="); i++)
		;
	if (!c->env[i])
		env_set(&c->env, DEFAULT_PATH);
	if (o->terminal)
		env_set(&c->env, "TERM=xterm");
	c->cwd = o->workdir ? o->workdir : hull_json_str(sj_get(c->img, "WorkingDir"));
	if (!c->cwd || !*c->cwd)
		c->cwd = "/";
	if (c->cwd[0] != '/')
		return hull_error(err, EINVAL, "working directory `%s` is not absolute", c->cwd);
	if (hull_user_resolve(rootfd, user ? user : "", &c->user, err) < 0)
		return -1;
	return 0;
}

static void gen_process(yajl_gen g, struct conv *c, yajl_val def)
{
	size_t i;
	yajl_gen_map_open(g);
	JS(g, "terminal");
	yajl_gen_bool(g, c->o->terminal);
	JS(g, "user");
	yajl_gen_map_open(g);
	JS(g, "uid");
	yajl_gen_integer(g, c->user.uid);
	JS(g, "gid");
	yajl_gen_integer(g, c->user.gid);
	if (c->user.n_groups) {
		JS(g, "additionalGids");
		yajl_gen_array_open(g);
		for (i = 0; i < c->user.n_groups; i++)
			yajl_gen_integer(g, c->user.groups[i]);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
	JS(g, "args");
	strv_gen(g, (const char *const *)c->args);
	JS(g, "env");
	strv_gen(g, (const char *const *)c->env);
	JS(g, "cwd");
	JS(g, c->cwd);
	JS(g, "capabilities");
	yajl_gen_map_open(g);
	JS(g, "bounding");
	strv_gen(g, hull_docker_default_caps);
	JS(g, "effective");
	strv_gen(g, hull_docker_default_caps);
	JS(g, "permitted");
	strv_gen(g, hull_docker_default_caps);
	yajl_gen_map_close(g);
	JS(g, "rlimits");
	hull_json_emit(g, sj_get(def, "rlimits"));
	JS(g, "noNewPrivileges");
	yajl_gen_bool(g, false);
	yajl_gen_map_close(g);
}

/* A volume's directory name: the path with '/' made '_' (kept unique by a counter). */
static int gen_volumes(yajl_gen g, struct conv *c, int rootfd, struct hull_err *err)
{
	yajl_val vols = sj_get(c->img, "Volumes");
	size_t i;
	if (!c->o->volumes_dir || !vols || !YAJL_IS_OBJECT(vols))
		return 0;
	if (hull_mkdir_p(c->o->volumes_dir, 0700, err) < 0)
		return -1;
	for (i = 0; i < vols->u.object.len; i++) {
		const char *dest = vols->u.object.keys[i];
		cleanup_free char *src = hull_strfmt("%s/%zu", c->o->volumes_dir, i);
		if (dest[0] != '/')
			return hull_error(err, EINVAL, "image volume `%s` is not absolute", dest);
		int fd;
		struct stat st;
		if (mkdir(src, 0755) < 0 && errno != EEXIST)
			return hull_error(err, errno, "mkdir `%s`", src);
		/* the volume starts with the owner and mode the image gives that directory */
		fd = hull_open_in_root(rootfd, dest, O_PATH | O_DIRECTORY, 0, NULL);
		if (fd >= 0) {
			if (fstat(fd, &st) == 0 && (chown(src, st.st_uid, st.st_gid) < 0 ||
						    chmod(src, st.st_mode & 07777) < 0)) {
				close(fd);
				return hull_error(err, errno, "chown `%s`", src);
			}
			close(fd);
		}
		yajl_gen_map_open(g);
		JS(g, "destination");
		JS(g, dest);
		JS(g, "type");
		JS(g, "bind");
		JS(g, "source");
		JS(g, src);
		JS(g, "options");
		strv_gen(g, (const char *const[]){"rbind", "rw", NULL});
		yajl_gen_map_close(g);
	}
	return 0;
}

static void annotation(yajl_gen g, const char *key, const char *value)
{
	if (!value)
		return;
	JS(g, key);
	JS(g, value);
}

static void gen_annotations(yajl_gen g, struct conv *c)
{
	yajl_val labels = sj_get(c->img, "Labels"), ports = sj_get(c->img, "ExposedPorts");
	cleanup_free char *list = NULL;
	size_t i;

	yajl_gen_map_open(g);
	annotation(g, "org.opencontainers.image.os", hull_json_str(sj_get(c->top, "os")));
	annotation(g, "org.opencontainers.image.architecture",
		   hull_json_str(sj_get(c->top, "architecture")));
	annotation(g, "org.opencontainers.image.author", hull_json_str(sj_get(c->top, "author")));
	annotation(g, "org.opencontainers.image.created", hull_json_str(sj_get(c->top, "created")));
	annotation(g, "org.opencontainers.image.stopSignal",
		   hull_json_str(sj_get(c->img, "StopSignal")));
	for (i = 0; ports && YAJL_IS_OBJECT(ports) && i < ports->u.object.len; i++) {
		char *l = hull_strfmt("%s%s%s", list ? list : "", list ? "," : "",
				      ports->u.object.keys[i]);
		free(list);
		list = l;
	}
	annotation(g, "org.opencontainers.image.exposedPorts", list);
	/* labels last: conversion.md lets them override the fields above */
	for (i = 0; labels && YAJL_IS_OBJECT(labels) && i < labels->u.object.len; i++)
		annotation(g, labels->u.object.keys[i], hull_json_str(labels->u.object.values[i]));
	yajl_gen_map_close(g);
}

int hull_image_to_oci_config(const char *image_config, int rootfd, const char *rootfs_path,
			     const struct hull_convert_opts *opts, char **json_out,
			     struct hull_err *err)
{
	static const struct hull_convert_opts none = {0};
	cleanup_free char *def_text = hull_spec_default(false);
	char ebuf[256];
	yajl_val top = yajl_tree_parse(image_config, ebuf, sizeof(ebuf));
	yajl_val def = yajl_tree_parse(def_text, NULL, 0);
	struct conv c = {.o = opts ? opts : &none, .top = top};
	yajl_gen g = NULL;
	const unsigned char *buf;
	size_t i, len;
	int rc = -1;

	if (!top || !YAJL_IS_OBJECT(top)) {
		hull_error(err, EINVAL, "image config: %s", top ? "not an object" : ebuf);
		goto out;
	}
	c.img = sj_get(top, "config");
	if (build_process(&c, rootfd, err) < 0)
		goto out;
	g = yajl_gen_alloc(NULL);
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	for (i = 0; def && i < def->u.object.len; i++) {
		const char *key = def->u.object.keys[i];
		yajl_val v = def->u.object.values[i];
		JS(g, key);
		if (!strcmp(key, "process")) {
			gen_process(g, &c, v);
		} else if (!strcmp(key, "root")) {
			yajl_gen_map_open(g);
			JS(g, "path");
			JS(g, rootfs_path);
			JS(g, "readonly");
			yajl_gen_bool(g, false);
			yajl_gen_map_close(g);
		} else if (!strcmp(key, "mounts")) {
			size_t j;
			yajl_gen_array_open(g);
			for (j = 0; YAJL_IS_ARRAY(v) && j < v->u.array.len; j++)
				hull_json_emit(g, v->u.array.values[j]);
			if (gen_volumes(g, &c, rootfd, err) < 0)
				goto out;
			yajl_gen_array_close(g);
		} else {
			hull_json_emit(g, v);
		}
	}
	JS(g, "annotations");
	gen_annotations(g, &c);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	*json_out = strndup((const char *)buf, len);
	if (!*json_out)
		abort();
	rc = 0;
out:
	if (g)
		yajl_gen_free(g);
	hull_strv_free(c.args);
	hull_strv_free(c.env);
	hull_user_free(&c.user);
	yajl_tree_free(top);
	yajl_tree_free(def);
	return rc;
}
