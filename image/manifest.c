/* SPDX-License-Identifier: Apache-2.0 */
#include "image/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "image/platform.h"
#include "lib/json.h"
#include "lib/util.h"

/* A descriptor's size: an integer from 0 to INT64_MAX (the specs' int64), required. */
static int parse_size(yajl_val v, const char *path, uint64_t *out, struct hull_err *err)
{
	yajl_val n = sj_get(v, "size");
	const char *text = n && YAJL_IS_NUMBER(n) ? n->u.number.r : NULL;

	if (!n)
		return hull_error(err, EINVAL, "`%s.size` is missing", path);
	/* yajl keeps integers that fit int64 as integers; anything else (a fraction, an
	 * exponent, -1, 1e400, 2^63) is refused */
	if (!YAJL_IS_INTEGER(n) || YAJL_GET_INTEGER(n) < 0)
		return hull_error(err, EINVAL,
				  "`%s.size` must be an integer from 0 to 2^63-1, not `%.32s`",
				  path, text ? text : "(not a number)");
	*out = (uint64_t)YAJL_GET_INTEGER(n);
	return 0;
}

/* key: absent, null or a string */
static int string(yajl_val v, const char *key, const char *path, char **out, struct hull_err *err)
{
	yajl_val s = sj_get(v, key);

	if (!s || YAJL_IS_NULL(s))
		return 0;
	if (!YAJL_IS_STRING(s))
		return hull_error(err, EINVAL, "`%s.%s` must be a string", path, key);
	*out = xstrdup(s->u.string);
	return 0;
}

static int parse_descriptor(yajl_val v, const char *path, struct hull_descriptor *d,
			    struct hull_err *err)
{
	cleanup_free char *digest = NULL;

	memset(d, 0, sizeof(*d));
	if (!v || !YAJL_IS_OBJECT(v))
		return hull_error(err, EINVAL, "`%s` must be an object", path);
	if (string(v, "mediaType", path, &d->media_type, err) < 0 ||
	    string(v, "digest", path, &digest, err) < 0 || parse_size(v, path, &d->size, err) < 0 ||
	    hull_digest_check(digest, path, err) < 0) {
		free(d->media_type);
		d->media_type = NULL;
		return -1;
	}
	memcpy(d->digest, digest, HULL_DIGEST_SIZE);
	return 0;
}

/* schemaVersion: the integer 2 (both OCI's and Docker's schema 2; 1 had no config). */
static int check_schema(yajl_val tree, const char *what, struct hull_err *err)
{
	yajl_val v = sj_get(tree, "schemaVersion");

	if (!v || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) != 2)
		return hull_error(err, EINVAL, "%s: `schemaVersion` must be 2, not `%.32s`", what,
				  !v		      ? "(missing)"
				  : YAJL_IS_NUMBER(v) ? v->u.number.r
						      : "(not a number)");
	return 0;
}

int hull_manifest_parse(const char *json, struct hull_manifest *m, struct hull_err *err)
{
	char ebuf[256], path[32];
	yajl_val tree = yajl_tree_parse(json, ebuf, sizeof(ebuf)), layers;
	size_t i;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (!tree || !YAJL_IS_OBJECT(tree)) {
		hull_error(err, EINVAL, "manifest: %s", tree ? "not an object" : ebuf);
		goto out;
	}
	if (check_schema(tree, "manifest", err) < 0)
		goto out;
	if (parse_descriptor(sj_get(tree, "config"), "config", &m->config, err) < 0) {
		hull_error_wrap(err, "manifest");
		goto out;
	}
	layers = sj_get(tree, "layers");
	if (!layers || !YAJL_IS_ARRAY(layers)) {
		hull_error(err, EINVAL, "manifest: `layers` must be an array");
		goto out;
	}
	m->layers = xzalloc((layers->u.array.len + 1) * sizeof(*m->layers));
	for (i = 0; i < layers->u.array.len; i++) {
		snprintf(path, sizeof(path), "layers[%zu]", i);
		if (parse_descriptor(layers->u.array.values[i], path, &m->layers[i], err) < 0) {
			hull_error_wrap(err, "manifest");
			goto out;
		}
		m->n_layers++;
		if (m->layers[i].media_type && !strstr(m->layers[i].media_type, "tar")) {
			hull_error(err, ENOTSUP, "manifest: layers[%zu] has media type `%.64s`", i,
				   m->layers[i].media_type);
			goto out;
		}
	}
	rc = 0;
out:
	yajl_tree_free(tree);
	if (rc < 0)
		hull_manifest_free(m);
	return rc;
}

