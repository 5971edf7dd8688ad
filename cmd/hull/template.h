/* SPDX-License-Identifier: Apache-2.0 */
/* --format templates as docker users write them: the part of Go's text/template that docker's
 * documentation and scripts use, rendered over a JSON value (a `ps` row, an inspect object). */
#ifndef HULL_CMD_TEMPLATE_H
#define HULL_CMD_TEMPLATE_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "lib/err.h"

struct hull_tmpl;

/* Parse text: literal text with actions in {{ }}: `.Field.Sub` (`.` is the value itself),
 * "strings" and numbers, the functions json, index, join, upper, lower, title, len, eq, ne,
 * not, and, or, printf (%s %d %v %q), a `|` pipeline (the left value becomes the last
 * argument), `if`/`else`/`end`, `range`/`else`/`end` (over arrays and objects) and `with`;
 * `{{-` and `-}}` trim white space.  `\t` and `\n` written as two characters become a tab and
 * a newline, as docker's formatter does.  Errors name the position. */
int hull_tmpl_parse(const char *text, struct hull_tmpl **out, struct hull_err *err);

/* Render t with v as `.`: a malloc'd string in *out.  A field that is not there prints
 * "<no value>", as Go's templates print a missing map key. */
int hull_tmpl_render(const struct hull_tmpl *t, yajl_val v, char **out, struct hull_err *err);

void hull_tmpl_free(struct hull_tmpl *t);

/* docker's --format words: "table" alone or "table TEMPLATE" (a table with a header row), and
 * "json" (one JSON object per line).  *tmpl points into format after "table ". */
bool hull_format_is_table(const char *format, const char **tmpl);
bool hull_format_is_json(const char *format);

#endif
