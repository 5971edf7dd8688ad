/* SPDX-License-Identifier: Apache-2.0 */
/* hull push: an image to a registry. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hull/regcli.h"
#include "cmd/hull/xferview.h"
#include "image/push.h"
#include "lib/util.h"

int cmd_push(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { CREDS = 256, TLS, AUTHFILE, FORMAT, HELP };
	static const struct option opts[] = {
		{"creds", required_argument, NULL, CREDS},
		{"tls-verify", required_argument, NULL, TLS},
		{"authfile", required_argument, NULL, AUTHFILE},
		{"format", required_argument, NULL, FORMAT},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	struct hull_push_opts po = {0};
	struct hull_store s = {0};
	struct hull_xfer x = {0};
	cleanup_free char *user = NULL;
	char digest[HULL_DIGEST_SIZE];
	const char *dest;
	bool quiet = false;
	size_t size = 0;
	int o, rc;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "qf:", opts, NULL)) != -1) {
		switch (o) {
		case CREDS:
			if (parse_creds(optarg, &user, &po.password) < 0)
				return usage_error(err, "push", "--creds USER[:PASSWORD]: no user");
			po.username = user;
			break;
		case TLS:
			if (parse_tls_verify("push", optarg, &po.insecure, err) < 0)
				return -1;
			break;
		case AUTHFILE:
			po.authfile = optarg;
			break;
		case 'f':
		case FORMAT:
			if (!strcmp(optarg, "oci"))
				po.format = HULL_PUSH_OCI;
			else if (!strcmp(optarg, "docker") || !strcmp(optarg, "v2s2"))
				po.format = HULL_PUSH_DOCKER;
			else
				return usage_error(err, "push",
						   "--format takes oci or docker, not `%s`",
						   optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case HELP:
			printf("Usage: hull push [OPTIONS] IMAGE[:TAG] [DESTINATION]\n\n"
			       "Push an image to a registry, under its own name or DESTINATION\n"
			       "([HOST[:PORT]/]NAME[:TAG]). Layers the repository has are skipped, "
			       "layers\nanother repository of the registry has are mounted from "
			       "it.\n\n"
			       "Options:\n"
			       "      --creds USER[:PASSWORD]  log in to the registry (else the "
			       "stored logins)\n"
			       "      --authfile FILE          read stored logins from FILE first\n"
			       "  -f, --format oci|docker      the manifest's format (default: as "
			       "stored)\n"
			       "      --tls-verify=false       plain HTTP and no certificate "
			       "checks\n"
			       "  -q, --quiet                  no progress output\n");
			return 0;
		default:
			return usage_error(err, "push", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc || argc - optind > 2)
		return usage_error(err, "push", "requires 1 or 2 arguments (IMAGE [DESTINATION])");
	dest = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (hull_store_open(&s, g->root, false, err) < 0)
		return -1;
	if (!quiet) {
		xferview_attach(&x, true);
		po.xfer = &x;
	}
	rc = hull_image_push(&s, argv[optind], dest, &po, digest, &size, err);
	if (!quiet)
		xferview_done();
	hull_store_close(&s);
	if (rc < 0)
		return -1;
	if (quiet)
		printf("%s\n", digest);
	else
		printf("digest: %s size: %zu\n", digest, size);
	return 0;
}
