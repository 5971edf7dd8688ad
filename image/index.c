/* SPDX-License-Identifier: Apache-2.0 */
#include "image/index.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "image/ref.h"
#include "lib/json.h"
#include "lib/util.h"

void hull_image_free(struct hull_image *img)
{
	free(img->manifest);
	free(img->config);
	hull_strv_free(img->names);
	hull_strv_free(img->layers);
	free(img->created);
	memset(img, 0, sizeof(*img));
}

void hull_image_copy(struct hull_image *dst, const struct hull_image *src)
{
	dst->manifest = xstrdup(src->manifest);
	dst->config = xstrdup(src->config);
	dst->names = hull_strv_dup(src->names);
	dst->layers = hull_strv_dup(src->layers);
	dst->size = src->size;
	dst->created = xstrdup(src->created);
}

void hull_index_free(struct hull_index *idx)
{
	size_t i;
	for (i = 0; i < idx->n; i++)
		hull_image_free(&idx->v[i]);
	free(idx->v);
	if (idx->lockfd >= 0)
		close(idx->lockfd);
	memset(idx, 0, sizeof(*idx));
	idx->lockfd = -1;
}

static int parse_record(yajl_val r, size_t i, struct hull_image *img, struct hull_err *err)
{
	char path[32];
	int64_t size = 0;

	snprintf(path, sizeof(path), "images[%zu]", i);
	if (sj_string(r, "manifest", path, &img->manifest, err) < 0 ||
	    sj_string(r, "config", path, &img->config, err) < 0 ||
	    sj_strv(r, "names", path, &img->names, err) < 0 ||
	    sj_strv(r, "layers", path, &img->layers, err) < 0 ||
	    sj_int(r, "size", path, 0, INT64_MAX, &size, err) < 0 ||
	    sj_string(r, "created", path, &img->created, err) < 0)
		return -1;
	if (!hull_digest_valid(img->manifest) || !hull_digest_valid(img->config))
		return hull_error(err, EINVAL, "`%s`: missing or bad digest", path);
	if (!img->names)
		img->names = xzalloc(sizeof(char *));
	if (!img->layers)
		img->layers = xzalloc(sizeof(char *));
	img->size = (uint64_t)size;
	return 0;
}

int hull_index_load(const struct hull_store *s, struct hull_index *idx, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/index.json", s->dir);
	cleanup_free char *text = NULL;
	char ebuf[256];
	yajl_val tree, arr;
	size_t i;

	memset(idx, 0, sizeof(*idx));
	idx->lockfd = -1;
	if (hull_read_file(path, &text, NULL, err) < 0)
		return errno == ENOENT ? 0 : -1;
	tree = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!tree)
		return hull_error(err, EINVAL, "parse `%s`: %s", path, ebuf);
	arr = sj_get(tree, "images");
	if (arr && YAJL_IS_ARRAY(arr)) {
		idx->v = xzalloc(arr->u.array.len * sizeof(*idx->v));
		for (i = 0; i < arr->u.array.len; i++) {
			if (parse_record(arr->u.array.values[i], i, &idx->v[idx->n], err) < 0) {
				hull_image_free(&idx->v[idx->n]);
				yajl_tree_free(tree);
				hull_index_free(idx);
				return hull_error_wrap(err, "`%s`", path);
			}
			idx->n++;
		}
	}
	yajl_tree_free(tree);
	return 0;
}

int hull_index_lock(const struct hull_store *s, struct hull_index *idx, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/index.lock", s->dir);
	cleanup_close int fd = hull_lock_path(path, err);

	if (fd < 0)
		return -1;
	if (hull_index_load(s, idx, err) < 0)
		return -1;
	idx->lockfd = steal_fd(&fd);
	return 0;
}

static void gen_strv(yajl_gen g, const char *key, char **v)
{
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	for (; v && *v; v++)
		hull_gen_str(g, *v);
	yajl_gen_array_close(g);
}

