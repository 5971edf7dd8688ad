/* SPDX-License-Identifier: Apache-2.0 */
/* The image config model: read with yajl's tree, written back with the modeled fields in
 * place of the ones read and everything else copied as it was. */
#include "image/imgconfig.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "image/load.h"
#include "image/manifest.h"
#include "lib/timearg.h"
#include "lib/util.h"

/* keys of the "config" section this model owns */
static const char *const config_keys[] = {
	"User",	  "ExposedPorts", "Env",	 "Entrypoint", "Cmd",	"Volumes",     "WorkingDir",
	"Labels", "StopSignal",	  "Healthcheck", "OnBuild",    "Shell", "ArgsEscaped",
};
/* top-level keys it owns; docker's "container" and "container_config" describe the container
 * that made the parent image, stale for this one: dropped */
static const char *const top_keys[] = {"created", "author",    "config",	  "rootfs",
				       "history", "container", "container_config"};

static bool owned(const char *key, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i], key))
			return true;
	return false;
}

void hull_imgcfg_init(struct hull_imgcfg *c)
{
	memset(c, 0, sizeof(*c));
	c->created = hull_now_rfc3339();
}

static void free_healthcheck(struct hull_healthcheck *h)
{
	if (!h)
		return;
	hull_strv_free(h->test);
	free(h);
}

void hull_imgcfg_free(struct hull_imgcfg *c)
{
	yajl_tree_free(c->root);
	free(c->created);
	free(c->author);
	free(c->user);
	free(c->workdir);
	free(c->stop_signal);
	hull_strv_free(c->env);
	hull_strv_free(c->entrypoint);
	hull_strv_free(c->cmd);
	hull_strv_free(c->shell);
	hull_strv_free(c->onbuild);
	hull_strv_free(c->ports);
	hull_strv_free(c->volumes);
	hull_kv_free(c->labels, c->n_labels);
	free_healthcheck(c->healthcheck);
	hull_strv_free(c->diff_ids);
	for (size_t i = 0; i < c->n_history; i++) {
		free(c->history[i].created);
		free(c->history[i].created_by);
		free(c->history[i].author);
		free(c->history[i].comment);
	}
	free(c->history);
	memset(c, 0, sizeof(*c));
}

static int object_keys(yajl_val obj, const char *key, const char *path, char ***out,
		       struct hull_err *err)
{
	yajl_val o = NULL;
	if (sj_object(obj, key, path, &o, err) < 0)
		return -1;
	for (size_t i = 0; o && i < o->u.object.len; i++)
		hull_strv_push(out, o->u.object.keys[i]);
	return 0;
}

static int parse_healthcheck(yajl_val cfg, struct hull_imgcfg *c, struct hull_err *err)
{
	yajl_val h = NULL;
	struct hull_healthcheck *hc;

	if (sj_object(cfg, "Healthcheck", "config.Healthcheck", &h, err) < 0)
		return -1;
	if (!h)
		return 0;
	hc = c->healthcheck = xzalloc(sizeof(*hc));
	if (sj_strv(h, "Test", "config.Healthcheck.Test", &hc->test, err) < 0 ||
	    sj_int(h, "Interval", "config.Healthcheck.Interval", 0, INT64_MAX, &hc->interval, err) <
		    0 ||
	    sj_int(h, "Timeout", "config.Healthcheck.Timeout", 0, INT64_MAX, &hc->timeout, err) <
		    0 ||
	    sj_int(h, "StartPeriod", "config.Healthcheck.StartPeriod", 0, INT64_MAX,
		   &hc->start_period, err) < 0 ||
	    sj_int(h, "StartInterval", "config.Healthcheck.StartInterval", 0, INT64_MAX,
		   &hc->start_interval, err) < 0 ||
	    sj_int(h, "Retries", "config.Healthcheck.Retries", 0, INT64_MAX, &hc->retries, err) < 0)
		return -1;
	return 0;
}

static int parse_config(yajl_val cfg, struct hull_imgcfg *c, struct hull_err *err)
{
	if (sj_string(cfg, "User", "config.User", &c->user, err) < 0 ||
	    sj_string(cfg, "WorkingDir", "config.WorkingDir", &c->workdir, err) < 0 ||
	    sj_string(cfg, "StopSignal", "config.StopSignal", &c->stop_signal, err) < 0 ||
	    sj_strv(cfg, "Env", "config.Env", &c->env, err) < 0 ||
	    sj_strv(cfg, "Entrypoint", "config.Entrypoint", &c->entrypoint, err) < 0 ||
	    sj_strv(cfg, "Cmd", "config.Cmd", &c->cmd, err) < 0 ||
	    sj_strv(cfg, "Shell", "config.Shell", &c->shell, err) < 0 ||
	    sj_strv(cfg, "OnBuild", "config.OnBuild", &c->onbuild, err) < 0 ||
	    sj_bool(cfg, "ArgsEscaped", "config.ArgsEscaped", &c->args_escaped, err) < 0 ||
	    object_keys(cfg, "ExposedPorts", "config.ExposedPorts", &c->ports, err) < 0 ||
	    object_keys(cfg, "Volumes", "config.Volumes", &c->volumes, err) < 0 ||
	    sj_kv(cfg, "Labels", "config.Labels", &c->labels, &c->n_labels, err) < 0)
		return -1;
	return parse_healthcheck(cfg, c, err);
}

