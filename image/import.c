/* SPDX-License-Identifier: Apache-2.0 */
/* `hull import`: a root file system tarball made into a one-layer image. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "image/load.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/unpack.h"
#include "lib/json.h"
#include "lib/util.h"

static int write_config(struct hull_store *s, const char *diff_id, const char *source,
			char out[HULL_DIGEST_SIZE], char **created, struct hull_err *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	size_t len;
	int rc;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	*created = xstrdup(now);
	yajl_gen_map_open(g);
	hull_gen_str(g, "architecture");
	hull_gen_str(g, "amd64");
	hull_gen_str(g, "os");
	hull_gen_str(g, "linux");
	hull_gen_str(g, "created");
	hull_gen_str(g, now);
	/* what docker import gives: a PATH, and no command (`hull run IMAGE CMD` names one) */
	hull_gen_str(g, "config");
	yajl_gen_map_open(g);
	hull_gen_str(g, "Env");
	yajl_gen_array_open(g);
	hull_gen_str(g, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	hull_gen_str(g, "rootfs");
	yajl_gen_map_open(g);
	hull_gen_str(g, "type");
	hull_gen_str(g, "layers");
	hull_gen_str(g, "diff_ids");
	yajl_gen_array_open(g);
	hull_gen_str(g, diff_id);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	hull_gen_str(g, "history");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	hull_gen_str(g, "created");
	hull_gen_str(g, now);
	hull_gen_str(g, "created_by");
	hull_gen_str(g, "hull import");
	hull_gen_str(g, "comment");
	hull_gen_str(g, source);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	rc = hull_store_put_blob(s, buf, len, NULL, out, err);
	yajl_gen_free(g);
	return rc;
}

int hull_image_import(struct hull_store *s, const char *path, const char *name,
		      struct hull_image *out, struct hull_err *err)
{
	const char *what = strcmp(path, "-") ? path : "standard input";
	cleanup_close int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(0);
	cleanup_free char *norm = NULL, *created = NULL, *source = NULL;
	char layer[HULL_DIGEST_SIZE], chain[HULL_DIGEST_SIZE], config[HULL_DIGEST_SIZE];
	char manifest[HULL_DIGEST_SIZE];
	const char *layers[1] = {layer};
	char *names[2] = {NULL, NULL};

	if (name && hull_ref_normalize(name, &norm, err) < 0)
		return -1;
	names[0] = norm;
	if (fd < 0)
		return hull_error(err, errno, "open `%s`", what);
	if (hull_store_put_fd(s, fd, what, NULL, layer, NULL, err) < 0)
		return -1;
	if (hull_layer_unpack(s, layer, NULL, NULL, chain, NULL, err) < 0)
		return hull_error_wrap(err, "import `%s`", what);
	source = hull_strfmt("Imported from %s", what);
	if (write_config(s, chain, source, config, &created, err) < 0 ||
	    hull_manifest_write(s, config, layers, 1, manifest, err) < 0)
		return -1;
	return hull_image_commit(s, manifest, norm ? names : NULL, out, err);
}
