/* hull pull: an image from a registry. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hull/cli.h"
#include "image/pull.h"
#include "lib/util.h"

int cmd_pull(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { CREDS = 256, TLS, HELP };
	static const struct option opts[] = {
		{"creds", required_argument, NULL, CREDS},
		{"tls-verify", required_argument, NULL, TLS},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	struct hull_pull_opts po = {0};
	struct hull_store s = {0};
	struct hull_image img = {0};
	cleanup_free char *user = NULL;
	bool quiet = false;
	int o, rc;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		switch (o) {
		case CREDS: {
			const char *colon = strchr(optarg, ':');
			free(user);
			user = colon ? strndup(optarg, (size_t)(colon - optarg)) : xstrdup(optarg);
			po.username = user;
			po.password = colon ? colon + 1 : "";
			break;
		}
		case TLS:
			if (strcmp(optarg, "true") && strcmp(optarg, "false"))
				return usage_error(err, "pull", "--tls-verify takes true or false");
			po.insecure = !strcmp(optarg, "false");
			break;
		case 'q':
			quiet = true;
			break;
		case HELP:
			printf("Usage: hull pull [OPTIONS] [HOST[:PORT]/]NAME[:TAG|@DIGEST]\n\n"
			       "Pull an image from a registry (distribution API v2). Plain HTTP is "
			       "used only for\nlocalhost and 127.0.0.0/8, or with "
			       "--tls-verify=false.\n\n"
			       "Options:\n"
			       "      --creds USER[:PASSWORD]  log in to the registry\n"
			       "      --tls-verify=false       plain HTTP and no certificate "
			       "checks\n"
			       "  -q, --quiet                  no progress output\n");
			return 0;
		default:
			return usage_error(err, "pull", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error(err, "pull", "requires exactly 1 argument (IMAGE)");
	if (hull_store_open(&s, g->root, false, err) < 0)
		return -1;
	if (!quiet)
		progress_attach(&s);
	rc = hull_image_pull(&s, argv[optind], &po, &img, err);
	progress_done();
	hull_store_close(&s);
	if (rc < 0)
		return -1;
	for (char **n = img.names; n && *n; n++)
		printf("%s\n", *n);
	printf("%s\n", img.config);
	hull_image_free(&img);
	return 0;
}
