/* imgbundle: what `hull run` will do with an image, for the integration tests.
 *   imgbundle ROOT IMAGE ID BUNDLE [auto|overlay|copy] [CMD...]
 *       make the container rootfs of IMAGE under ROOT/containers/ID and write
 *       BUNDLE/config.json converted from the image config (rootfs path absolute)
 *   imgbundle --remove ROOT ID
 *       unmount and remove ROOT/containers/ID */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image/convert.h"
#include "image/index.h"
#include "image/rootfs.h"
#include "runtime/util.h"

static int fail(const struct hull_err *err)
{
	fprintf(stderr, "imgbundle: %s\n", err->msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct hull_err err = {0};
	struct hull_store s;
	struct hull_index idx;
	struct hull_image *img;
	enum hull_rootfs_mode mode = HULL_ROOTFS_AUTO;
	struct hull_convert_opts opts = {0};
	cleanup_free char *rootfs = NULL, *cfg = NULL, *json = NULL, *out = NULL, *vols = NULL;
	cleanup_close int rootfd = -1;

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
	if (argc > 6)
		opts.cmd = argv + 6;
	if (hull_store_open(&s, argv[1], false, &err) < 0 || hull_index_load(&s, &idx, &err) < 0)
		return fail(&err);
	img = hull_index_find(&idx, argv[2], &err);
	if (!img) {
		fprintf(stderr, "imgbundle: no image %s\n", argv[2]);
		return 1;
	}
	if (hull_store_read_blob(&s, img->config, &cfg, NULL, &err) < 0 ||
	    hull_rootfs_create(&s, img, argv[3], mode, &rootfs, &err) < 0)
		return fail(&err);
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	vols = hull_strfmt("%s/containers/%s/volumes", argv[1], argv[3]);
	opts.volumes_dir = vols;
	out = hull_strfmt("%s/config.json", argv[4]);
	if (hull_image_to_oci_config(cfg, rootfd, rootfs, &opts, &json, &err) < 0 ||
	    hull_write_file_atomic(out, json, strlen(json), 0644, &err) < 0) {
		hull_rootfs_remove(argv[1], argv[3], NULL);
		return fail(&err);
	}
	printf("%s\n", rootfs);
	hull_index_free(&idx);
	hull_store_close(&s);
	return 0;
}
