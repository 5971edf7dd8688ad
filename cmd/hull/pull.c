/* SPDX-License-Identifier: Apache-2.0 */
/* hull pull: an image from a registry. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hull/regcli.h"
#include "cmd/hull/xferview.h"
#include "image/pull.h"
#include "lib/util.h"

int parse_creds(const char *arg, char **user, const char **password)
{
	const char *colon = strchr(arg, ':');
	free(*user);
	*user = colon ? strndup(arg, (size_t)(colon - arg)) : xstrdup(arg);
	*password = colon ? colon + 1 : "";
	return **user ? 0 : -1;
}

int parse_tls_verify(const char *cmd, const char *arg, bool *insecure, struct hull_err *err)
{
	if (strcmp(arg, "true") && strcmp(arg, "false"))
		return usage_error(err, cmd, "--tls-verify takes true or false");
	*insecure = !strcmp(arg, "false");
	return 0;
}

int pull_image(const struct hull_globals *g, const char *ref, const struct hull_pull_opts *o,
	       bool quiet, struct hull_image *img, struct hull_err *err)
{
	struct hull_pull_opts po = *o;
	struct hull_store s = {0};
	struct hull_xfer x = {0};
	int rc;

	if (hull_store_open(&s, g->root, false, err) < 0)
		return -1;
	if (!quiet) {
		xferview_attach(&x, false);
		po.xfer = &x;
	}
	rc = hull_image_pull(&s, ref, &po, img, err);
	if (!quiet)
		xferview_done();
	hull_store_close(&s);
	return rc;
}

int cmd_pull(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { CREDS = 256, TLS, AUTHFILE, PLATFORM, HELP };
	static const struct option opts[] = {
		{"creds", required_argument, NULL, CREDS},
		{"tls-verify", required_argument, NULL, TLS},
		{"authfile", required_argument, NULL, AUTHFILE},
		{"platform", required_argument, NULL, PLATFORM},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	struct hull_pull_opts po = {0};
	struct hull_platform plat;
	struct hull_image img = {0};
	cleanup_free char *user = NULL;
	bool quiet = false;
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		switch (o) {
		case CREDS:
			if (parse_creds(optarg, &user, &po.password) < 0)
				return usage_error(err, "pull", "--creds USER[:PASSWORD]: no user");
			po.username = user;
			break;
		case TLS:
			if (parse_tls_verify("pull", optarg, &po.insecure, err) < 0)
				return -1;
			break;
		case AUTHFILE:
			po.authfile = optarg;
			break;
		case PLATFORM:
			if (hull_platform_parse(optarg, &plat, err) < 0)
				return usage_error(err, "pull", "%s", err->msg);
			po.platform = &plat;
			break;
		case 'q':
			quiet = true;
			break;
		case HELP:
			printf("Usage: hull pull [OPTIONS] [HOST[:PORT]/]NAME[:TAG|@DIGEST]\n\n"
			       "Pull an image from a registry (distribution API v2), 3 layers at "
			       "once, each\nunpacked as it arrives. Plain HTTP is used only for "
			       "localhost and 127.0.0.0/8,\nor with --tls-verify=false.\n\n"
			       "Options:\n"
			       "      --creds USER[:PASSWORD]  log in to the registry (else the "
			       "stored logins)\n"
			       "      --authfile FILE          read stored logins from FILE first\n"
			       "      --platform OS/ARCH[/VARIANT]  the image for this platform "
			       "(default: the host's)\n"
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
	if (pull_image(g, argv[optind], &po, quiet, &img, err) < 0)
		return -1;
	for (char **n = img.names; n && *n; n++)
		printf("%s\n", *n);
	printf("%s\n", img.config);
	hull_image_free(&img);
	return 0;
}
