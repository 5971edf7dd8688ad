/* SPDX-License-Identifier: Apache-2.0 */
/* hull volume create|ls|inspect|rm|prune: docker's volume commands over engine/volume.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/filter.h"
#include "cmd/hull/inspect.h"
#include "cmd/hull/listing.h"
#include "cmd/hull/template.h"
#include "engine/volume.h"
#include "lib/json.h"
#include "lib/util.h"

static const char volume_usage[] =
	"Usage: hull volume COMMAND\n\n"
	"Manage volumes (docker's \"local\" driver: directories under <root>/volumes/).\n\n"
	"Commands:\n"
	"  create [--label KEY=VALUE]... [NAME]   make a volume (no NAME: a random one)\n"
	"  ls [-q] [--format F] [--filter KEY=VALUE]  list volumes (filters: name, label,\n"
	"                                         dangling, driver)\n"
	"  inspect [-f TEMPLATE] VOLUME...        print volumes as JSON\n"
	"  rm [-f] VOLUME...                      remove volumes no container uses (-f: a\n"
	"                                         missing one is not an error)\n"
	"  prune [-a] [-f] [--filter label=...]   remove unused anonymous volumes (-a: every\n"
	"                                         unused volume; -f: do not ask)\n";

static char *labels_text(const struct hull_volume *v)
{
	char *out = xstrdup("");
	for (size_t i = 0; i < v->n_labels; i++) {
		char *next = hull_strfmt("%s%s%s=%s", out, i ? "," : "", v->labels[i].key,
					 v->labels[i].value);
		free(out);
		out = next;
	}
	return out;
}

/* docker's inspect object of a volume */
static char *volume_json(const struct hull_volume *v)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	yajl_gen_map_open(g);
	hull_gen_str(g, "CreatedAt"), hull_gen_str(g, v->created);
	hull_gen_str(g, "Driver"), hull_gen_str(g, HULL_VOLUME_DRIVER);
	hull_gen_str(g, "Labels");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < v->n_labels; i++)
		hull_gen_str(g, v->labels[i].key), hull_gen_str(g, v->labels[i].value);
	yajl_gen_map_close(g);
	hull_gen_str(g, "Mountpoint"), hull_gen_str(g, v->mountpoint);
	hull_gen_str(g, "Name"), hull_gen_str(g, v->name);
	hull_gen_str(g, "Options"), yajl_gen_null(g);
	hull_gen_str(g, "Scope"), hull_gen_str(g, "local");
	/* hull's own: the containers that use it */
	hull_gen_str(g, "UsedBy");
	yajl_gen_array_open(g);
	for (char **u = v->users; u && *u; u++)
		hull_gen_str(g, *u);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

/* a row of `volume ls`, with docker's fields */
static char *row_json(const struct hull_volume *v)
{
	cleanup_free char *labels = labels_text(v);
	char links[24];
	yajl_gen g = yajl_gen_alloc(NULL);

	snprintf(links, sizeof(links), "%zu", hull_strv_len(v->users));
	yajl_gen_map_open(g);
#define FIELD(k, val) hull_gen_str(g, k), hull_gen_str(g, val)
	FIELD("Availability", "N/A");
	FIELD("CreatedAt", v->created);
	FIELD("Driver", HULL_VOLUME_DRIVER);
	FIELD("Group", "N/A");
	FIELD("Labels", labels);
	FIELD("Links", links);
	FIELD("Mountpoint", v->mountpoint);
	FIELD("Name", v->name);
	FIELD("Scope", "local");
	FIELD("Size", "N/A");
	FIELD("Status", "N/A");
#undef FIELD
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

static const char ls_headers[] =
	"{\"Availability\":\"AVAILABILITY\",\"CreatedAt\":\"CREATED AT\",\"Driver\":\"DRIVER\","
	"\"Group\":\"GROUP\",\"Labels\":\"LABELS\",\"Links\":\"LINKS\","
	"\"Mountpoint\":\"MOUNTPOINT\",\"Name\":\"VOLUME NAME\",\"Scope\":\"SCOPE\","
	"\"Size\":\"SIZE\",\"Status\":\"STATUS\"}";
static const char ls_table[] = "table {{.Driver}}\\t{{.Name}}";
static const char *const ls_filter_keys[] = {"name", "label", "dangling", "driver", NULL};
static const char *const prune_filter_keys[] = {"label", NULL};

static bool true_word(const char *s)
{
	return !strcmp(s, "true") || !strcmp(s, "1");
}

static bool volume_match(const char *key, const char *value, void *ctx)
{
	const struct hull_volume *v = ctx;

	if (!strcmp(key, "name"))
		return strstr(v->name, value) != NULL;
	if (!strcmp(key, "label"))
		return hull_filter_label(v->labels, v->n_labels, value);
	if (!strcmp(key, "dangling"))
		return true_word(value) == !v->users[0];
	if (!strcmp(key, "driver"))
		return !strcmp(value, HULL_VOLUME_DRIVER);
	return false;
}

static int check_dangling(const struct hull_filters *fs, struct hull_err *err)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].key, "dangling") && !true_word(fs->f[i].value) &&
		    strcmp(fs->f[i].value, "false") && strcmp(fs->f[i].value, "0"))
			return hull_error(err, EINVAL,
					  "--filter dangling=`%s`: true, false, 1 or 0",
					  fs->f[i].value);
	return 0;
}

