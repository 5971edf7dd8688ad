/* SPDX-License-Identifier: Apache-2.0 */
/* Making and editing the model in code, and the yajl trees of its raw sections. */
#include "runtime/spec/spec_edit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec/mount_opts.h"

struct hull_spec *hull_spec_new(void)
{
	struct hull_spec *s = xzalloc(sizeof(*s));
	s->oci_version = xstrdup(HULL_SPEC_OCI_VERSION);
	return s;
}

struct hull_process *hull_spec_process(struct hull_spec *s)
{
	if (!s->process) {
		s->process = xzalloc(sizeof(*s->process));
		s->process->args = xzalloc(sizeof(char *));
		s->process->cwd = xstrdup("/");
	}
	return s->process;
}

struct hull_linux *hull_spec_linux(struct hull_spec *s)
{
	if (!s->linux_)
		s->linux_ = xzalloc(sizeof(*s->linux_));
	return s->linux_;
}

int hull_spec_add_mount(struct hull_spec *s, const char *destination, const char *type,
			const char *source, char *const *options, struct hull_err *err)
{
	struct hull_mount *m;

	/* the arrays the reader makes end with a zeroed entry: keep that */
	s->mounts = xrealloc(s->mounts, (s->n_mounts + 2) * sizeof(*s->mounts));
	memset(&s->mounts[s->n_mounts], 0, 2 * sizeof(*s->mounts));
	m = &s->mounts[s->n_mounts++];
	m->destination = xstrdup(destination);
	m->type = type ? xstrdup(type) : NULL;
	m->source = source ? xstrdup(source) : NULL;
	return hull_mount_set_options(m, options, err);
}

int hull_mount_set_options(struct hull_mount *m, char *const *options, struct hull_err *err)
{
	hull_strv_free(m->options);
	m->options = options ? hull_strv_dup(options) : NULL;
	return hull_mount_parse_options(m, err);
}

struct hull_mount *hull_spec_find_mount(struct hull_spec *s, const char *destination)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, destination))
			return &s->mounts[i];
	return NULL;
}

void hull_spec_set_annotation(struct hull_spec *s, const char *key, const char *value)
{
	for (size_t i = 0; i < s->n_annotations; i++)
		if (!strcmp(s->annotations[i].key, key)) {
			free(s->annotations[i].value);
			s->annotations[i].value = xstrdup(value);
			return;
		}
	s->annotations = xrealloc(s->annotations, (s->n_annotations + 2) * sizeof(*s->annotations));
	s->annotations[s->n_annotations].key = xstrdup(key);
	s->annotations[s->n_annotations++].value = xstrdup(value);
	s->annotations[s->n_annotations] = (struct hull_kv){0};
}

void hull_spec_set_namespace(struct hull_spec *s, int type, const char *path)
{
	struct hull_linux *lx = hull_spec_linux(s);
	struct hull_namespace *ns = NULL;

	for (size_t i = 0; i < lx->n_namespaces; i++)
		if (lx->namespaces[i].type == type)
			ns = &lx->namespaces[i];
	if (!ns) {
		lx->namespaces =
			xrealloc(lx->namespaces, (lx->n_namespaces + 2) * sizeof(*lx->namespaces));
		memset(&lx->namespaces[lx->n_namespaces], 0, 2 * sizeof(*lx->namespaces));
		ns = &lx->namespaces[lx->n_namespaces++];
		ns->type = type;
	}
	free(ns->path);
	ns->path = path ? xstrdup(path) : NULL;
}

void hull_spec_remove_namespace(struct hull_spec *s, int type)
{
	struct hull_linux *lx = s->linux_;
	for (size_t i = 0; lx && i < lx->n_namespaces; i++)
		if (lx->namespaces[i].type == type) {
			free(lx->namespaces[i].path);
			memmove(&lx->namespaces[i], &lx->namespaces[i + 1],
				(lx->n_namespaces - i) * sizeof(*lx->namespaces));
			lx->n_namespaces--;
			return;
		}
}

void hull_spec_set_section(struct hull_spec *s, yajl_val *slot, yajl_val tree)
{
	for (size_t i = 0; *slot && i < s->n_owned; i++)
		if (s->owned[i] == *slot) {
			yajl_tree_free(s->owned[i]);
			s->owned[i] = s->owned[--s->n_owned];
			break;
		}
	*slot = tree;
	if (!tree)
		return;
	s->owned = xrealloc(s->owned, (s->n_owned + 1) * sizeof(*s->owned));
	s->owned[s->n_owned++] = tree;
}

yajl_val hull_spec_resources(struct hull_spec *s)
{
	struct hull_linux *lx = hull_spec_linux(s);
	if (!lx->resources)
		hull_spec_set_section(s, &lx->resources, hull_tree_object());
	return lx->resources;
}

static yajl_val node(yajl_type type)
{
	yajl_val v = xzalloc(sizeof(*v));
	v->type = type;
	return v;
}

yajl_val hull_tree_object(void)
{
	return node(yajl_t_object);
}

yajl_val hull_tree_array(void)
{
	return node(yajl_t_array);
}

yajl_val hull_tree_string(const char *s)
{
	yajl_val v = node(yajl_t_string);
	v->u.string = xstrdup(s);
	return v;
}

yajl_val hull_tree_int(long long i)
{
	yajl_val v = node(yajl_t_number);
	v->u.number.i = i;
	v->u.number.d = (double)i;
	v->u.number.r = hull_strfmt("%lld", i);
	v->u.number.flags = YAJL_NUMBER_INT_VALID | YAJL_NUMBER_DOUBLE_VALID;
	return v;
}

yajl_val hull_tree_bool(bool b)
{
	return node(b ? yajl_t_true : yajl_t_false);
}

void hull_tree_put(yajl_val obj, const char *key, yajl_val v)
{
	size_t n = obj->u.object.len;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(obj->u.object.keys[i], key)) {
			yajl_tree_free(obj->u.object.values[i]);
			obj->u.object.values[i] = v;
			return;
		}
	obj->u.object.keys = xrealloc(obj->u.object.keys, (n + 1) * sizeof(char *));
	obj->u.object.values = xrealloc(obj->u.object.values, (n + 1) * sizeof(yajl_val));
	obj->u.object.keys[n] = xstrdup(key);
	obj->u.object.values[n] = v;
	obj->u.object.len = n + 1;
}

void hull_tree_append(yajl_val arr, yajl_val v)
{
	size_t n = arr->u.array.len;
	arr->u.array.values = xrealloc(arr->u.array.values, (n + 1) * sizeof(yajl_val));
	arr->u.array.values[n] = v;
	arr->u.array.len = n + 1;
}

yajl_val hull_tree_parse(const char *json, const char *what, struct hull_err *err)
{
	char ebuf[256] = "";
	yajl_val v = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	char *nl;

	if (v)
		return v;
	/* yajl's message spans several lines with a context excerpt: keep the first */
	while ((nl = strchr(ebuf, '\n')))
		*nl = ' ';
	hull_error(err, EINVAL, "%s: invalid JSON: %s", what, ebuf);
	return NULL;
}
