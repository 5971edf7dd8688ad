/* hull images, rmi, image inspect, and the `hull image` group. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/hull/cli.h"
#include "image/gc.h"
#include "image/index.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "lib/json.h"
#include "lib/util.h"

struct row {
	char *repo, *tag, id[72], created[64], size[32];
	const char *created_at;
};

static bool wants_help(int argc, char **argv)
{
	int i;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

static void gen_row_json(const struct row *r, const struct hull_image *img)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	static const char *const na[] = {"Containers", "SharedSize", "UniqueSize"};
	size_t i;

	yajl_gen_map_open(g);
	for (i = 0; i < ARRAY_SIZE(na); i++) {
		hull_gen_str(g, na[i]);
		hull_gen_str(g, "N/A");
	}
	hull_gen_str(g, "CreatedAt");
	hull_gen_str(g, r->created_at ? r->created_at : "");
	hull_gen_str(g, "CreatedSince");
	hull_gen_str(g, r->created);
	hull_gen_str(g, "Digest");
	hull_gen_str(g, img->manifest);
	hull_gen_str(g, "ID");
	hull_gen_str(g, r->id);
	hull_gen_str(g, "Repository");
	hull_gen_str(g, r->repo);
	hull_gen_str(g, "Size");
	hull_gen_str(g, r->size);
	hull_gen_str(g, "Tag");
	hull_gen_str(g, r->tag);
	hull_gen_str(g, "VirtualSize");
	hull_gen_str(g, r->size);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	printf("%.*s\n", (int)len, buf);
	yajl_gen_free(g);
}

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

int cmd_images(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},      {"quiet", no_argument, NULL, 'q'},
		{"no-trunc", no_argument, NULL, 'T'}, {"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
	};
	bool quiet = false, notrunc = false, json = false;
	const char *filter = NULL;
	struct hull_index idx;
	struct row *rows = NULL;
	size_t n = 0, i, j, w[3] = {10, 3, 8};
	int c;

	while ((c = getopt_long(argc, argv, "+aqh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			break;
		case 'q':
			quiet = true;
			break;
		case 'T':
			notrunc = true;
			break;
		case 'f':
			if (!strcmp(optarg, "json") || !strcmp(optarg, "{{json .}}"))
				json = true;
			else if (strcmp(optarg, "table"))
				return usage_error(err, "images",
						   "unknown format `%s` (table or json)", optarg);
			break;
		case 'h':
			print_usage("images");
			return 0;
		default:
			return usage_error(err, "images", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return usage_error(err, "images", "at most one REPOSITORY[:TAG]");
	filter = optind < argc ? argv[optind] : NULL;
	{
		struct hull_store s = {.dir = hull_strfmt("%s/images", g->root)};
		int r = hull_index_load(&s, &idx, err);
		free(s.dir);
		if (r < 0)
			return -1;
	}
	for (i = 0; i < idx.n; i++) {
		struct hull_image *img = &idx.v[i];
		size_t k, names = hull_strv_len(img->names);
		for (k = 0; k < (names ? names : 1); k++) {
			struct row *r;
			if (!matches(filter, names ? img->names[k] : NULL))
				continue;
			rows = xrealloc(rows, (n + 1) * sizeof(*rows));
			r = &rows[n++];
			memset(r, 0, sizeof(*r));
			if (names) {
				hull_ref_split(img->names[k], &r->repo, &r->tag);
			} else {
				r->repo = xstrdup("<none>");
				r->tag = xstrdup("<none>");
			}
			snprintf(r->id, sizeof(r->id), "%s",
				 notrunc ? img->config : img->config + 7);
			if (!notrunc)
				r->id[12] = '\0';
			human_since(img->created, r->created, sizeof(r->created));
			human_size(img->size, r->size, sizeof(r->size));
			r->created_at = img->created;
			w[0] = strlen(r->repo) > w[0] ? strlen(r->repo) : w[0];
			w[1] = strlen(r->tag) > w[1] ? strlen(r->tag) : w[1];
			w[2] = strlen(r->id) > w[2] ? strlen(r->id) : w[2];
			/* the row of an image with several names shows it once under -q */
			if (quiet) {
				for (j = 0; j + 1 < n; j++)
					if (!strcmp(rows[j].id, r->id))
						break;
				if (j + 1 < n) {
					free(r->repo);
					free(r->tag);
					n--;
					continue;
				}
			}
			if (json)
				gen_row_json(r, img);
		}
	}
	if (!json && !quiet)
		printf("%-*s   %-*s   %-*s   %-15s   %s\n", (int)w[0], "REPOSITORY", (int)w[1],
		       "TAG", (int)w[2], "IMAGE ID", "CREATED", "SIZE");
	for (i = 0; i < n; i++) {
		if (quiet)
			printf("%s\n", rows[i].id);
		else if (!json)
			printf("%-*s   %-*s   %-*s   %-15s   %s\n", (int)w[0], rows[i].repo,
			       (int)w[1], rows[i].tag, (int)w[2], rows[i].id, rows[i].created,
			       rows[i].size);
		free(rows[i].repo);
		free(rows[i].tag);
	}
	free(rows);
	hull_index_free(&idx);
	return 0;
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

int cmd_image_inspect(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_store s = {.dir = hull_strfmt("%s/images", g->root)};
	yajl_gen gen;
	struct hull_index idx;
	const unsigned char *buf;
	size_t len;
	int i, rc = 0;

	if (wants_help(argc, argv)) {
		free(s.dir);
		print_usage("image-inspect");
		return 0;
	}
	if (argc < 2) {
		free(s.dir);
		return usage_error(err, "image inspect", "requires at least one IMAGE");
	}
	if (hull_index_load(&s, &idx, err) < 0) {
		free(s.dir);
		return -1;
	}
	gen = yajl_gen_alloc(NULL);
	yajl_gen_config(gen, yajl_gen_beautify, 1);
	yajl_gen_array_open(gen);
	for (i = 1; i < argc; i++) {
		struct hull_err e = {0};
		struct hull_image *img = hull_index_find(&idx, argv[i], &e);
		cleanup_free char *text = NULL;
		yajl_val cfg;
		if (!img || hull_store_read_blob(&s, img->config, &text, NULL, &e) < 0) {
			if (e.msg[0])
				fprintf(stderr, "hull: %s\n", e.msg);
			else
				fprintf(stderr, "hull: No such image: %s\n", argv[i]);
			rc = HULL_EXIT_ERROR;
			continue;
		}
		cfg = yajl_tree_parse(text, NULL, 0);
		inspect_one(gen, &s, &idx, img, cfg);
		yajl_tree_free(cfg);
	}
	yajl_gen_array_close(gen);
	yajl_gen_get_buf(gen, &buf, &len);
	printf("%.*s\n", (int)len, buf);
	yajl_gen_free(gen);
	hull_index_free(&idx);
	free(s.dir);
	return rc;
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
