/* SPDX-License-Identifier: Apache-2.0 */
/* hull build and hull builder prune: flags, then engine/build.h; the steps printed as docker's
 * classic builder prints them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/xferview.h"
#include "engine/build.h"
#include "engine/prepare.h"
#include "image/index.h"
#include "image/ref.h"
#include "lib/util.h"

static const char build_usage[] =
	"Usage: hull build [OPTIONS] PATH|-\n\n"
	"Build an image from a Dockerfile (or Containerfile) and the context directory PATH\n"
	"(-: a Dockerfile on stdin and no context).\n\n"
	"Options:\n"
	"      --build-arg NAME[=VALUE]  a build variable (NAME alone: its value here)\n"
	"      --cgroup-parent PATH   the cgroup parent of RUN's containers\n"
	"  -f, --file FILE            the Dockerfile (default PATH/Dockerfile; - for stdin)\n"
	"      --iidfile FILE         write the image ID to FILE\n"
	"      --isolation LEVEL      RUN's containers: container (default) or vm\n"
	"      --label KEY=VALUE      a label on the image built\n"
	"      --network NETWORK      RUN's network: none (default), host, bridge, a user\n"
	"                             network\n"
	"      --no-cache             make every step again\n"
	"      --platform OS/ARCH     the platform of the images built on (FROM\n"
	"                             --platform wins); TARGETPLATFORM and its parts\n"
	"      --pull[=POLICY]        the base images: missing (default: pull those not\n"
	"                             here), always (--pull alone, or true), never\n"
	"  -q, --quiet                print only the image ID\n"
	"  -t, --tag NAME[:TAG]       name the image (repeatable)\n"
	"      --target STAGE         build up to that stage\n";

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	/* a line of the build ends the layers' display of a pull above it (FROM's) */
	xferview_done();
	printf("%s\n", line);
	fflush(stdout);
}

/* -q: what the build prints (and RUN's output) goes nowhere; the ID is printed after */
struct quiet {
	int out, errfd;
};

static void quiet_begin(struct quiet *q)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	fflush(stdout);
	q->out = dup(STDOUT_FILENO);
	q->errfd = dup(STDERR_FILENO);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
}

static void quiet_end(struct quiet *q)
{
	fflush(stdout);
	if (q->out >= 0) {
		dup2(q->out, STDOUT_FILENO);
		close(q->out);
	}
	if (q->errfd >= 0) {
		dup2(q->errfd, STDERR_FILENO);
		close(q->errfd);
	}
}

/* docker's --pull is a boolean (always), podman's a policy too */
static const char *pull_policy(const char *arg)
{
	if (!arg || !strcmp(arg, "true"))
		return HULL_PULL_ALWAYS;
	if (!strcmp(arg, "false"))
		return HULL_PULL_MISSING;
	return arg; /* checked by the build, which names a bad one */
}

static int tag_all(const struct hull_globals *g, const char *id, char *const *names, bool quiet,
		   struct hull_err *err)
{
	struct hull_store s;
	int rc = 0;

	if (!names || !*names)
		return 0;
	if (hull_store_open(&s, g->root, false, err) < 0)
		return -1;
	for (char *const *n = names; *n && rc == 0; n++) {
		rc = hull_index_tag(&s, id, *n, err);
		if (rc == 0 && !quiet)
			printf("Successfully tagged %s\n", *n);
	}
	hull_store_close(&s);
	return rc;
}

