/* SPDX-License-Identifier: Apache-2.0 */
/* hull cp and hull diff: a container's files (engine/cp.h, engine/diff.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/hull/cli.h"
#include "engine/cp.h"
#include "engine/diff.h"
#include "lib/util.h"

/* docker's rule: "CONTAINER:PATH" unless the argument is a local path ("/..." or "./..."). */
static bool split_ref(const char *arg, char **ctr, const char **path)
{
	const char *colon = strchr(arg, ':');

	*ctr = NULL;
	*path = arg;
	if (arg[0] == '/' || arg[0] == '.' || !colon || colon == arg)
		return false;
	*ctr = strndup(arg, (size_t)(colon - arg));
	*path = colon + 1;
	return true;
}

int cmd_cp(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"archive", no_argument, NULL, 'a'},
		{"follow-link", no_argument, NULL, 'L'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_cp_opts co = {0};
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	cleanup_free char *from_ctr = NULL, *to_ctr = NULL;
	const char *src, *dest;
	int o, rc = -1;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "+aLq", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			co.archive = true;
			break;
		case 'L':
			co.follow_link = true;
			break;
		case 'q':
			break;
		case 'h':
			printf("Usage: hull cp [OPTIONS] CONTAINER:SRC DEST|-\n"
			       "       hull cp [OPTIONS] SRC|- CONTAINER:DEST\n\n"
			       "Copy files or directories between a container and the host (the "
			       "container running or not).  `-` is a tar stream on standard output "
			       "(from a container) or standard input (into a container's "
			       "directory).\n\n"
			       "  -a, --archive       keep owners (else root owns what is "
			       "written)\n"
			       "  -L, --follow-link   follow SRC when it is a symbolic link\n"
			       "  -q, --quiet         accepted for docker's sake (hull prints no "
			       "progress)\n");
			return 0;
		default:
			return usage_error(err, "cp", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return usage_error(err, "cp", "requires exactly 2 arguments (SRC and DEST)");
	split_ref(argv[optind], &from_ctr, &src);
	split_ref(argv[optind + 1], &to_ctr, &dest);
	if (from_ctr && to_ctr)
		return usage_error(err, "cp", "copying between containers is not supported");
	if (!from_ctr && !to_ctr)
		return usage_error(err, "cp", "one of SRC and DEST must be CONTAINER:PATH");
	if (!*src || !*dest)
		return usage_error(err, "cp", "an empty path");
	if (to_ctr && !strcmp(src, "-") && isatty(STDIN_FILENO))
		return usage_error(err, "cp", "a tar stream is expected on standard input");
	if (open_engine(g, &e, err) < 0)
		return -1;
	if (hull_ctr_lookup(&e, from_ctr ? from_ctr : to_ctr, &c, err) == 0)
		rc = from_ctr ? hull_cp_from(&e, c, src, dest, STDOUT_FILENO, &co, err)
			      : hull_cp_to(&e, c, src, dest, STDIN_FILENO, &co, err);
	hull_ctr_free(c);
	hull_engine_free(&e);
	return rc;
}

int cmd_diff(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	struct hull_change *v = NULL;
	size_t n = 0;
	int rc = -1;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: hull diff CONTAINER\n\n"
		       "What the container changed in its image's files: A added, C changed, D "
		       "deleted.\n");
		return 0;
	}
	if (argc != 2)
		return usage_error(err, "diff", "requires exactly 1 argument (CONTAINER)");
	if (open_engine(g, &e, err) < 0)
		return -1;
	if (hull_ctr_lookup(&e, argv[1], &c, err) == 0 && hull_ctr_diff(&e, c, &v, &n, err) == 0) {
		for (size_t i = 0; i < n; i++)
			printf("%c %s\n", v[i].kind, v[i].path);
		rc = 0;
	}
	hull_changes_free(v, n);
	hull_ctr_free(c);
	hull_engine_free(&e);
	return rc;
}
