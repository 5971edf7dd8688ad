/* SPDX-License-Identifier: Apache-2.0 */
/* Listings (ps, images) printed as docker prints them: a table, `--format json` (one object per
 * line) or any --format template, from rows given as JSON objects. */
#ifndef HULL_CMD_LISTING_H
#define HULL_CMD_LISTING_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/hull/filter.h"
#include "cmd/hull/template.h"
#include "lib/err.h"

/* The flags listings share, for a command's getopt table (each lists the ones it has):
 * -q/--quiet, --no-trunc, --format, -f/--filter. */
enum { HULL_LIST_NOTRUNC = 0x4000, HULL_LIST_FORMAT };
#define HULL_LIST_OPT_QUIET                                                                        \
	{                                                                                          \
		"quiet", no_argument, NULL, 'q'                                                    \
	}
#define HULL_LIST_OPT_NOTRUNC                                                                      \
	{                                                                                          \
		"no-trunc", no_argument, NULL, HULL_LIST_NOTRUNC                                   \
	}
#define HULL_LIST_OPT_FORMAT                                                                       \
	{                                                                                          \
		"format", required_argument, NULL, HULL_LIST_FORMAT                                \
	}
#define HULL_LIST_OPT_FILTER                                                                       \
	{                                                                                          \
		"filter", required_argument, NULL, 'f'                                             \
	}

struct hull_list_flags {
	bool quiet, notrunc;
	const char *format;
	struct hull_filters filters;
	const char *const *filter_keys; /* what --filter takes (set by the command) */
};

/* Takes getopt's c (with its argument) when it is one of the shared flags: 1 when taken, 0 when
 * it is not one of them, -1 for a filter that is not one of filter_keys. */
int hull_list_flag(struct hull_list_flags *f, int c, const char *arg, struct hull_err *err);

struct hull_listing {
	/* set by the command */
	const char *headers_json;  /* {"ID": "CONTAINER ID", ...}: the header row's values */
	const char *default_table; /* the template of a plain `table` */
	/* private */
	struct hull_tmpl *tmpl;
	bool table, json;
	char **lines;
	size_t n;
};

/* format: NULL (the default table), "table", "table TEMPLATE", "json" or a template. */
int hull_listing_begin(struct hull_listing *l, const char *format, struct hull_err *err);
/* One row: an object whose fields the templates name. */
int hull_listing_row(struct hull_listing *l, const char *row_json, struct hull_err *err);
/* Prints a table's aligned lines (rows were printed as they came otherwise), frees l. */
void hull_listing_end(struct hull_listing *l);

/* Aligns cells separated by tabs as Go's tabwriter does for docker (minimum width 10,
 * padding 3; the last cell of a line is not padded), and prints the lines. */
void hull_print_columns(char **lines, size_t n);

#endif