static int volume_create(struct hull_engine *e, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"label", required_argument, NULL, 'l'}, {"driver", required_argument, NULL, 'd'},
		{"opt", required_argument, NULL, 'o'},	 {"name", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},	 {NULL, 0, NULL, 0},
	};
	struct hull_kv *labels = NULL;
	struct hull_volume *v = NULL;
	const char *name = NULL;
	size_t n = 0;
	int c, rc = -1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "l:d:o:h", opts, NULL)) != -1) {
		const char *eq;
		switch (c) {
		case 'l':
			eq = strchr(optarg, '=');
			if (eq == optarg || !*optarg) {
				usage_error(err, "volume create", "invalid --label `%s`", optarg);
				goto out;
			}
			labels = xrealloc(labels, (n + 1) * sizeof(*labels));
			labels[n].key =
				eq ? strndup(optarg, (size_t)(eq - optarg)) : xstrdup(optarg);
			labels[n++].value = xstrdup(eq ? eq + 1 : "");
			break;
		case 'd':
			if (strcmp(optarg, HULL_VOLUME_DRIVER)) {
				hull_error(err, EINVAL, "volume driver `%s`: hull has only `local`",
					   optarg);
				goto out;
			}
			break;
		case 'o':
			hull_error(
				err, EINVAL,
				"--opt `%s`: hull's local volumes are plain directories and take "
				"no options",
				optarg);
			goto out;
		case 'n':
			name = optarg;
			break;
		case 'h':
			printf("Usage: hull volume create [--label KEY=VALUE]... [NAME]\n\n"
			       "Make a volume and print its name (no NAME: a random one).\n");
			rc = 0;
			goto out;
		default:
			usage_error(err, "volume create", "unknown option `%s`", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc)
		name = argv[optind++];
	if (optind < argc) {
		usage_error(err, "volume create", "at most 1 argument (NAME)");
		goto out;
	}
	if (hull_volume_create(e, name, labels, n, &v, err) < 0)
		goto out;
	printf("%s\n", v->name);
	rc = 0;
out:
	hull_kv_free(labels, n);
	hull_volume_free(v);
	return rc;
}

static int volume_ls(struct hull_engine *e, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		HULL_LIST_OPT_QUIET,  HULL_LIST_OPT_FORMAT,
		HULL_LIST_OPT_FILTER, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_listing l = {.headers_json = ls_headers, .default_table = ls_table};
	struct hull_list_flags lf = {.filter_keys = ls_filter_keys};
	struct hull_volume **v = NULL;
	bool begun = false;
	size_t n = 0;
	int c, rc = -1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qf:h", opts, NULL)) != -1) {
		int taken = hull_list_flag(&lf, c, optarg, err);
		if (taken < 0)
			goto out;
		if (taken)
			continue;
		switch (c) {
		case 'h':
			printf("Usage: hull volume ls [-q] [--format FORMAT] [--filter "
			       "KEY=VALUE]\n\n"
			       "List volumes.  Filters: name (part of the name), label (KEY or "
			       "KEY=VALUE),\ndangling (true: used by no container), driver.\n");
			rc = 0;
			goto out;
		default:
			usage_error(err, "volume ls", "unknown option `%s`", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		usage_error(err, "volume ls", "unexpected argument `%s`", argv[optind]);
		goto out;
	}
	if (check_dangling(&lf.filters, err) < 0)
		goto out;
	if (!lf.quiet && hull_listing_begin(&l, lf.format, err) < 0)
		goto out;
	begun = !lf.quiet;
	if (hull_volume_list(e, &v, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *row = NULL;
		if (!hull_filter_match(&lf.filters, volume_match, v[i]))
			continue;
		if (lf.quiet) {
			printf("%s\n", v[i]->name);
			continue;
		}
		row = row_json(v[i]);
		if (hull_listing_row(&l, row, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (begun)
		hull_listing_end(&l);
	hull_volume_list_free(v, n);
	hull_filters_free(&lf.filters);
	return rc;
}

static int volume_inspect(struct hull_engine *e, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_tmpl *t = NULL;
	const char *format = NULL;
	yajl_gen arr = NULL;
	int c, rc = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			printf("Usage: hull volume inspect [-f TEMPLATE] VOLUME...\n\n"
			       "Print volumes as a JSON array, or each through a Go template.\n");
			return 0;
		default:
			return usage_error(err, "volume inspect", "unknown option `%s`",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "volume inspect", "requires at least 1 argument (VOLUME)");
	if (format && !hull_format_is_json(format) && hull_tmpl_parse(format, &t, err) < 0)
		return hull_error_wrap(err, "--format");
	if (!format) {
		arr = yajl_gen_alloc(NULL);
		yajl_gen_config(arr, yajl_gen_beautify, 1);
		yajl_gen_array_open(arr);
	}
	for (int i = optind; i < argc; i++) {
		struct hull_err verr = {0};
		struct hull_volume *v = NULL;
		cleanup_free char *json = NULL, *out = NULL;
		cleanup_yajl_val yajl_val tree = NULL;

		if (hull_volume_load(e, argv[i], &v, &verr) < 0) {
			fprintf(stderr, "hull: %s\n", verr.msg);
			rc = 1;
			continue;
		}
		json = volume_json(v);
		hull_volume_free(v);
		tree = yajl_tree_parse(json, NULL, 0);
		if (arr) {
			sj_gen(arr, tree);
		} else if (!t) {
			printf("%s\n", json);
		} else if (hull_tmpl_render(t, tree, &out, &verr) < 0) {
			fprintf(stderr, "hull: --format: %s\n", verr.msg);
			rc = 1;
		} else {
			printf("%s\n", out);
		}
	}
	if (arr) {
		char *text;
		yajl_gen_array_close(arr);
		text = hull_gen_text(arr);
		printf("%s\n", text);
		free(text);
	}
	hull_tmpl_free(t);
	return rc;
}

static int volume_rm(struct hull_engine *e, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool force = false;
	int c, rc = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			printf("Usage: hull volume rm [-f] VOLUME...\n\n"
			       "Remove volumes.  One a container uses (even a stopped one) stays; "
			       "-f: a missing\nvolume is not an error.\n");
			return 0;
		default:
			return usage_error(err, "volume rm", "unknown option `%s`",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "volume rm", "requires at least 1 argument (VOLUME)");
	for (int i = optind; i < argc; i++) {
		struct hull_err verr = {0};
		if (hull_volume_remove(e, argv[i], NULL, &verr) == 0) {
			printf("%s\n", argv[i]);
		} else if (!(force && verr.errnum == ENOENT)) {
			fprintf(stderr, "hull: %s\n", verr.msg);
			rc = 1;
		}
	}
	return rc;
}

static bool confirmed(bool all)
{
	char line[16] = "";

	fprintf(stderr,
		"WARNING! This will remove %s local volumes not used by at least one "
		"container.\nAre you sure you want to continue? [y/N] ",
		all ? "all" : "anonymous");
	return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static int volume_prune(struct hull_engine *e, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"force", no_argument, NULL, 'f'},
		{"filter", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_filters fs = {0};
	struct hull_volume **v = NULL;
	bool all = false, force = false, header = false;
	unsigned long long total = 0;
	size_t n = 0;
	int c, rc = -1;
	char size[32];

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "afh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'f':
			force = true;
			break;
		case 'F':
			if (hull_filter_add(&fs, optarg, prune_filter_keys, err) < 0)
				goto out;
			break;
		case 'h':
			printf("Usage: hull volume prune [-a] [-f] [--filter label=KEY[=VALUE]]\n\n"
			       "Remove the anonymous volumes no container uses (-a: every unused "
			       "volume).\n");
			rc = 0;
			goto out;
		default:
			usage_error(err, "volume prune", "unknown option `%s`", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		usage_error(err, "volume prune", "unexpected argument `%s`", argv[optind]);
		goto out;
	}
	if (!force && !confirmed(all)) {
		rc = 0;
		goto out;
	}
	if (hull_volume_list(e, &v, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint64_t freed = 0;
		if (v[i]->users[0] || (!all && !v[i]->anonymous) ||
		    !hull_filter_match(&fs, volume_match, v[i]))
			continue;
		/* in use by now: the engine refuses, and it stays */
		if (hull_volume_remove(e, v[i]->name, &freed, NULL) < 0)
			continue;
		if (!header)
			printf("Deleted Volumes:\n");
		header = true;
		printf("%s\n", v[i]->name);
		total += freed;
	}
	human_size(total, size, sizeof(size));
	printf("%sTotal reclaimed space: %s\n", header ? "\n" : "", size);
	rc = 0;
out:
	hull_volume_list_free(v, n);
	hull_filters_free(&fs);
	return rc;
}

int cmd_volume(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct {
		const char *sub;
		int (*fn)(struct hull_engine *, int, char **, struct hull_err *);
	} map[] = {{"create", volume_create},	{"ls", volume_ls}, {"list", volume_ls},
		   {"inspect", volume_inspect}, {"rm", volume_rm}, {"remove", volume_rm},
		   {"prune", volume_prune}};
	struct hull_engine e = {0};
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("%s", volume_usage);
		return argc < 2 ? HULL_EXIT_ERROR : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (strcmp(argv[1], map[i].sub))
			continue;
		if (open_engine(g, &e, err) < 0)
			return -1;
		rc = map[i].fn(&e, argc - 1, argv + 1, err);
		hull_engine_free(&e);
		return rc;
	}
	return usage_error(err, "volume", "unknown command `%s`", argv[1]);
}
