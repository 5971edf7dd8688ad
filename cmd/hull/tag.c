/* SPDX-License-Identifier: Apache-2.0 */
/* hull tag and hull history. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/inspect.h"
#include "cmd/hull/listing.h"
#include "image/history.h"
#include "image/index.h"
#include "lib/json.h"
#include "lib/util.h"

int cmd_tag(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_store s = {0};
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: hull tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
		       "Give an image another name (taken from any image that had it).\n");
		return 0;
	}
	if (argc != 3)
		return usage_error(err, "tag", "requires SOURCE_IMAGE and TARGET_IMAGE");
	if (hull_store_open(&s, g->root, false, err) < 0)
		return -1;
	rc = hull_index_tag(&s, argv[1], argv[2], err);
	hull_store_close(&s);
	return rc;
}

static const char history_headers[] =
	"{\"ID\":\"IMAGE\",\"CreatedSince\":\"CREATED\",\"CreatedAt\":\"CREATED AT\","
	"\"CreatedBy\":\"CREATED BY\",\"Size\":\"SIZE\",\"Comment\":\"COMMENT\"}";
static const char history_table[] =
	"table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}";

static char *row_json(const struct hull_history_entry *e, const char *id, bool notrunc, bool human)
{
	char since[64] = "N/A", size[32];
	cleanup_free char *by = xstrdup(e->created_by);
	yajl_gen g = yajl_gen_alloc(NULL);

	if (e->created && human)
		human_since(e->created, since, sizeof(since));
	else if (e->created)
		snprintf(since, sizeof(since), "%s", e->created);
	if (human)
		human_size(e->size, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "%llu", (unsigned long long)e->size);
	/* docker shortens the step to 45 characters with an ellipsis */
	if (!notrunc && strlen(by) > 45)
		strcpy(by + 44, "…");
	yajl_gen_map_open(g);
	hull_gen_str(g, "ID"), hull_gen_str(g, id);
	hull_gen_str(g, "CreatedSince"), hull_gen_str(g, since);
	hull_gen_str(g, "CreatedAt"), hull_gen_str(g, e->created ? e->created : "");
	hull_gen_str(g, "CreatedBy"), hull_gen_str(g, by);
	hull_gen_str(g, "Size"), hull_gen_str(g, size);
	hull_gen_str(g, "Comment"), hull_gen_str(g, e->comment ? e->comment : "");
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

int cmd_history(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		HULL_LIST_OPT_NOTRUNC,
		HULL_LIST_OPT_FORMAT,
		HULL_LIST_OPT_QUIET,
		{"human", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_listing l = {.headers_json = history_headers, .default_table = history_table};
	struct hull_store s = {0};
	struct hull_index idx = {0};
	struct hull_history_entry *v = NULL;
	struct hull_list_flags lf = {0};
	bool human = true, store_open = false, loaded = false;
	struct hull_image *img;
	size_t n = 0;
	int c, rc = -1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "qH:h", opts, NULL)) != -1) {
		int taken = hull_list_flag(&lf, c, optarg, err);
		if (taken < 0)
			return -1;
		if (taken)
			continue;
		switch (c) {
		case 'H':
			human = strcmp(optarg, "false") != 0;
			break;
		case 'h':
			printf("Usage: hull history [OPTIONS] IMAGE\n\n"
			       "The steps that made an image, newest first.\n\n"
			       "Options:\n"
			       "      --format FORMAT  table, table TEMPLATE, json or a Go "
			       "template\n"
			       "  -H, --human BOOL     sizes and dates for people (default true)\n"
			       "      --no-trunc       the whole step and layer digest\n"
			       "  -q, --quiet          only the layers' digests\n");
			return 0;
		default:
			return usage_error(err, "history", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error(err, "history", "requires exactly one IMAGE");
	if (hull_store_open(&s, g->root, false, err) < 0)
		return -1;
	store_open = true;
	if (hull_index_load(&s, &idx, err) < 0)
		goto out;
	loaded = true;
	hull_err_clear(err);
	img = hull_index_find(&idx, argv[optind], err);
	if (!img) {
		if (!err->msg[0])
			hull_error(err, ENOENT, "No such image: %s", argv[optind]);
		goto out;
	}
	if (hull_image_history(&s, img, &v, &n, err) < 0)
		goto out;
	if (!lf.quiet && hull_listing_begin(&l, lf.format, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		/* the newest entry is the image; the layers below it have no image of their own */
		char id[80];
		cleanup_free char *row = NULL;
		if (i == 0)
			snprintf(id, sizeof(id), "%.*s", lf.notrunc ? 71 : 12,
				 lf.notrunc ? img->config : img->config + 7);
		else
			snprintf(id, sizeof(id), "<missing>");
		if (lf.quiet) {
			printf("%s\n", id);
			continue;
		}
		row = row_json(&v[i], id, lf.notrunc, human);
		if (hull_listing_row(&l, row, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (!lf.quiet)
		hull_listing_end(&l);
	hull_history_free(v, n);
	if (loaded)
		hull_index_free(&idx);
	if (store_open)
		hull_store_close(&s);
	return rc;
}
