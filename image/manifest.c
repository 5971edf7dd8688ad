#include "image/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "lib/json.h"
#include "lib/util.h"

static int parse_descriptor(yajl_val v, const char *path, struct hull_descriptor *d,
			    struct hull_err *err)
{
	cleanup_free char *digest = NULL;
	uint64_t size = 0;

	if (!v || !YAJL_IS_OBJECT(v))
		return hull_error(err, EINVAL, "manifest: `%s` must be an object", path);
	if (sj_string(v, "mediaType", path, &d->media_type, err) < 0 ||
	    sj_string(v, "digest", path, &digest, err) < 0 ||
	    sj_u64(v, "size", path, &size, err) < 0)
		return -1;
	if (hull_digest_check(digest, path, err) < 0)
		return -1;
	memcpy(d->digest, digest, HULL_DIGEST_SIZE);
	d->size = size;
	return 0;
}

int hull_manifest_parse(const char *json, struct hull_manifest *m, struct hull_err *err)
{
	char ebuf[256], path[32];
	yajl_val tree = yajl_tree_parse(json, ebuf, sizeof(ebuf)), layers;
	size_t i;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (!tree)
		return hull_error(err, EINVAL, "manifest: %s", ebuf);
	if (parse_descriptor(sj_get(tree, "config"), "config", &m->config, err) < 0)
		goto out;
	layers = sj_get(tree, "layers");
	if (!layers || !YAJL_IS_ARRAY(layers)) {
		hull_error(err, EINVAL, "manifest: `layers` must be an array");
		goto out;
	}
	m->layers = xzalloc((layers->u.array.len + 1) * sizeof(*m->layers));
	for (i = 0; i < layers->u.array.len; i++) {
		snprintf(path, sizeof(path), "layers[%zu]", i);
		if (parse_descriptor(layers->u.array.values[i], path, &m->layers[i], err) < 0)
			goto out;
		m->n_layers++;
		if (m->layers[i].media_type && !strstr(m->layers[i].media_type, "tar")) {
			hull_error(err, ENOTSUP, "manifest: layers[%zu] has media type `%s`", i,
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

static const char *str(yajl_val v)
{
	return v && YAJL_IS_STRING(v) ? v->u.string : NULL;
}

int hull_index_select(const char *json, char out[HULL_DIGEST_SIZE], struct hull_err *err)
{
	char ebuf[256];
	yajl_val tree = yajl_tree_parse(json, ebuf, sizeof(ebuf)), arr;
	const char *pick = NULL;
	size_t i;

	if (!tree)
		return hull_error(err, EINVAL, "image index: %s", ebuf);
	arr = sj_get(tree, "manifests");
	for (i = 0; arr && YAJL_IS_ARRAY(arr) && i < arr->u.array.len; i++) {
		yajl_val m = arr->u.array.values[i], p = sj_get(m, "platform");
		const char *d = str(sj_get(m, "digest")), *os = str(sj_get(p, "os"));
		const char *arch = str(sj_get(p, "architecture"));
		if (!d)
			continue;
		if (arr->u.array.len == 1 ||
		    (os && !strcmp(os, "linux") && arch && !strcmp(arch, "amd64"))) {
			pick = d;
			break;
		}
	}
	if (!pick || !hull_digest_valid(pick)) {
		yajl_tree_free(tree);
		return hull_error(err, ENOENT, "image index: no manifest for linux/amd64");
	}
	memcpy(out, pick, HULL_DIGEST_SIZE);
	yajl_tree_free(tree);
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
