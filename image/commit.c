/* SPDX-License-Identifier: Apache-2.0 */
/* The last step of every way an image comes in: layers unpacked, the image recorded. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "image/durable.h"
#include "image/load.h"
#include "image/manifest.h"
#include "image/unpack.h"
#include "lib/util.h"

void hull_loaded_free(struct hull_loaded *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		hull_image_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The layers of the image whose manifest is `manifest`, unpacked where they are missing or
 * were left unsynced by a crash; layers gets their chain IDs (bottom first), total the size. */
static int unpack_layers(struct hull_store *s, const char *manifest, char ***layers,
			 uint64_t *total, char **created, char **config, struct hull_err *err)
{
	cleanup_free char *mtext = NULL, *ctext = NULL;
	struct hull_manifest m;
	char **diff_ids = NULL, **chain = NULL;
	size_t i;
	int rc = -1;

	if (hull_store_read_blob(s, manifest, &mtext, NULL, err) < 0)
		return -1;
	if (hull_manifest_parse(mtext, &m, err) < 0)
		return hull_error_wrap(err, "manifest %s", manifest);
	if (hull_store_read_blob(s, m.config.digest, &ctext, NULL, err) < 0 ||
	    hull_config_diff_ids(ctext, &diff_ids, created, err) < 0) {
		hull_error_wrap(err, "manifest %s", manifest);
		goto out;
	}
	if (hull_strv_len(diff_ids) != m.n_layers) {
		hull_error(err, EINVAL, "image %s: %zu layers but %zu diff_ids in its config",
			   m.config.digest, m.n_layers, hull_strv_len(diff_ids));
		goto out;
	}
	chain = xzalloc((m.n_layers + 1) * sizeof(char *));
	*total = 0;
	for (i = 0; i < m.n_layers; i++) {
		char id[HULL_DIGEST_SIZE];
		uint64_t size = 0;
		if (!hull_store_has_blob(s, m.layers[i].digest)) {
			hull_error(err, ENOENT, "layer %s is missing", m.layers[i].digest);
			goto out;
		}
		if (hull_layer_unpack(s, m.layers[i].digest, diff_ids[i], i ? chain[i - 1] : NULL,
				      id, &size, err) < 0)
			goto out;
		chain[i] = xstrdup(id);
		*total += size;
	}
	*layers = steal_pointer(&chain);
	if (config)
		*config = xstrdup(m.config.digest);
	rc = 0;
out:
	hull_strv_free(chain);
	hull_strv_free(diff_ids);
	hull_manifest_free(&m);
	return rc;
}

int hull_image_layers_ensure(struct hull_store *s, const struct hull_image *img,
			     struct hull_err *err)
{
	cleanup_free char *created = NULL;
	char **layers = NULL;
	uint64_t total;
	size_t i;
	int rc;

	for (i = 0; img->layers && img->layers[i]; i++) {
		cleanup_free char *p = hull_store_layer_path(s, img->layers[i]);
		if (access(p, F_OK) < 0 || hull_layer_suspect(s, img->layers[i]))
			break;
	}
	if (!img->layers || !img->layers[i])
		return 0;
	rc = unpack_layers(s, img->manifest, &layers, &total, &created, NULL, err);
	hull_strv_free(layers);
	return rc < 0 ? hull_error_wrap(err, "image %s: unpack its layers again", img->config) : 0;
}

int hull_image_commit(struct hull_store *s, const char *manifest, char *const *names,
		      struct hull_image *out, struct hull_err *err)
{
	cleanup_free char *created = NULL;
	struct hull_image img = {0};
	int rc = -1;

	if (unpack_layers(s, manifest, &img.layers, &img.size, &created, &img.config, err) < 0)
		return -1;
	img.manifest = xstrdup(manifest);
	img.names = hull_strv_dup(names);
	img.created = steal_pointer(&created);
	if (hull_index_add(s, &img, err) < 0)
		goto out;
	/* here, where images come in, not on the way to a container: the syncfs it may do waits
	 * for whatever else is dirty on the file system */
	hull_store_settle(s);
	if (out)
		*out = img;
	else
		hull_image_free(&img);
	memset(&img, 0, sizeof(img));
	rc = 0;
out:
	hull_image_free(&img);
	return rc;
}
