/* SPDX-License-Identifier: Apache-2.0 */
/* hull images, rmi, image inspect, and the `hull image` group. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/filter.h"
#include "cmd/hull/inspect.h"
#include "cmd/hull/listing.h"
#include "image/gc.h"
#include "image/index.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "lib/json.h"
#include "lib/util.h"

/* A row of `images` with docker's fields (all strings, as its `--format json` has them). */
static char *row_json(const struct hull_image *img, const char *name, bool notrunc)
{
	cleanup_free char *repo = NULL, *tag = NULL;
	char id[72], since[64], size[32], created_at[64] = "";
	struct tm tm = {0};
	yajl_gen g = yajl_gen_alloc(NULL);
	static const char *const na[] = {"Containers", "SharedSize", "UniqueSize"};

	if (name) {
		hull_ref_split(name, &repo, &tag);
	} else {
		repo = xstrdup("<none>");
		tag = xstrdup("<none>");
	}
	snprintf(id, sizeof(id), "%s", notrunc ? img->config : img->config + 7);
	if (!notrunc)
		id[12] = '\0';
	human_since(img->created, since, sizeof(since));
	human_size(img->size, size, sizeof(size));
	if (img->created && strptime(img->created, "%Y-%m-%dT%H:%M:%S", &tm))
		strftime(created_at, sizeof(created_at), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
	yajl_gen_map_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(na); i++)
		hull_gen_str(g, na[i]), hull_gen_str(g, "N/A");
	hull_gen_str(g, "CreatedAt"), hull_gen_str(g, created_at);
	hull_gen_str(g, "CreatedSince"), hull_gen_str(g, since);
	hull_gen_str(g, "Digest"), hull_gen_str(g, img->manifest);
	hull_gen_str(g, "ID"), hull_gen_str(g, id);
	hull_gen_str(g, "Repository"), hull_gen_str(g, repo);
	hull_gen_str(g, "Size"), hull_gen_str(g, size);
	hull_gen_str(g, "Tag"), hull_gen_str(g, tag);
	hull_gen_str(g, "VirtualSize"), hull_gen_str(g, size);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

static const char images_headers[] =
	"{\"Containers\":\"CONTAINERS\",\"CreatedAt\":\"CREATED AT\",\"CreatedSince\":\"CREATED\","
	"\"Digest\":\"DIGEST\",\"ID\":\"IMAGE ID\",\"Repository\":\"REPOSITORY\","
	"\"SharedSize\":\"SHARED SIZE\",\"Size\":\"SIZE\",\"Tag\":\"TAG\","
	"\"UniqueSize\":\"UNIQUE SIZE\",\"VirtualSize\":\"VIRTUAL SIZE\"}";
static const char images_table[] =
	"table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}";
static const char *const images_filter_keys[] = {"dangling", "reference", "before", "since", NULL};

/* REPOSITORY[:TAG] as the argument gives it: the repository, and the tag when one is given */
static bool matches(const char *filter, const char *name)
{
	cleanup_free char *repo = NULL, *tag = NULL, *frepo = NULL, *ftag = NULL, *norm = NULL;
	if (!filter)
		return true;
	if (!name)
		return false;
	hull_ref_split(name, &repo, &tag);
	if (strchr(filter, ':')) {
		if (hull_ref_normalize(filter, &norm, NULL) < 0)
			return false;
		return !strcmp(norm, name);
	}
	if (hull_ref_normalize(filter, &norm, NULL) < 0)
		return false;
	hull_ref_split(norm, &frepo, &ftag);
	return !strcmp(frepo, repo);
}

struct image_match {
	const struct hull_index *idx;
	size_t index; /* oldest first, as the index keeps them */
	const char *name;
};

static bool image_match(const char *key, const char *value, void *ctx)
{
	const struct image_match *m = ctx;
	if (!strcmp(key, "dangling"))
		return !strcmp(value, m->name ? "false" : "true");
	if (!strcmp(key, "reference")) {
		cleanup_free char *repo = NULL, *tag = NULL;
		if (!m->name)
			return false;
		hull_ref_split(m->name, &repo, &tag);
		return fnmatch(value, m->name, 0) == 0 || fnmatch(value, repo, 0) == 0;
	}
	/* before, since: an image by name or id */
	for (size_t i = 0; i < m->idx->n; i++) {
		struct hull_err e = {0};
		if (hull_index_find((struct hull_index *)m->idx, value, &e) != &m->idx->v[i])
			continue;
		return key[0] == 'b' ? m->index < i : m->index > i;
	}
	return false;
}

int cmd_images(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		HULL_LIST_OPT_QUIET,
		HULL_LIST_OPT_NOTRUNC,
		HULL_LIST_OPT_FORMAT,
		HULL_LIST_OPT_FILTER,
		{"digests", no_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_listing l = {.headers_json = images_headers, .default_table = images_table};
	struct hull_list_flags lf = {.filter_keys = images_filter_keys};
	bool index_loaded = false;
	const char *filter = NULL;
	char **shown = NULL;
	struct hull_index idx;
	int c, rc = -1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+aqf:h", opts, NULL)) != -1) {
		int taken = hull_list_flag(&lf, c, optarg, err);
		if (taken < 0)
			goto out;
		if (taken)
			continue;
		switch (c) {
		case 'a':
		case 'D':
			break;
		case 'h':
			print_usage("images");
			rc = 0;
			goto out;
		default:
			usage_error(err, "images", "unknown option `%s`", argv[optind - 1]);
			goto out;
		}
	}
	if (argc - optind > 1) {
		usage_error(err, "images", "at most one REPOSITORY[:TAG]");
		goto out;
	}
	filter = optind < argc ? argv[optind] : NULL;
	{
		struct hull_store s = {.dir = hull_strfmt("%s/images", g->root)};
		int r = hull_index_load(&s, &idx, err);
		free(s.dir);
		if (r < 0)
			goto out;
		index_loaded = true;
	}
	if (!lf.quiet && hull_listing_begin(&l, lf.format, err) < 0)
		goto out;
	/* newest first, as docker lists them */
	for (size_t i = idx.n; i-- > 0;) {
		struct hull_image *img = &idx.v[i];
		size_t names = hull_strv_len(img->names);
		for (size_t k = 0; k < (names ? names : 1); k++) {
			const char *name = names ? img->names[k] : NULL;
			struct image_match m = {&idx, i, name};
			cleanup_free char *row = NULL;
			if (!matches(filter, name) ||
			    !hull_filter_match(&lf.filters, image_match, &m))
				continue;
			if (lf.quiet) {
				/* an image with several names is one id */
				bool seen = false;
				for (char **p = shown; p && *p && !seen; p++)
					seen = !strcmp(*p, img->config);
				if (!seen)
					printf("%.*s\n", lf.notrunc ? 71 : 12,
					       lf.notrunc ? img->config : img->config + 7);
				hull_strv_push(&shown, img->config);
				continue;
			}
			row = row_json(img, name, lf.notrunc);
			if (hull_listing_row(&l, row, err) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	if (!lf.quiet)
		hull_listing_end(&l);
	if (index_loaded)
		hull_index_free(&idx);
	hull_strv_free(shown);
	hull_filters_free(&lf.filters);
	return rc;
}

int cmd_rmi(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"no-prune", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_store s;
	bool force = false;
	int c, i, failed = 0;

	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'P':
			break;
		case 'h':
			print_usage("rmi");
			return 0;
		default:
			return usage_error(err, "rmi", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "rmi", "requires at least one IMAGE");
	if (hull_store_open(&s, g->root, true, err) < 0)
		return -1;
	/* like docker: every image is tried, each failure reported, the status says if any */
	for (i = optind; i < argc; i++) {
		char **untagged = NULL, **deleted = NULL, **p;
		struct hull_err e = {0};
		if (hull_image_remove(&s, argv[i], force, &untagged, &deleted, &e) < 0) {
			fprintf(stderr, "hull: rmi `%s`: %s\n", argv[i], e.msg);
			failed = 1;
		}
		for (p = untagged; p && *p; p++)
			printf("Untagged: %s\n", *p);
		for (p = deleted; p && *p; p++)
			printf("Deleted: %s\n", *p);
		hull_strv_free(untagged);
		hull_strv_free(deleted);
	}
	hull_store_close(&s);
	return failed ? HULL_EXIT_ERROR : 0;
}

static void inspect_one(yajl_gen gen, const struct hull_store *s, const struct hull_index *idx,
			const struct hull_image *img, yajl_val cfg)
{
	static const char *const copied[] = {"Architecture", "Os", "Author", "Variant"};
	static const char *const keys[] = {"architecture", "os", "author", "variant"};
	cleanup_free char *lower = xstrdup("");
	size_t i, n = hull_strv_len(img->layers);
	yajl_val rootfs = sj_get(cfg, "rootfs");

	yajl_gen_map_open(gen);
	hull_gen_str(gen, "Id");
	hull_gen_str(gen, img->config);
	hull_gen_str(gen, "RepoTags");
	yajl_gen_array_open(gen);
	/* the image is its config: every record of it (other manifests) lends its names */
	for (i = 0; i < idx->n; i++) {
		size_t j;
		if (strcmp(idx->v[i].config, img->config))
			continue;
		for (j = 0; idx->v[i].names[j]; j++)
			hull_gen_str(gen, idx->v[i].names[j]);
	}
	yajl_gen_array_close(gen);
	hull_gen_str(gen, "Manifest");
	hull_gen_str(gen, img->manifest);
	hull_gen_str(gen, "Created");
	hull_gen_str(gen, img->created ? img->created : "");
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!hull_json_str(sj_get(cfg, keys[i])))
			continue;
		hull_gen_str(gen, copied[i]);
		hull_gen_str(gen, hull_json_str(sj_get(cfg, keys[i])));
	}
	hull_gen_str(gen, "Config");
	sj_gen(gen, sj_get(cfg, "config"));
	hull_gen_str(gen, "Size");
	yajl_gen_integer(gen, (long long)img->size);
	/* the directories an overlay mount of this image stacks, top layer first */
	for (i = n; i > 0; i--) {
		cleanup_free char *p = hull_store_layer_path(s, img->layers[i - 1]);
		char *l = hull_strfmt("%s%s%s", lower, *lower ? ":" : "", p);
		free(lower);
		lower = l;
	}
	hull_gen_str(gen, "GraphDriver");
	yajl_gen_map_open(gen);
	hull_gen_str(gen, "Name");
	hull_gen_str(gen, "overlay");
	hull_gen_str(gen, "Data");
	yajl_gen_map_open(gen);
	hull_gen_str(gen, "LowerDir");
	hull_gen_str(gen, lower);
	yajl_gen_map_close(gen);
	yajl_gen_map_close(gen);
	hull_gen_str(gen, "RootFS");
	yajl_gen_map_open(gen);
	hull_gen_str(gen, "Type");
	hull_gen_str(gen, "layers");
	hull_gen_str(gen, "Layers");
	sj_gen(gen, sj_get(rootfs, "diff_ids"));
	yajl_gen_map_close(gen);
	yajl_gen_map_close(gen);
}

char *inspect_image_json(const struct hull_globals *g, const char *ref, struct hull_err *err)
{
	struct hull_store s = {.dir = hull_strfmt("%s/images", g->root)};
	struct hull_index idx;
	struct hull_image *img;
	cleanup_free char *text = NULL;
	yajl_gen gen;
	yajl_val cfg;

	if (hull_index_load(&s, &idx, err) < 0) {
		free(s.dir);
		return NULL;
	}
	img = hull_index_find(&idx, ref, err);
	if (!img || hull_store_read_blob(&s, img->config, &text, NULL, err) < 0) {
		if (!err->msg[0])
			hull_error(err, ENOENT, "No such image: %s", ref);
		hull_index_free(&idx);
		free(s.dir);
		return NULL;
	}
	gen = yajl_gen_alloc(NULL);
	cfg = yajl_tree_parse(text, NULL, 0);
	inspect_one(gen, &s, &idx, img, cfg);
	yajl_tree_free(cfg);
	hull_index_free(&idx);
	free(s.dir);
	return hull_gen_text(gen);
}

int cmd_image(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct {
		const char *sub, *cmd;
	} map[] = {{"ls", "images"},	 {"list", "images"},
		   {"rm", "rmi"},	 {"remove", "rmi"},
		   {"load", "load"},	 {"save", "save"},
		   {"import", "import"}, {"inspect", "image-inspect"}};
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage("image");
		return argc < 2 ? HULL_EXIT_ERROR : 0;
	}
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (strcmp(argv[1], map[i].sub))
			continue;
		argv[1] = (char *)map[i].cmd;
		return dispatch(g, argc - 1, argv + 1, err);
	}
	return usage_error(err, "image", "unknown command `%s`", argv[1]);
}
