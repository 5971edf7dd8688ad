/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/json.h"

#include <errno.h>
#include <string.h>

#include "lib/util.h"

yajl_val sj_get(yajl_val obj, const char *key)
{
	size_t i;
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key))
			return obj->u.object.values[i];
	return NULL;
}

static int type_error(const char *path, const char *key, const char *what, struct hull_err *err)
{
	return hull_error(err, EINVAL, "config.json: `%s%s%s` must be %s", path, *path ? "." : "",
			  key, what);
}

int sj_string(yajl_val obj, const char *key, const char *path, char **out, struct hull_err *err)
{
	yajl_val v = sj_get(obj, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_STRING(v))
		return type_error(path, key, "a string", err);
	free(*out);
	*out = xstrdup(YAJL_GET_STRING(v));
	return 1;
}

int sj_bool(yajl_val obj, const char *key, const char *path, bool *out, struct hull_err *err)
{
	yajl_val v = sj_get(obj, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return type_error(path, key, "true or false", err);
	*out = YAJL_IS_TRUE(v);
	return 1;
}

int sj_int(yajl_val obj, const char *key, const char *path, int64_t min, int64_t max, int64_t *out,
	   struct hull_err *err)
{
	yajl_val v = sj_get(obj, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_INTEGER(v))
		return type_error(path, key, "an integer", err);
	if (YAJL_GET_INTEGER(v) < min || YAJL_GET_INTEGER(v) > max)
		return hull_error(err, ERANGE, "config.json: `%s%s%s` is out of range (%lld)", path,
				  *path ? "." : "", key, (long long)YAJL_GET_INTEGER(v));
	*out = YAJL_GET_INTEGER(v);
	return 1;
}

/* rlimits may exceed INT64_MAX (RLIM_INFINITY): yajl then keeps only the text. */
int sj_u64(yajl_val obj, const char *key, const char *path, uint64_t *out, struct hull_err *err)
{
	yajl_val v = sj_get(obj, key);
	char *end;
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_NUMBER(v) || !v->u.number.r || v->u.number.r[0] == '-' ||
	    strpbrk(v->u.number.r, ".eE"))
		return type_error(path, key, "a non-negative integer", err);
	errno = 0;
	*out = strtoull(v->u.number.r, &end, 10);
	if (errno || *end)
		return type_error(path, key, "a 64-bit unsigned integer", err);
	return 1;
}

int sj_strv(yajl_val obj, const char *key, const char *path, char ***out, struct hull_err *err)
{
	yajl_val v = sj_get(obj, key);
	size_t i, n;
	char **r;
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return type_error(path, key, "an array of strings", err);
	n = v->u.array.len;
	for (i = 0; i < n; i++)
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			return type_error(path, key, "an array of strings", err);
	r = xzalloc((n + 1) * sizeof(char *));
	for (i = 0; i < n; i++)
		r[i] = xstrdup(YAJL_GET_STRING(v->u.array.values[i]));
	hull_strv_free(*out);
	*out = r;
	return 1;
}

int sj_object(yajl_val obj, const char *key, const char *path, yajl_val *out, struct hull_err *err)
{
	yajl_val v = sj_get(obj, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return type_error(path, key, "an object", err);
	*out = v;
	return 1;
}

int sj_array(yajl_val obj, const char *key, const char *path, yajl_val *out, struct hull_err *err)
{
	yajl_val v = sj_get(obj, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return type_error(path, key, "an array", err);
	*out = v;
	return 1;
}

int sj_kv(yajl_val obj, const char *key, const char *path, struct hull_kv **out, size_t *n,
	  struct hull_err *err)
{
	yajl_val v = NULL;
	size_t i;
	int r = sj_object(obj, key, path, &v, err);
	if (r <= 0)
		return r;
	for (i = 0; i < v->u.object.len; i++)
		if (!YAJL_IS_STRING(v->u.object.values[i]))
			return hull_error(err, EINVAL, "config.json: `%s%s%s.%s` must be a string",
					  path, *path ? "." : "", key, v->u.object.keys[i]);
	*out = xzalloc((v->u.object.len + 1) * sizeof(**out));
	for (i = 0; i < v->u.object.len; i++) {
		(*out)[i].key = xstrdup(v->u.object.keys[i]);
		(*out)[i].value = xstrdup(YAJL_GET_STRING(v->u.object.values[i]));
	}
	*n = v->u.object.len;
	return 1;
}

void sj_gen(yajl_gen g, yajl_val v)
{
	size_t i;

	if (YAJL_IS_OBJECT(v)) {
		yajl_gen_map_open(g);
		for (i = 0; i < v->u.object.len; i++) {
			const char *k = v->u.object.keys[i];
			yajl_gen_string(g, (const unsigned char *)k, strlen(k));
			sj_gen(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	} else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (i = 0; i < v->u.array.len; i++)
			sj_gen(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
	} else if (YAJL_IS_STRING(v)) {
		yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string));
	} else if (YAJL_IS_NUMBER(v)) {
		/* the number as the document wrote it: 1 and 1.0 may mean different things */
		yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	} else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		yajl_gen_bool(g, YAJL_IS_TRUE(v));
	} else {
		yajl_gen_null(g);
	}
}

char *hull_gen_text(yajl_gen g)
{
	const unsigned char *buf = NULL;
	size_t len = 0;
	char *out;

	yajl_gen_get_buf(g, &buf, &len);
	out = xmalloc(len + 1);
	if (len)
		memcpy(out, buf, len);
	out[len] = '\0';
	yajl_gen_free(g);
	return out;
}

void hull_gen_key_str(yajl_gen g, const char *key, const char *v)
{
	if (!v)
		return;
	hull_gen_str(g, key);
	hull_gen_str(g, v);
}

void hull_gen_key_strv(yajl_gen g, const char *key, char *const *v)
{
	if (!v)
		return;
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	for (; *v; v++)
		hull_gen_str(g, *v);
	yajl_gen_array_close(g);
}

void hull_gen_key_tree(yajl_gen g, const char *key, yajl_val v)
{
	if (!v)
		return;
	hull_gen_str(g, key);
	sj_gen(g, v);
}

void hull_gen_key_int(yajl_gen g, const char *key, long long v)
{
	hull_gen_str(g, key);
	yajl_gen_integer(g, v);
}

void hull_gen_key_bool(yajl_gen g, const char *key, bool v)
{
	hull_gen_str(g, key);
	yajl_gen_bool(g, v);
}

void hull_kv_free(struct hull_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}
