/* SPDX-License-Identifier: Apache-2.0 */
/* docker's listing output: a table whose columns fit their widest cell, a JSON object per line,
 * or a template rendered per row. */
#include "cmd/hull/listing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "lib/json.h"
#include "lib/util.h"

#define TAB_MIN_WIDTH 10
#define TAB_PADDING   3

int hull_listing_begin(struct hull_listing *l, const char *format, struct hull_err *err)
{
	const char *text = format;
	cleanup_free char *header = NULL;
	cleanup_yajl_val yajl_val h = NULL;

	l->lines = NULL;
	l->n = 0;
	l->table = !format || hull_format_is_table(format, &text);
	l->json = format && hull_format_is_json(format);
	if (l->json)
		return 0;
	if (!format || !text)
		text = l->default_table + strlen("table ");
	if (hull_tmpl_parse(text, &l->tmpl, err) < 0)
		return hull_error_wrap(err, "--format");
	if (!l->table)
		return 0;
	h = yajl_tree_parse(l->headers_json, NULL, 0);
	if (hull_tmpl_render(l->tmpl, h, &header, err) < 0)
		return hull_error_wrap(err, "--format");
	hull_strv_push(&l->lines, header);
	l->n = 1;
	return 0;
}

int hull_listing_row(struct hull_listing *l, const char *row_json, struct hull_err *err)
{
	cleanup_free char *out = NULL;
	cleanup_yajl_val yajl_val v = NULL;

	if (l->json) {
		printf("%s\n", row_json);
		return 0;
	}
	v = yajl_tree_parse(row_json, NULL, 0);
	if (hull_tmpl_render(l->tmpl, v, &out, err) < 0)
		return hull_error_wrap(err, "--format");
	if (l->table) {
		hull_strv_push(&l->lines, out);
		l->n++;
	} else {
		printf("%s\n", out);
	}
	return 0;
}

/* characters, not bytes: "…" is one column */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

void hull_print_columns(char **lines, size_t n)
{
	size_t *w = NULL, cols = 0;

	for (size_t i = 0; i < n; i++) {
		size_t c = 0;
		for (const char *s = lines[i], *tab; (tab = strchr(s, '\t')); s = tab + 1, c++) {
			size_t cw = width(s, (size_t)(tab - s)) + TAB_PADDING;
			if (c >= cols) {
				w = xrealloc(w, (c + 1) * sizeof(*w));
				w[c] = TAB_MIN_WIDTH;
				cols = c + 1;
			}
			if (cw > w[c])
				w[c] = cw;
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;
		const char *s = lines[i], *tab;
		for (; (tab = strchr(s, '\t')); s = tab + 1, c++)
			printf("%.*s%*s", (int)(tab - s), s,
			       (int)(w[c] - width(s, (size_t)(tab - s))), "");
		printf("%s\n", s);
	}
	free(w);
}

void hull_listing_end(struct hull_listing *l)
{
	if (l->table)
		hull_print_columns(l->lines, l->n);
	hull_strv_free(l->lines);
	hull_tmpl_free(l->tmpl);
	l->lines = NULL;
	l->tmpl = NULL;
	l->n = 0;
}

int hull_list_flag(struct hull_list_flags *f, int c, const char *arg, struct hull_err *err)
{
	switch (c) {
	case 'q':
		f->quiet = true;
		return 1;
	case HULL_LIST_NOTRUNC:
		f->notrunc = true;
		return 1;
	case HULL_LIST_FORMAT:
		f->format = arg;
		return 1;
	case 'f':
		return hull_filter_add(&f->filters, arg, f->filter_keys, err) < 0 ? -1 : 1;
	}
	return 0;
}
