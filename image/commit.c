/* The last step of every way an image comes in: layers unpacked, the image recorded. */
#include <errno.h>
#include <string.h>

#include "load.h"
#include "manifest.h"
#include "runtime/util.h"
#include "unpack.h"

void hull_loaded_free(struct hull_loaded *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		hull_image_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int hull_image_commit(struct hull_store *s, const char *manifest, char *const *names,
		      struct hull_image *out, struct hull_err *err)
{
	cleanup_free char *mtext = NULL, *ctext = NULL, *created = NULL;
	struct hull_manifest m;
	struct hull_image img = {0};
	char **diff_ids = NULL;
	uint64_t total = 0;
	size_t i;
	int rc = -1;

	if (hull_store_read_blob(s, manifest, &mtext, NULL, err) < 0)
		return -1;
	if (hull_manifest_parse(mtext, &m, err) < 0)
		return hull_error_wrap(err, "manifest %s", manifest);
	if (hull_store_read_blob(s, m.config.digest, &ctext, NULL, err) < 0 ||
	    hull_config_diff_ids(ctext, &diff_ids, &created, err) < 0) {
		hull_error_wrap(err, "manifest %s", manifest);
		goto out;
	}
	if (hull_strv_len(diff_ids) != m.n_layers) {
		hull_error(err, EINVAL, "image %s: %zu layers but %zu diff_ids in its config",
			   m.config.digest, m.n_layers, hull_strv_len(diff_ids));
		goto out;
	}
	img.layers = xzalloc((m.n_layers + 1) * sizeof(char *));
	for (i = 0; i < m.n_layers; i++) {
		char chain[HULL_DIGEST_SIZE];
		uint64_t size = 0;
		if (!hull_store_has_blob(s, m.layers[i].digest)) {
			hull_error(err, ENOENT, "layer %s is missing", m.layers[i].digest);
			goto out;
		}
		if (hull_layer_unpack(s, m.layers[i].digest, diff_ids[i],
				      i ? img.layers[i - 1] : NULL, chain, &size, err) < 0)
			goto out;
		img.layers[i] = xstrdup(chain);
		total += size;
	}
	img.manifest = xstrdup(manifest);
	img.config = xstrdup(m.config.digest);
	img.names = hull_strv_dup(names);
	img.size = total;
	img.created = steal_pointer(&created);
	if (hull_index_add(s, &img, err) < 0)
		goto out;
	if (out)
		*out = img;
	else
		hull_image_free(&img);
	memset(&img, 0, sizeof(img));
	rc = 0;
out:
	hull_image_free(&img);
	hull_strv_free(diff_ids);
	hull_manifest_free(&m);
	return rc;
}
