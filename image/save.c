/* SPDX-License-Identifier: Apache-2.0 */
#include "image/save.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "image/index.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "lib/json.h"
#include "lib/util.h"

struct saved {
	struct hull_image *img;
	char **names; /* the names written for it: the one asked for, or all its names */
	struct hull_manifest m;
};

static int add_entry(struct archive *a, const char *path, const void *data, size_t len, int fd,
		     struct hull_err *err)
{
	struct archive_entry *e = archive_entry_new();
	char buf[1 << 16];
	ssize_t n;
	int rc = 0;

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0444);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, 0, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		rc = hull_error(err, archive_errno(a), "write `%s`: %s", path,
				archive_error_string(a));
		goto out;
	}
	if (data && len && archive_write_data(a, data, len) != (la_ssize_t)len)
		rc = hull_error(err, archive_errno(a), "write `%s`: %s", path,
				archive_error_string(a));
	while (fd >= 0 && rc == 0 && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || archive_write_data(a, buf, n) != n)
			rc = hull_error(err, n < 0 ? errno : archive_errno(a), "write `%s`", path);
	}
out:
	archive_entry_free(e);
	return rc;
}

static int add_blob(struct archive *a, const struct hull_store *s, const char *digest,
		    char ***written, struct hull_err *err)
{
	cleanup_free char *p = hull_store_blob_path(s, digest);
	cleanup_free char *name = hull_strfmt("blobs/sha256/%s", hull_digest_hex(digest));
	cleanup_close int fd = open(p, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t i, n = hull_strv_len(*written);

	for (i = 0; i < n; i++)
		if (!strcmp((*written)[i], digest))
			return 0; /* a layer shared by two images goes in once */
	if (fd < 0 || fstat(fd, &st) < 0)
		return hull_error(err, errno, "blob %s", digest);
	*written = xrealloc(*written, (n + 2) * sizeof(char *));
	(*written)[n] = xstrdup(digest);
	(*written)[n + 1] = NULL;
	return add_entry(a, name, NULL, (size_t)st.st_size, fd, err);
}

static int add_json(struct archive *a, const char *path, yajl_gen g, struct hull_err *err)
{
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	return add_entry(a, path, buf, len, -1, err);
}

static void gen_index(yajl_gen g, const struct hull_store *s, struct saved *v, size_t n)
{
	size_t i, j;
	yajl_gen_map_open(g);
	hull_gen_str(g, "schemaVersion");
	yajl_gen_integer(g, 2);
	hull_gen_str(g, "mediaType");
	hull_gen_str(g, HULL_MT_INDEX);
	hull_gen_str(g, "manifests");
	yajl_gen_array_open(g);
	for (i = 0; i < n; i++) {
		cleanup_free char *p = hull_store_blob_path(s, v[i].img->manifest);
		struct stat st = {0};
		stat(p, &st);
		/* one descriptor per name, so each name comes back on load */
		for (j = 0; j < (v[i].names[0] ? hull_strv_len(v[i].names) : 1); j++) {
			yajl_gen_map_open(g);
			hull_gen_str(g, "mediaType");
			hull_gen_str(g, HULL_MT_MANIFEST);
			hull_gen_str(g, "digest");
			hull_gen_str(g, v[i].img->manifest);
			hull_gen_str(g, "size");
			yajl_gen_integer(g, (long long)st.st_size);
			if (v[i].names[j]) {
				cleanup_free char *full = hull_strfmt(
					"%s%s",
					strchr(v[i].names[j], '/') ? "" : "docker.io/library/",
					v[i].names[j]);
				hull_gen_str(g, "annotations");
				yajl_gen_map_open(g);
				hull_gen_str(g, "io.containerd.image.name");
				hull_gen_str(g, full);
				hull_gen_str(g, "org.opencontainers.image.ref.name");
				hull_gen_str(g, v[i].names[j]);
				yajl_gen_map_close(g);
			}
			yajl_gen_map_close(g);
		}
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

static void gen_docker_manifest(yajl_gen g, struct saved *v, size_t n)
{
	size_t i, j;
	yajl_gen_array_open(g);
	for (i = 0; i < n; i++) {
		cleanup_free char *cfg =
			hull_strfmt("blobs/sha256/%s", hull_digest_hex(v[i].img->config));
		yajl_gen_map_open(g);
		hull_gen_str(g, "Config");
		hull_gen_str(g, cfg);
		hull_gen_str(g, "RepoTags");
		yajl_gen_array_open(g);
		for (j = 0; v[i].names[j]; j++)
			hull_gen_str(g, v[i].names[j]);
		yajl_gen_array_close(g);
		hull_gen_str(g, "Layers");
		yajl_gen_array_open(g);
		for (j = 0; j < v[i].m.n_layers; j++) {
			cleanup_free char *l = hull_strfmt(
				"blobs/sha256/%s", hull_digest_hex(v[i].m.layers[j].digest));
			hull_gen_str(g, l);
		}
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

/* repositories: {"repo": {"tag": "<top layer>"}}, for docker's older readers */
static void gen_repositories(yajl_gen g, struct saved *v, size_t n)
{
	size_t i, j;
	yajl_gen_map_open(g);
	for (i = 0; i < n; i++) {
		size_t nl = v[i].m.n_layers;
		for (j = 0; nl && v[i].names[j]; j++) {
			cleanup_free char *repo = NULL, *tag = NULL;
			hull_ref_split(v[i].names[j], &repo, &tag);
			hull_gen_str(g, repo);
			yajl_gen_map_open(g);
			hull_gen_str(g, tag);
			hull_gen_str(g, hull_digest_hex(v[i].m.layers[nl - 1].digest));
			yajl_gen_map_close(g);
		}
	}
	yajl_gen_map_close(g);
}

static bool has_name(const struct hull_image *img, const char *name)
{
	size_t i;
	for (i = 0; img->names[i]; i++)
		if (!strcmp(img->names[i], name))
			return true;
	return false;
}

static int write_all(struct archive *a, struct hull_store *s, struct saved *v, size_t n,
		     enum hull_save_format fmt, struct hull_err *err)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	char **written = xzalloc(sizeof(char *));
	yajl_gen g;
	size_t i, j;
	int rc = -1;

	if (add_entry(a, "oci-layout", layout, strlen(layout), -1, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (add_blob(a, s, v[i].img->manifest, &written, err) < 0 ||
		    add_blob(a, s, v[i].img->config, &written, err) < 0)
			goto out;
		for (j = 0; j < v[i].m.n_layers; j++)
			if (add_blob(a, s, v[i].m.layers[j].digest, &written, err) < 0)
				goto out;
	}
	g = yajl_gen_alloc(NULL);
	gen_index(g, s, v, n);
	rc = add_json(a, "index.json", g, err);
	yajl_gen_free(g);
	if (rc == 0 && fmt == HULL_SAVE_DOCKER) {
		g = yajl_gen_alloc(NULL);
		gen_docker_manifest(g, v, n);
		rc = add_json(a, "manifest.json", g, err);
		yajl_gen_free(g);
		g = yajl_gen_alloc(NULL);
		gen_repositories(g, v, n);
		if (rc == 0)
			rc = add_json(a, "repositories", g, err);
		yajl_gen_free(g);
	}
out:
	hull_strv_free(written);
	return rc;
}

int hull_image_save(struct hull_store *s, char *const *refs, int fd, enum hull_save_format fmt,
		    struct hull_err *err)
{
	size_t i, n = hull_strv_len(refs);
	struct saved *v = xzalloc((n + 1) * sizeof(*v));
	struct archive *a = NULL;
	struct hull_index idx;
	int rc = -1;

	if (hull_index_load(s, &idx, err) < 0) {
		free(v);
		return -1;
	}
	for (i = 0; i < n; i++) {
		cleanup_free char *text = NULL, *name = NULL;
		hull_err_clear(err);
		v[i].img = hull_index_find(&idx, refs[i], err);
		if (!v[i].img) {
			if (!err || !err->msg[0])
				hull_error(err, 0, "No such image: %s", refs[i]);
			goto out;
		}
		if (hull_ref_normalize(refs[i], &name, NULL) == 0 && has_name(v[i].img, name)) {
			v[i].names = xzalloc(2 * sizeof(char *));
			v[i].names[0] = steal_pointer(&name);
		} else {
			v[i].names = hull_strv_dup(v[i].img->names);
		}
		if (hull_store_read_blob(s, v[i].img->manifest, &text, NULL, err) < 0 ||
		    hull_manifest_parse(text, &v[i].m, err) < 0)
			goto out;
	}
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		hull_error(err, archive_errno(a), "write the archive: %s", archive_error_string(a));
		goto out;
	}
	rc = write_all(a, s, v, n, fmt, err);
	if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = hull_error(err, archive_errno(a), "write the archive: %s",
				archive_error_string(a));
out:
	if (a)
		archive_write_free(a);
	for (i = 0; i < n; i++) {
		hull_strv_free(v[i].names);
		hull_manifest_free(&v[i].m);
	}
	free(v);
	hull_index_free(&idx);
	return rc;
}
