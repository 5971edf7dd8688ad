/* yajl helpers shared by image/: re-emitting a parsed tree, string shorthands. */
#ifndef HULL_IMAGE_JSON_H
#define HULL_IMAGE_JSON_H

#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define JS(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

#include "runtime/spec_json.h"

/* Write v (any JSON value, NULL as null) to g. */
static inline void hull_json_emit(yajl_gen g, yajl_val v)
{
	sj_gen(g, v);
}

static inline const char *hull_json_str(yajl_val v)
{
	return v && YAJL_IS_STRING(v) ? v->u.string : NULL;
}

#endif