int hull_index_save(const struct hull_store *s, const struct hull_index *idx, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/index.json", s->dir);
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t i, len;
	int rc;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	hull_gen_str(g, "images");
	yajl_gen_array_open(g);
	for (i = 0; i < idx->n; i++) {
		const struct hull_image *img = &idx->v[i];
		yajl_gen_map_open(g);
		hull_gen_str(g, "manifest");
		hull_gen_str(g, img->manifest);
		hull_gen_str(g, "config");
		hull_gen_str(g, img->config);
		gen_strv(g, "names", img->names);
		gen_strv(g, "layers", img->layers);
		hull_gen_str(g, "size");
		yajl_gen_integer(g, (long long)img->size);
		if (img->created) {
			hull_gen_str(g, "created");
			hull_gen_str(g, img->created);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	rc = hull_write_file_atomic(path, buf, len, 0600, err);
	yajl_gen_free(g);
	return rc;
}

int hull_image_untag(struct hull_image *img, const char *name)
{
	size_t i, n = hull_strv_len(img->names);
	for (i = 0; i < n; i++) {
		if (strcmp(img->names[i], name))
			continue;
		free(img->names[i]);
		memmove(&img->names[i], &img->names[i + 1], (n - i) * sizeof(char *));
		return 1;
	}
	return 0;
}

void hull_index_remove(struct hull_index *idx, struct hull_image *img)
{
	size_t i = (size_t)(img - idx->v);
	hull_image_free(img);
	memmove(&idx->v[i], &idx->v[i + 1], (idx->n - i - 1) * sizeof(*idx->v));
	idx->n--;
}

int hull_index_add(const struct hull_store *s, const struct hull_image *img, struct hull_err *err)
{
	struct hull_index idx;
	struct hull_image *rec = NULL;
	size_t i, j;
	int rc;

	if (hull_index_lock(s, &idx, err) < 0)
		return -1;
	for (i = 0; i < idx.n; i++) {
		for (j = 0; img->names[j]; j++)
			hull_image_untag(&idx.v[i], img->names[j]);
		if (!strcmp(idx.v[i].manifest, img->manifest))
			rec = &idx.v[i];
	}
	if (!rec) {
		idx.v = xrealloc(idx.v, (idx.n + 1) * sizeof(*idx.v));
		rec = &idx.v[idx.n++];
		hull_image_copy(rec, img);
	} else {
		size_t n = hull_strv_len(rec->names), m = hull_strv_len(img->names);
		rec->names = xrealloc(rec->names, (n + m + 1) * sizeof(char *));
		for (j = 0; j < m; j++)
			rec->names[n + j] = xstrdup(img->names[j]);
		rec->names[n + m] = NULL;
	}
	rc = hull_index_save(s, &idx, err);
	hull_index_free(&idx);
	return rc;
}

static bool hex_prefix(const char *s)
{
	size_t n = strlen(s);
	return n >= 4 && n <= 64 && strspn(s, "0123456789abcdef") == n;
}

struct hull_image *hull_index_find(struct hull_index *idx, const char *ref, struct hull_err *err)
{
	struct hull_image *found = NULL;
	cleanup_free char *name = NULL;
	const char *hex = hull_has_prefix(ref, "sha256:") ? ref + 7 : ref;
	size_t i, j;

	/* a name first: a repository may well be called "cafe" */
	if (hull_ref_normalize(ref, &name, NULL) == 0)
		for (i = 0; i < idx->n; i++)
			for (j = 0; idx->v[i].names[j]; j++)
				if (!strcmp(idx->v[i].names[j], name))
					return &idx->v[i];
	if (!hex_prefix(hex))
		return NULL;
	for (i = 0; i < idx->n; i++) {
		if (!strcmp(idx->v[i].manifest + 7, hex))
			return &idx->v[i];
		if (strncmp(idx->v[i].config + 7, hex, strlen(hex)))
			continue;
		if (found && strcmp(found->config, idx->v[i].config)) {
			hull_error(err, EINVAL, "image ID `%s` is ambiguous", ref);
			return NULL;
		}
		found = &idx->v[i];
	}
	return found;
}

int hull_index_tag(const struct hull_store *s, const char *ref, const char *name,
		   struct hull_err *err)
{
	cleanup_free char *norm = NULL;
	struct hull_index idx;
	struct hull_image *img;
	size_t n;
	int rc = -1;

	if (hull_ref_normalize(name, &norm, err) < 0)
		return -1;
	if (strchr(norm, '@'))
		return hull_error(err, EINVAL, "tag `%s`: a name takes a tag, not a digest", name);
	if (hull_index_lock(s, &idx, err) < 0)
		return -1;
	hull_err_clear(err);
	img = hull_index_find(&idx, ref, err);
	if (!img) {
		if (!err->msg[0])
			hull_error(err, ENOENT, "no such image: %s", ref);
		goto out;
	}
	for (size_t i = 0; i < idx.n; i++)
		if (&idx.v[i] != img)
			hull_image_untag(&idx.v[i], norm);
	n = hull_strv_len(img->names);
	for (size_t j = 0; j < n; j++)
		if (!strcmp(img->names[j], norm)) {
			rc = 0; /* already its name */
			goto out;
		}
	hull_strv_push(&img->names, norm);
	rc = hull_index_save(s, &idx, err);
out:
	hull_index_free(&idx);
	return rc;
}
