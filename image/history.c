/* SPDX-License-Identifier: Apache-2.0 */
/* The config's "history" paired with the manifest's layers: entries that are not
 * empty_layer take the layers in order, bottom up. */
#include "image/history.h"

#include <errno.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "image/manifest.h"
#include "lib/json.h"
#include "lib/util.h"

static char *str_of(yajl_val o, const char *key)
{
	const char *s = hull_json_str(sj_get(o, key));
	return s ? xstrdup(s) : NULL;
}

int hull_image_history(const struct hull_store *s, const struct hull_image *img,
		       struct hull_history_entry **out, size_t *n, struct hull_err *err)
{
	cleanup_free char *cfg = NULL, *man = NULL;
	cleanup_yajl_val yajl_val root = NULL;
	struct hull_manifest m = {0};
	yajl_val hist;
	size_t layer = 0, count;
	struct hull_history_entry *v;

	*out = NULL;
	*n = 0;
	if (hull_store_read_blob(s, img->config, &cfg, NULL, err) < 0 ||
	    hull_store_read_blob(s, img->manifest, &man, NULL, err) < 0 ||
	    hull_manifest_parse(man, &m, err) < 0)
		return -1;
	root = yajl_tree_parse(cfg, NULL, 0);
	hist = sj_get(root, "history");
	if (hist && !YAJL_IS_ARRAY(hist))
		hist = NULL;
	count = hist && hist->u.array.len ? hist->u.array.len : m.n_layers;
	v = xzalloc((count ? count : 1) * sizeof(*v));
	for (size_t i = 0; i < count; i++) {
		/* filled bottom up, stored newest first */
		struct hull_history_entry *e = &v[count - 1 - i];
		yajl_val h = hist && hist->u.array.len ? hist->u.array.values[i] : NULL;
		e->created = str_of(h, "created");
		e->created_by = str_of(h, "created_by");
		e->comment = str_of(h, "comment");
		e->empty_layer = YAJL_IS_TRUE(sj_get(h, "empty_layer"));
		if (!e->created_by)
			e->created_by = xstrdup("");
		if (!e->empty_layer && layer < m.n_layers) {
			e->layer = xstrdup(m.layers[layer].digest);
			e->size = m.layers[layer].size;
			layer++;
		}
	}
	hull_manifest_free(&m);
	*out = v;
	*n = count;
	return 0;
}

void hull_history_free(struct hull_history_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].created);
		free(v[i].created_by);
		free(v[i].comment);
		free(v[i].layer);
	}
	free(v);
}
