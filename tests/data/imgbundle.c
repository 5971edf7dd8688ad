/* SPDX-License-Identifier: Apache-2.0 */
/* imgbundle: what `hull run` will do with an image, for the integration tests.
 *   imgbundle ROOT IMAGE ID BUNDLE [auto|overlay|copy] [CMD...]
 *       make the container rootfs of IMAGE under ROOT/containers/ID and write
 *       BUNDLE/config.json as `hull run` would (engine/prepare.c), rootfs path absolute
 *   imgbundle --remove ROOT ID
 *       unmount and remove ROOT/containers/ID */
#include <stdio.h>
#include <string.h>

#include "engine/prepare.h"
#include "lib/util.h"

static int fail(const struct hull_err *err)
{
	fprintf(stderr, "imgbundle: %s\n", err->msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct hull_err err = {0};
	struct hull_engine e = {0};
	struct hull_run_opts o = {0};
	enum hull_rootfs_mode mode = HULL_ROOTFS_AUTO;
	cleanup_free char *rootfs = NULL;

	if (argc == 4 && !strcmp(argv[1], "--remove"))
		return hull_rootfs_remove(argv[2], argv[3], &err) < 0 ? fail(&err) : 0;
	if (argc < 5) {
		fprintf(stderr,
			"usage: imgbundle ROOT IMAGE ID BUNDLE [auto|overlay|copy] [CMD...]\n"
			"       imgbundle --remove ROOT ID\n");
		return 2;
	}
	if (argc > 5)
		mode = !strcmp(argv[5], "copy")	     ? HULL_ROOTFS_COPY
		       : !strcmp(argv[5], "overlay") ? HULL_ROOTFS_OVERLAY
						     : HULL_ROOTFS_AUTO;
	e.root = argv[1];
	o.image = argv[2];
	o.args = argc > 6 ? argv + 6 : NULL;
	if (hull_run_bundle(&e, &o, argv[3], mode, argv[4], &rootfs, &err) < 0)
		return fail(&err);
	printf("%s\n", rootfs);
	return 0;
}