static char *dup_str(yajl_val o, const char *key)
{
	const char *s = hull_json_str(sj_get(o, key));
	return s ? xstrdup(s) : NULL;
}

int hull_imgcfg_parse(const char *json, struct hull_imgcfg *c, struct hull_err *err)
{
	char ebuf[256];
	yajl_val cfg = NULL, rootfs = NULL, hist = NULL;

	memset(c, 0, sizeof(*c));
	c->root = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	if (!c->root || !YAJL_IS_OBJECT(c->root)) {
		hull_imgcfg_free(c);
		return hull_error(err, EINVAL, "the image config is not a JSON object: %s", ebuf);
	}
	if (sj_string(c->root, "created", "created", &c->created, err) < 0 ||
	    sj_string(c->root, "author", "author", &c->author, err) < 0 ||
	    sj_object(c->root, "config", "config", &cfg, err) < 0 ||
	    (cfg && parse_config(cfg, c, err) < 0) ||
	    sj_object(c->root, "rootfs", "rootfs", &rootfs, err) < 0 ||
	    (rootfs && sj_strv(rootfs, "diff_ids", "rootfs.diff_ids", &c->diff_ids, err) < 0) ||
	    sj_array(c->root, "history", "history", &hist, err) < 0)
		goto fail;
	for (size_t i = 0; hist && i < hist->u.array.len; i++) {
		yajl_val h = hist->u.array.values[i];
		struct hull_imgcfg_step *st;
		c->history = xrealloc(c->history, (c->n_history + 1) * sizeof(*c->history));
		st = &c->history[c->n_history++];
		st->created = dup_str(h, "created");
		st->created_by = dup_str(h, "created_by");
		st->author = dup_str(h, "author");
		st->comment = dup_str(h, "comment");
		st->empty_layer = YAJL_IS_TRUE(sj_get(h, "empty_layer"));
	}
	return 0;
fail:
	hull_imgcfg_free(c);
	return hull_error_wrap(err, "image config");
}

void hull_imgcfg_setenv(struct hull_imgcfg *c, const char *name, const char *value)
{
	size_t n = strlen(name);
	char *kv = hull_strfmt("%s=%s", name, value);
	for (char **e = c->env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=') {
			free(*e);
			*e = kv;
			return;
		}
	hull_strv_push(&c->env, kv);
	free(kv);
}