int cmd_build(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum {
		BUILD_ARG = 256,
		LABEL,
		TARGET,
		NO_CACHE,
		ISOLATION,
		NETWORK,
		CGROUP_PARENT,
		RM,
		IIDFILE,
		PULL,
		PLATFORM
	};
	static const struct option opts[] = {
		{"tag", required_argument, NULL, 't'},
		{"file", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{"build-arg", required_argument, NULL, BUILD_ARG},
		{"label", required_argument, NULL, LABEL},
		{"target", required_argument, NULL, TARGET},
		{"no-cache", no_argument, NULL, NO_CACHE},
		{"isolation", required_argument, NULL, ISOLATION},
		{"network", required_argument, NULL, NETWORK},
		{"cgroup-parent", required_argument, NULL, CGROUP_PARENT},
		{"rm", optional_argument, NULL, RM},
		{"iidfile", required_argument, NULL, IIDFILE},
		{"pull", optional_argument, NULL, PULL},
		{"platform", required_argument, NULL, PLATFORM},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct hull_xfer pull_view;
	struct hull_build_opts o = {.print = print_line};
	cleanup_strv char **tags = NULL, **args = NULL, **labels = NULL;
	cleanup_free char *id = NULL;
	struct hull_engine e;
	struct quiet q = {-1, -1};
	const char *iidfile = NULL;
	bool quiet = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+t:f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 't': {
			char *norm = NULL;
			if (hull_ref_normalize(optarg, &norm, err) < 0)
				return hull_error_wrap(err, "build: invalid tag `%s`", optarg);
			hull_strv_push(&tags, norm);
			free(norm);
			break;
		}
		case 'f':
			o.dockerfile = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case BUILD_ARG:
			hull_strv_push(&args, optarg);
			break;
		case LABEL:
			hull_strv_push(&labels, optarg);
			break;
		case TARGET:
			o.target = optarg;
			break;
		case NO_CACHE:
			o.no_cache = true;
			break;
		case ISOLATION:
			o.isolation = optarg;
			break;
		case NETWORK:
			o.network = optarg;
			break;
		case CGROUP_PARENT:
			o.cgroup_parent = optarg;
			break;
		case RM:
			/* docker's --rm: intermediate containers always go here */
			break;
		case IIDFILE:
			iidfile = optarg;
			break;
		case PULL:
			o.pull = pull_policy(optarg);
			break;
		case PLATFORM:
			o.platform = optarg;
			break;
		case 'h':
			fputs(build_usage, stdout);
			return 0;
		default:
			return usage_error(err, "build", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "build", "requires exactly 1 argument: the context PATH");
	if (argc - optind > 1)
		return usage_error(err, "build", "unexpected argument `%s`", argv[optind + 1]);
	o.context = argv[optind];
	if (!strcmp(o.context, "-")) {
		if (o.dockerfile && strcmp(o.dockerfile, "-"))
			return usage_error(err, "build",
					   "-: the Dockerfile comes from stdin, not -f");
		o.context = NULL;
		o.dockerfile = "-";
	}
	o.build_args = args;
	o.labels = labels;
	if (o.dockerfile && !strcmp(o.dockerfile, "-") && isatty(STDIN_FILENO))
		return usage_error(err, "build",
				   "the Dockerfile is to come from stdin, which is a terminal");
	if (open_engine(g, &e, err) < 0)
		return -1;
	if (quiet) {
		quiet_begin(&q);
	} else {
		/* a base image pulled shows each layer's progress, as docker build does */
		xferview_attach(&pull_view, false);
		o.pull_progress = &pull_view;
	}
	rc = hull_build(&e, &o, &id, err);
	if (quiet)
		quiet_end(&q);
	if (rc == 0 && !quiet)
		printf("Successfully built %.12s\n", id + 7);
	if (rc == 0)
		rc = tag_all(g, id, tags, quiet, err);
	if (rc == 0 && iidfile) {
		cleanup_free char *line = hull_strfmt("%s", id);
		rc = hull_write_file_atomic(iidfile, line, strlen(line), 0644, err);
	}
	hull_engine_free(&e);
	if (rc < 0)
		return hull_error_wrap(err, "build");
	if (quiet)
		printf("%s\n", id);
	return 0;
}

int cmd_builder(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_engine e;
	size_t n = 0;
	int rc;

	if (argc < 2)
		return usage_error(err, "builder", "requires a command (prune)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (argc > 2 && !strcmp(argv[1], "prune") &&
	     (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))) {
		printf("Usage: hull builder prune [-f|--force] [-a|--all]\n\n"
		       "Forget the build cache (the steps `hull build` can reuse) and remove the\n"
		       "layers and blobs only it kept.\n");
		return 0;
	}
	if (strcmp(argv[1], "prune"))
		return usage_error(err, "builder", "unknown command `%s` (prune)", argv[1]);
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "-f") && strcmp(argv[i], "--force") && strcmp(argv[i], "-a") &&
		    strcmp(argv[i], "--all"))
			return usage_error(err, "builder", "unknown option `%s`", argv[i]);
	if (open_engine(g, &e, err) < 0)
		return -1;
	rc = hull_build_cache_prune(&e, &n, err);
	hull_engine_free(&e);
	if (rc < 0)
		return hull_error_wrap(err, "builder prune");
	printf("Deleted %zu build cache entr%s\n", n, n == 1 ? "y" : "ies");
	return 0;
}
