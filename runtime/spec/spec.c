/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: the top level, mounts, hooks and annotations. */
#include "runtime/spec/spec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec/mount_opts.h"
#include "runtime/spec/spec_parse.h"

static int parse_mounts(yajl_val arr, struct hull_spec *s, struct hull_err *err)
{
	size_t i, n = arr->u.array.len;
	s->mounts = xzalloc((n + 1) * sizeof(*s->mounts));
	for (i = 0; i < n; i++) {
		yajl_val o = arr->u.array.values[i];
		struct hull_mount *m = &s->mounts[i];
		char path[32];
		snprintf(path, sizeof(path), "mounts[%zu]", i);
		if (!YAJL_IS_OBJECT(o))
			return hull_error(err, EINVAL, "config.json: `%s` must be an object", path);
		s->n_mounts++;
		m->src = o;
		if (sj_string(o, "destination", path, &m->destination, err) < 0 ||
		    sj_string(o, "type", path, &m->type, err) < 0 ||
		    sj_string(o, "source", path, &m->source, err) < 0 ||
		    sj_strv(o, "options", path, &m->options, err) < 0)
			return -1;
		if (!m->destination || !*m->destination)
			return hull_error(err, EINVAL, "config.json: `%s.destination` is required",
					  path);
		if (hull_mount_parse_options(m, err) < 0)
			return -1;
	}
	return 0;
}

static int parse_hook_list(yajl_val hooks, const char *phase, struct hull_hook_list *l,
			   struct hull_err *err)
{
	yajl_val arr = NULL;
	size_t i, n;
	int r = sj_array(hooks, phase, "hooks", &arr, err);
	if (r <= 0)
		return r;
	n = arr->u.array.len;
	l->hooks = xzalloc((n + 1) * sizeof(*l->hooks));
	for (i = 0; i < n; i++) {
		yajl_val o = arr->u.array.values[i];
		struct hull_hook *h = &l->hooks[i];
		char path[64];
		int64_t t;
		snprintf(path, sizeof(path), "hooks.%s[%zu]", phase, i);
		if (!YAJL_IS_OBJECT(o))
			return hull_error(err, EINVAL, "config.json: `%s` must be an object", path);
		l->n++;
		if (sj_string(o, "path", path, &h->path, err) < 0 ||
		    sj_strv(o, "args", path, &h->args, err) < 0 ||
		    sj_strv(o, "env", path, &h->env, err) < 0)
			return -1;
		if (!h->path || h->path[0] != '/')
			return hull_error(err, EINVAL,
					  "config.json: `%s.path` must be an absolute path", path);
		switch (sj_int(o, "timeout", path, 1, 86400 * 365, &t, err)) {
		case -1:
			return -1;
		case 1:
			h->timeout = (int)t;
		}
	}
	return 0;
}

static int parse_hooks(yajl_val j, struct hull_hooks *h, struct hull_err *err)
{
	if (parse_hook_list(j, "prestart", &h->prestart, err) < 0 ||
	    parse_hook_list(j, "createRuntime", &h->create_runtime, err) < 0 ||
	    parse_hook_list(j, "createContainer", &h->create_container, err) < 0 ||
	    parse_hook_list(j, "startContainer", &h->start_container, err) < 0 ||
	    parse_hook_list(j, "poststart", &h->poststart, err) < 0 ||
	    parse_hook_list(j, "poststop", &h->poststop, err) < 0)
		return -1;
	return 0;
}

static int parse_root(yajl_val j, struct hull_spec *s, struct hull_err *err)
{
	yajl_val root = NULL;
	int r = sj_object(j, "root", "", &root, err);
	if (r <= 0)
		return r;
	if (sj_string(root, "path", "root", &s->root_path, err) < 0 ||
	    sj_bool(root, "readonly", "root", &s->root_readonly, err) < 0)
		return -1;
	return 0;
}

struct hull_spec *hull_spec_parse(const char *json, struct hull_err *err)
{
	struct hull_spec *s = xzalloc(sizeof(*s));
	char ebuf[512];
	yajl_val v = NULL;
	int r;

