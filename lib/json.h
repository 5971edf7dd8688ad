/* SPDX-License-Identifier: Apache-2.0 */
/* Typed access to a yajl tree with errors that name the field ("process.args[2]"). */
#ifndef HULL_JSON_H
#define HULL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "lib/err.h"

/* A string-to-string map entry (annotations, sysctl, cgroup unified). */
struct hull_kv {
	char *key;
	char *value;
};
/* Free n pairs and the array that holds them (NULL is nothing). */
void hull_kv_free(struct hull_kv *kv, size_t n);

yajl_val sj_get(yajl_val obj, const char *key);
/* Each returns 0 when the key is absent (out untouched), 1 when set, -1 on a type error. */
int sj_string(yajl_val obj, const char *key, const char *path, char **out, struct hull_err *err);
int sj_bool(yajl_val obj, const char *key, const char *path, bool *out, struct hull_err *err);
int sj_int(yajl_val obj, const char *key, const char *path, int64_t min, int64_t max, int64_t *out,
	   struct hull_err *err);
int sj_u64(yajl_val obj, const char *key, const char *path, uint64_t *out, struct hull_err *err);
int sj_strv(yajl_val obj, const char *key, const char *path, char ***out, struct hull_err *err);
int sj_object(yajl_val obj, const char *key, const char *path, yajl_val *out, struct hull_err *err);
int sj_array(yajl_val obj, const char *key, const char *path, yajl_val *out, struct hull_err *err);
/* a string-to-string map */
int sj_kv(yajl_val obj, const char *key, const char *path, struct hull_kv **out, size_t *n,
	  struct hull_err *err);

/* An owned parsed tree, an owned generator. */
static inline void hull_yajl_val_freep(yajl_val *v)
{
	yajl_tree_free(*v);
}
static inline void hull_yajl_gen_freep(yajl_gen *g)
{
	if (*g)
		yajl_gen_free(*g);
}
#define cleanup_yajl_val __attribute__((cleanup(hull_yajl_val_freep)))
#define cleanup_yajl_gen __attribute__((cleanup(hull_yajl_gen_freep)))

/* A string, written with yajl (s must not be NULL). */
static inline yajl_gen_status hull_gen_str(yajl_gen g, const char *s)
{
	return yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* v's string, or NULL when v is not a string. */
static inline const char *hull_json_str(yajl_val v)
{
	return v && YAJL_IS_STRING(v) ? v->u.string : NULL;
}

/* What g generated, as a malloc'd string; frees g. */
char *hull_gen_text(yajl_gen g);

/* Write a tree back out as JSON (numbers as the document wrote them; NULL as null). */
void sj_gen(yajl_gen g, yajl_val v);

/* One member of the object being generated. A NULL string, list or tree writes nothing (the
 * member is absent), while an empty list stays an empty array. */
void hull_gen_key_str(yajl_gen g, const char *key, const char *v);
void hull_gen_key_strv(yajl_gen g, const char *key, char *const *v);
void hull_gen_key_tree(yajl_gen g, const char *key, yajl_val v);
void hull_gen_key_int(yajl_gen g, const char *key, long long v);
void hull_gen_key_bool(yajl_gen g, const char *key, bool v);

#endif
