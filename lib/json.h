/* Typed access to a yajl tree with errors that name the field ("process.args[2]"). */
#ifndef HULL_SPEC_JSON_H
#define HULL_SPEC_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "err.h"
#include "spec.h"

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

/* Write a tree back out as JSON (numbers as the document wrote them; NULL as null). */
void sj_gen(yajl_gen g, yajl_val v);

/* spec_linux.c */
int hull_spec_parse_linux(yajl_val j, struct hull_linux *lx, struct hull_err *err);
void hull_spec_free_linux(struct hull_linux *lx);
/* spec_process.c */
int hull_spec_parse_process(yajl_val j, struct hull_process *p, struct hull_err *err);
void hull_spec_free_process(struct hull_process *p);

#endif