const char *hull_imgcfg_getenv(const struct hull_imgcfg *c, const char *name)
{
	size_t n = strlen(name);
	for (char **e = c->env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

void hull_imgcfg_set_label(struct hull_imgcfg *c, const char *key, const char *value)
{
	for (size_t i = 0; i < c->n_labels; i++)
		if (!strcmp(c->labels[i].key, key)) {
			free(c->labels[i].value);
			c->labels[i].value = xstrdup(value);
			return;
		}
	c->labels = xrealloc(c->labels, (c->n_labels + 1) * sizeof(*c->labels));
	c->labels[c->n_labels].key = xstrdup(key);
	c->labels[c->n_labels++].value = xstrdup(value);
}

void hull_imgcfg_set_add(char ***v, const char *s)
{
	for (char **p = *v; p && *p; p++)
		if (!strcmp(*p, s))
			return;
	hull_strv_push(v, s);
}

void hull_imgcfg_add_step(struct hull_imgcfg *c, const char *created_by, const char *author,
			  const char *comment, bool empty_layer)
{
	struct hull_imgcfg_step *st;
	c->history = xrealloc(c->history, (c->n_history + 1) * sizeof(*c->history));
	st = &c->history[c->n_history++];
	st->created = hull_now_rfc3339();
	st->created_by = xstrdup(created_by);
	st->author = author && *author ? xstrdup(author) : NULL;
	st->comment = comment && *comment ? xstrdup(comment) : NULL;
	st->empty_layer = empty_layer;
	free(c->created);
	c->created = xstrdup(st->created);
}

/* a set as docker writes it: {"80/tcp": {}} */
static void gen_set(yajl_gen g, const char *key, char *const *v)
{
	if (!v || !*v)
		return;
	hull_gen_str(g, key);
	yajl_gen_map_open(g);
	for (; *v; v++) {
		hull_gen_str(g, *v);
		yajl_gen_map_open(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_duration(yajl_gen g, const char *key, int64_t ns)
{
	if (!ns)
		return;
	hull_gen_str(g, key);
	yajl_gen_integer(g, ns);
}

static void gen_config(yajl_gen g, const struct hull_imgcfg *c)
{
	yajl_val old = sj_get(c->root, "config");

	yajl_gen_map_open(g);
	hull_gen_key_str(g, "User", c->user);
	gen_set(g, "ExposedPorts", c->ports);
	hull_gen_key_strv(g, "Env", c->env);
	hull_gen_key_strv(g, "Entrypoint", c->entrypoint);
	hull_gen_key_strv(g, "Cmd", c->cmd);
	if (c->args_escaped) {
		hull_gen_str(g, "ArgsEscaped");
		yajl_gen_bool(g, 1);
	}
	if (c->healthcheck) {
		const struct hull_healthcheck *h = c->healthcheck;
		hull_gen_str(g, "Healthcheck");
		yajl_gen_map_open(g);
		hull_gen_key_strv(g, "Test", h->test);
		gen_duration(g, "Interval", h->interval);
		gen_duration(g, "Timeout", h->timeout);
		gen_duration(g, "StartPeriod", h->start_period);
		gen_duration(g, "StartInterval", h->start_interval);
		if (h->retries) {
			hull_gen_str(g, "Retries");
			yajl_gen_integer(g, h->retries);
		}
		yajl_gen_map_close(g);
	}
	gen_set(g, "Volumes", c->volumes);
	hull_gen_key_str(g, "WorkingDir", c->workdir);
	if (c->n_labels) {
		hull_gen_str(g, "Labels");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < c->n_labels; i++)
			hull_gen_key_str(g, c->labels[i].key, c->labels[i].value);
		yajl_gen_map_close(g);
	}
	hull_gen_key_strv(g, "OnBuild", c->onbuild);
	hull_gen_key_str(g, "StopSignal", c->stop_signal);
	hull_gen_key_strv(g, "Shell", c->shell);
	for (size_t i = 0; old && YAJL_IS_OBJECT(old) && i < old->u.object.len; i++) {
		if (owned(old->u.object.keys[i], config_keys, ARRAY_SIZE(config_keys)))
			continue;
		hull_gen_str(g, old->u.object.keys[i]);
		sj_gen(g, old->u.object.values[i]);
	}
	yajl_gen_map_close(g);
}

char *hull_imgcfg_write(const struct hull_imgcfg *c)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	bool has_arch = sj_get(c->root, "architecture") != NULL;
	bool has_os = sj_get(c->root, "os") != NULL;

	yajl_gen_map_open(g);
	if (!has_arch)
		hull_gen_key_str(g, "architecture", "amd64");
	if (!has_os)
		hull_gen_key_str(g, "os", "linux");
	for (size_t i = 0; c->root && i < c->root->u.object.len; i++) {
		if (owned(c->root->u.object.keys[i], top_keys, ARRAY_SIZE(top_keys)))
			continue;
		hull_gen_str(g, c->root->u.object.keys[i]);
		sj_gen(g, c->root->u.object.values[i]);
	}
	hull_gen_key_str(g, "created", c->created);
	hull_gen_key_str(g, "author", c->author);
	hull_gen_str(g, "config");
	gen_config(g, c);
	hull_gen_str(g, "rootfs");
	yajl_gen_map_open(g);
	hull_gen_key_str(g, "type", "layers");
	hull_gen_str(g, "diff_ids");
	yajl_gen_array_open(g);
	for (char **d = c->diff_ids; d && *d; d++)
		hull_gen_str(g, *d);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	hull_gen_str(g, "history");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < c->n_history; i++) {
		const struct hull_imgcfg_step *st = &c->history[i];
		yajl_gen_map_open(g);
		hull_gen_key_str(g, "created", st->created);
		hull_gen_key_str(g, "created_by", st->created_by);
		hull_gen_key_str(g, "author", st->author);
		hull_gen_key_str(g, "comment", st->comment);
		if (st->empty_layer) {
			hull_gen_str(g, "empty_layer");
			yajl_gen_bool(g, 1);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

int hull_imgcfg_commit(struct hull_store *s, const struct hull_imgcfg *c, const char *base,
		       const char *layer, char *const *names, struct hull_image *out,
		       struct hull_err *err)
{
	cleanup_free char *json = hull_imgcfg_write(c), *mtext = NULL;
	struct hull_manifest m = {0};
	const char **layers = NULL;
	char config[HULL_DIGEST_SIZE], manifest[HULL_DIGEST_SIZE];
	size_t n = 0;
	int rc = -1;

	if (base && (hull_store_read_blob(s, base, &mtext, NULL, err) < 0 ||
		     hull_manifest_parse(mtext, &m, err) < 0))
		return hull_error_wrap(err, "the parent image's manifest %s", base);
	layers = xzalloc((m.n_layers + 2) * sizeof(char *));
	for (size_t i = 0; i < m.n_layers; i++)
		layers[n++] = m.layers[i].digest;
	if (layer)
		layers[n++] = layer;
	if (n != hull_strv_len(c->diff_ids)) {
		hull_error(err, EINVAL, "the new image has %zu layers but %zu diff IDs", n,
			   hull_strv_len(c->diff_ids));
		goto out;
	}
	if (hull_store_put_blob(s, json, strlen(json), NULL, config, err) < 0 ||
	    hull_manifest_write(s, config, layers, n, manifest, err) < 0 ||
	    hull_image_commit(s, manifest, names, out, err) < 0)
		goto out;
	rc = 0;
out:
	free(layers);
	hull_manifest_free(&m);
	return rc;
}
