#include "json.h"

void hull_json_emit(yajl_gen g, yajl_val v)
{
	size_t i;

	if (!v || YAJL_IS_NULL(v)) {
		yajl_gen_null(g);
	} else if (YAJL_IS_STRING(v)) {
		JS(g, v->u.string);
	} else if (YAJL_IS_NUMBER(v)) {
		/* the text as it was: large and fractional numbers survive unchanged */
		yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	} else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		yajl_gen_bool(g, YAJL_IS_TRUE(v));
	} else if (YAJL_IS_OBJECT(v)) {
		yajl_gen_map_open(g);
		for (i = 0; i < v->u.object.len; i++) {
			JS(g, v->u.object.keys[i]);
			hull_json_emit(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	} else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (i = 0; i < v->u.array.len; i++)
			hull_json_emit(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
	}
}
