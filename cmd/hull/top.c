/* SPDX-License-Identifier: Apache-2.0 */
/* hull top CONTAINER [ps OPTIONS]: the container's processes (engine/top.c). */
#include <stdio.h>
#include <string.h>

#include "cmd/hull/cli.h"
#include "engine/top.h"
#include "lib/util.h"

int cmd_top(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: hull top CONTAINER [ps OPTIONS]\n\n"
		       "The container's processes as ps(1) shows them (default options: -ef);\n"
		       "for a VM container, ps runs in the guest.\n");
		return 0;
	}
	if (argc < 2)
		return usage_error(err, "top", "requires a container");
	if (open_engine(g, &e, err) < 0 || hull_ctr_lookup(&e, argv[1], &c, err) < 0) {
		hull_engine_free(&e);
		return -1;
	}
	fflush(stdout);
	rc = hull_ctr_top(&e, c, argv + 2, err);
	hull_ctr_free(c);
	hull_engine_free(&e);
	return rc;
}
