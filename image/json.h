/* yajl helpers shared by image/: re-emitting a parsed tree, string shorthands. */
#ifndef HULL_IMAGE_JSON_H
#define HULL_IMAGE_JSON_H

#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define JS(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

/* Write v (any JSON value) to g. */
void hull_json_emit(yajl_gen g, yajl_val v);

static inline const char *hull_json_str(yajl_val v)
{
	return v && YAJL_IS_STRING(v) ? v->u.string : NULL;
}

#endif