	s->tree = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	if (!s->tree) {
		char *nl;
		/* yajl's message spans several lines with a context excerpt: keep the first */
		while ((nl = strchr(ebuf, '\n')))
			*nl = ' ';
		hull_error(err, EINVAL, "config.json: invalid JSON: %s", ebuf);
		goto fail;
	}
	if (!YAJL_IS_OBJECT(s->tree)) {
		hull_error(err, EINVAL, "config.json: the document must be a JSON object");
		goto fail;
	}
	if (sj_string(s->tree, "ociVersion", "", &s->oci_version, err) < 0)
		goto fail;
	if (!s->oci_version) {
		hull_error(err, EINVAL, "config.json: `ociVersion` is required");
		goto fail;
	}
	if (parse_root(s->tree, s, err) < 0 ||
	    sj_string(s->tree, "hostname", "", &s->hostname, err) < 0 ||
	    sj_string(s->tree, "domainname", "", &s->domainname, err) < 0)
		goto fail;
	if ((r = sj_array(s->tree, "mounts", "", &v, err)) < 0 ||
	    (r && parse_mounts(v, s, err) < 0))
		goto fail;
	v = NULL;
	if ((r = sj_object(s->tree, "process", "", &v, err)) < 0)
		goto fail;
	if (r) {
		s->process = xzalloc(sizeof(*s->process));
		if (hull_spec_parse_process(v, s->process, err) < 0)
			goto fail;
	}
	v = NULL;
	if ((r = sj_object(s->tree, "hooks", "", &v, err)) < 0 ||
	    (r && parse_hooks(v, &s->hooks, err) < 0))
		goto fail;
	if (sj_kv(s->tree, "annotations", "", &s->annotations, &s->n_annotations, err) < 0)
		goto fail;
	v = NULL;
	if ((r = sj_object(s->tree, "linux", "", &v, err)) < 0)
		goto fail;
	if (r) {
		s->linux_ = xzalloc(sizeof(*s->linux_));
		if (hull_spec_parse_linux(v, s->linux_, err) < 0)
			goto fail;
	}
	if (sj_object(s->tree, "vm", "", &s->vm, err) < 0)
		goto fail;
	return s;
fail:
	hull_spec_free(s);
	return NULL;
}

struct hull_spec *hull_spec_load(const char *path, struct hull_err *err)
{
	cleanup_free char *json = NULL;
	struct hull_spec *s;
	if (hull_read_file(path, &json, NULL, err) < 0)
		return NULL;
	s = hull_spec_parse(json, err);
	if (!s)
		hull_error_wrap(err, "`%s`", path);
	return s;
}

static void free_hooks(struct hull_hook_list *l)
{
	size_t i;
	for (i = 0; i < l->n; i++) {
		free(l->hooks[i].path);
		hull_strv_free(l->hooks[i].args);
		hull_strv_free(l->hooks[i].env);
	}
	free(l->hooks);
}

void hull_spec_free(struct hull_spec *s)
{
	size_t i;
	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	for (i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		hull_strv_free(s->mounts[i].options);
		free(s->mounts[i].data);
	}
	free(s->mounts);
	hull_spec_free_process(s->process);
	free_hooks(&s->hooks.prestart);
	free_hooks(&s->hooks.create_runtime);
	free_hooks(&s->hooks.create_container);
	free_hooks(&s->hooks.start_container);
	free_hooks(&s->hooks.poststart);
	free_hooks(&s->hooks.poststop);
	hull_kv_free(s->annotations, s->n_annotations);
	hull_spec_free_linux(s->linux_);
	for (i = 0; i < s->n_owned; i++)
		yajl_tree_free(s->owned[i]);
	free(s->owned);
	yajl_tree_free(s->tree);
	free(s);
}

const char *hull_spec_annotation(const struct hull_spec *s, const char *key)
{
	size_t i;
	for (i = 0; i < s->n_annotations; i++)
		if (!strcmp(s->annotations[i].key, key))
			return s->annotations[i].value;
	return NULL;
}

const struct hull_namespace *hull_spec_namespace(const struct hull_spec *s, int type)
{
	size_t i;
	for (i = 0; s->linux_ && i < s->linux_->n_namespaces; i++)
		if (s->linux_->namespaces[i].type == type)
			return &s->linux_->namespaces[i];
	return NULL;
}