void hull_manifest_free(struct hull_manifest *m)
{
	size_t i;
	free(m->config.media_type);
	for (i = 0; i < m->n_layers; i++)
		free(m->layers[i].media_type);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

const char *hull_layer_media_type(const struct hull_store *s, const char *digest)
{
	cleanup_free char *p = hull_store_blob_path(s, digest);
	cleanup_close int fd = open(p, O_RDONLY | O_CLOEXEC);
	unsigned char b[4] = {0};

	if (fd >= 0 && read(fd, b, sizeof(b)) == (ssize_t)sizeof(b)) {
		if (b[0] == 0x1f && b[1] == 0x8b)
			return HULL_MT_LAYER "+gzip";
		if (b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
			return HULL_MT_LAYER "+zstd";
	}
	return HULL_MT_LAYER;
}

static void descriptor(yajl_gen g, const struct hull_store *s, const char *mt, const char *digest)
{
	cleanup_free char *p = hull_store_blob_path(s, digest);
	struct stat st = {0};
	stat(p, &st);
	yajl_gen_map_open(g);
	hull_gen_str(g, "mediaType");
	hull_gen_str(g, mt);
	hull_gen_str(g, "digest");
	hull_gen_str(g, digest);
	hull_gen_str(g, "size");
	yajl_gen_integer(g, (long long)st.st_size);
	yajl_gen_map_close(g);
}

int hull_manifest_write(struct hull_store *s, const char *config, const char *const *layers,
			size_t n, char out[HULL_DIGEST_SIZE], struct hull_err *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t i, len;
	int rc;

	yajl_gen_map_open(g);
	hull_gen_str(g, "schemaVersion");
	yajl_gen_integer(g, 2);
	hull_gen_str(g, "mediaType");
	hull_gen_str(g, HULL_MT_MANIFEST);
	hull_gen_str(g, "config");
	descriptor(g, s, HULL_MT_CONFIG, config);
	hull_gen_str(g, "layers");
	yajl_gen_array_open(g);
	for (i = 0; i < n; i++)
		descriptor(g, s, hull_layer_media_type(s, layers[i]), layers[i]);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	rc = hull_store_put_blob(s, buf, len, NULL, out, err);
	yajl_gen_free(g);
	return rc;
}

int hull_image_index_parse(const char *json, struct hull_image_index *ix, struct hull_err *err)
{
	char ebuf[256], path[32];
	yajl_val tree = yajl_tree_parse(json, ebuf, sizeof(ebuf)), arr;
	size_t i;
	int rc = -1;

	memset(ix, 0, sizeof(*ix));
	if (!tree || !YAJL_IS_OBJECT(tree)) {
		hull_error(err, EINVAL, "image index: %s", tree ? "not an object" : ebuf);
		goto out;
	}
	if (check_schema(tree, "image index", err) < 0)
		goto out;
	arr = sj_get(tree, "manifests");
	if (!arr || !YAJL_IS_ARRAY(arr) || !arr->u.array.len) {
		hull_error(err, EINVAL,
			   "image index: no manifests (`manifests` must be a non-empty "
			   "array)");
		goto out;
	}
	ix->v = xzalloc(arr->u.array.len * sizeof(*ix->v));
	for (i = 0; i < arr->u.array.len; i++) {
		yajl_val d = arr->u.array.values[i], p = sj_get(d, "platform");
		yajl_val ann = sj_get(d, "annotations");
		struct hull_image_index_entry *e = &ix->v[i];
		const char *os = hull_json_str(sj_get(p, "os"));
		const char *arch = hull_json_str(sj_get(p, "architecture"));
		const char *name = hull_json_str(sj_get(ann, "io.containerd.image.name"));
		const char *ref = hull_json_str(sj_get(ann, "org.opencontainers.image.ref.name"));

		snprintf(path, sizeof(path), "manifests[%zu]", i);
		if (parse_descriptor(d, path, &e->d, err) < 0) {
			hull_error_wrap(err, "image index");
			goto out;
		}
		ix->n++;
		e->linux_amd64 = os && !strcmp(os, "linux") && arch && !strcmp(arch, "amd64");
		e->os = os ? xstrdup(os) : NULL;
		e->arch = arch ? xstrdup(arch) : NULL;
		e->variant = hull_json_str(sj_get(p, "variant"))
				     ? xstrdup(hull_json_str(sj_get(p, "variant")))
				     : NULL;
		e->name = name ? xstrdup(name) : NULL;
		e->ref_name = ref ? xstrdup(ref) : NULL;
	}
	rc = 0;
out:
	yajl_tree_free(tree);
	if (rc < 0)
		hull_image_index_free(ix);
	return rc;
}

void hull_image_index_free(struct hull_image_index *ix)
{
	for (size_t i = 0; i < ix->n; i++) {
		free(ix->v[i].d.media_type);
		free(ix->v[i].name);
		free(ix->v[i].ref_name);
		free(ix->v[i].os);
		free(ix->v[i].arch);
		free(ix->v[i].variant);
	}
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

int hull_index_select(const char *json, const struct hull_platform *want,
		      char out[HULL_DIGEST_SIZE], struct hull_err *err)
{
	struct hull_image_index ix;
	struct hull_platform host;
	char have[512] = "", one[96];
	size_t i;

	if (hull_image_index_parse(json, &ix, err) < 0)
		return -1;
	if (!want)
		hull_platform_host(&host);
	for (i = 0; i < ix.n; i++)
		if ((!want && ix.n == 1) || hull_platform_match(want ? want : &host, ix.v[i].os,
								ix.v[i].arch, ix.v[i].variant))
			break;
	if (i == ix.n) {
		const struct hull_platform *w = want ? want : &host;
		char asked[96];
		for (size_t j = 0; j < ix.n; j++) {
			hull_platform_format(ix.v[j].os, ix.v[j].arch, ix.v[j].variant, one,
					     sizeof(one));
			if (strlen(have) + strlen(one) + 3 < sizeof(have))
				snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s",
					 j ? ", " : "", one);
		}
		hull_platform_format(w->os, w->arch, w->variant, asked, sizeof(asked));
		hull_image_index_free(&ix);
		return hull_error(err, ENOENT,
				  "image index: no manifest for %s (the index has %s; choose one "
				  "with --platform)",
				  asked, have);
	}
	memcpy(out, ix.v[i].d.digest, HULL_DIGEST_SIZE);
	hull_image_index_free(&ix);
	return 0;
}

int hull_config_diff_ids(const char *json, char ***diff_ids, char **created, struct hull_err *err)
{
	char ebuf[256];
	yajl_val tree = yajl_tree_parse(json, ebuf, sizeof(ebuf)), rootfs;
	size_t i;
	int rc = -1;

	*diff_ids = NULL;
	if (!tree)
		return hull_error(err, EINVAL, "image config: %s", ebuf);
	rootfs = sj_get(tree, "rootfs");
	if (sj_strv(rootfs, "diff_ids", "rootfs", diff_ids, err) < 0)
		goto out;
	if (!*diff_ids) {
		hull_error(err, EINVAL, "image config: no `rootfs.diff_ids`");
		goto out;
	}
	for (i = 0; (*diff_ids)[i]; i++)
		if (hull_digest_check((*diff_ids)[i], "image config: rootfs.diff_ids", err) < 0)
			goto out;
	if (created && sj_string(tree, "created", "", created, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		hull_strv_free(*diff_ids);
		*diff_ids = NULL;
	}
	yajl_tree_free(tree);
	return rc;
}
