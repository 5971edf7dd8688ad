/* SPDX-License-Identifier: Apache-2.0 */
/* hull commit: flags, then engine/commit.h; prints the new image's ID as docker does. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/hull/cli.h"
#include "engine/commit.h"
#include "lib/util.h"

/* --pause=true|false (docker's boolean flag syntax) */
static int parse_bool(const char *v, bool *out)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0")) {
		*out = false;
		return 0;
	}
	return -1;
}

int cmd_commit(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"message", required_argument, NULL, 'm'}, {"author", required_argument, NULL, 'a'},
		{"change", required_argument, NULL, 'c'},  {"pause", optional_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	struct hull_commit_opts o = {.pause = true};
	cleanup_strv char **changes = NULL;
	cleanup_free char *id = NULL;
	struct hull_engine e;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+m:a:c:ph", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o.message = optarg;
			break;
		case 'a':
			o.author = optarg;
			break;
		case 'c':
			hull_strv_push(&changes, optarg);
			break;
		case 'p':
			if (parse_bool(optarg, &o.pause) < 0)
				return usage_error(err, "commit",
						   "invalid --pause `%s` (true or false)", optarg);
			break;
		case 'h':
			print_usage("commit");
			return 0;
		default:
			return usage_error(err, "commit", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "commit", "requires a CONTAINER");
	if (argc - optind > 2)
		return usage_error(err, "commit", "unexpected argument `%s`", argv[optind + 2]);
	o.changes = changes;
	o.name = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (open_engine(g, &e, err) < 0)
		return -1;
	rc = hull_ctr_commit(&e, argv[optind], &o, &id, err);
	hull_engine_free(&e);
	if (rc < 0)
		return hull_error_wrap(err, "commit");
	printf("%s\n", id);
	return 0;
}
