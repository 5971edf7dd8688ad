/* `hull load`: docker-archive and oci-archive tarballs read in one streaming pass (blobs go
 * straight into the store, verified), and OCI image layout directories. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <yajl/yajl_tree.h>

#include "image/load.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/whiteout.h"
#include "lib/json.h"
#include "lib/util.h"

#define SMALL_MAX (16 << 20) /* JSON files of an archive are kept in memory up to this */

/* What the archive held, by cleaned path. */
struct member {
	char *path;
	char *link; /* symlink or hard link target (cleaned, relative to the archive root) */
	char digest[HULL_DIGEST_SIZE];
	char *data; /* small JSON files */
	size_t len;
};

struct source {
	struct member *v;
	size_t n;
	const char *dir; /* an OCI layout directory (else an archive) */
	int dirfd;
	const char *name; /* for messages */
};

static void source_free(struct source *src)
{
	size_t i;
	for (i = 0; i < src->n; i++) {
		free(src->v[i].path);
		free(src->v[i].link);
		free(src->v[i].data);
	}
	free(src->v);
	if (src->dirfd >= 0)
		close(src->dirfd);
}

static struct member *find(struct source *src, const char *path)
{
	cleanup_free char *clean = NULL;
	int hops;

	if (hull_layer_path_clean(path, &clean, NULL) < 0)
		return NULL;
	for (hops = 0; hops < 16; hops++) {
		struct member *m = NULL;
		size_t i;
		for (i = 0; i < src->n; i++)
			if (!strcmp(src->v[i].path, clean))
				m = &src->v[i];
		if (!m || !m->link)
			return m;
		free(clean);
		clean = xstrdup(m->link);
	}
	return NULL;
}

static bool is_small(const char *path)
{
	size_t n = strlen(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return (n > 5 && !strcmp(path + n - 5, ".json")) || !strcmp(base, "repositories") ||
	       !strcmp(base, "oci-layout");
}

/* A symlink's target, relative to the archive root. */
static char *link_target(const char *path, const char *target)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *joined = NULL;
	char *out = NULL;
	if (target[0] == '/' || !slash)
		joined = xstrdup(target);
	else
		joined = hull_strfmt("%.*s/%s", (int)(slash - path), path, target);
	/* "a/../b" is fine inside an archive; resolve it textually, never above the root */
	{
		char *parts[256], *save = NULL, *tok;
		size_t n = 0, i, len = 0;
		for (tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
			if (!strcmp(tok, "."))
				continue;
			if (!strcmp(tok, "..")) {
				if (n)
					n--;
				continue;
			}
			if (n < ARRAY_SIZE(parts))
				parts[n++] = tok;
		}
		out = xzalloc(strlen(path) + strlen(target) + 2);
		for (i = 0; i < n; i++)
			len += sprintf(out + len, "%s%s", i ? "/" : "", parts[i]);
	}
	return out;
}

static int read_member(struct hull_store *s, struct archive *a, struct archive_entry *e,
		       struct member *m, struct hull_err *err)
{
	la_int64_t size = archive_entry_size(e);
	const char *hex = hull_has_prefix(m->path, "blobs/sha256/") ? m->path + 13 : NULL;
	cleanup_free char *expect = hex ? hull_strfmt("sha256:%s", hex) : NULL;
	struct hull_blob_writer *w;
	char buf[1 << 16];
	uint64_t done = 0, shown = 0;
	la_ssize_t n;

	if (expect && !hull_digest_valid(expect))
		expect = (free(expect), NULL);
	if (!expect && is_small(m->path) && size >= 0 && size <= SMALL_MAX) {
		m->data = xmalloc(size + 1);
		n = archive_read_data(a, m->data, size);
		if (n != size)
			return hull_error(err, EIO, "read `%s`: %s", m->path,
					  n < 0 ? archive_error_string(a) : "short read");
		m->data[size] = '\0';
		m->len = size;
		return 0;
	}
	w = hull_blob_begin(s, err);
	if (!w)
		return -1;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (hull_blob_write(w, buf, n, err) < 0) {
			hull_blob_abort(w);
			return -1;
		}
		done += n;
		if (s->progress.fn && done - shown >= (1 << 20)) {
			shown = done;
			s->progress.fn(s->progress.ctx, m->path, done, size > 1 ? size : 0);
		}
	}
	if (n < 0) {
		hull_blob_abort(w);
		return hull_error(err, EIO, "read `%s`: %s", m->path, archive_error_string(a));
	}
	if (hull_blob_commit(w, expect, m->digest, NULL, err) < 0)
		return hull_error_wrap(err, "`%s`", m->path);
	if (s->progress.fn)
		s->progress.fn(s->progress.ctx, m->path, 1, 1);
	return 0;
}

static int scan_archive(struct hull_store *s, int fd, struct source *src, struct hull_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r, rc = -1;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
		hull_error(err, EINVAL, "`%s`: %s", src->name, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		mode_t type = archive_entry_filetype(e);
		struct member m = {0};

		if (!name || (type != AE_IFREG && type != AE_IFLNK))
			continue;
		if (hull_layer_path_clean(name, &m.path, err) < 0) {
			hull_error_wrap(err, "`%s`: entry refused", src->name);
			goto out;
		}
		if (archive_entry_hardlink(e))
			m.link = link_target("", archive_entry_hardlink(e));
		else if (type == AE_IFLNK)
			m.link = link_target(m.path, archive_entry_symlink(e));
		else if (read_member(s, a, e, &m, err) < 0) {
			free(m.path);
			free(m.data);
			hull_error_wrap(err, "`%s`", src->name);
			goto out;
		}
		src->v = xrealloc(src->v, (src->n + 1) * sizeof(*src->v));
		src->v[src->n++] = m;
	}
	if (r != ARCHIVE_EOF) {
		hull_error(err, EINVAL, "`%s`: %s", src->name, archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	return rc;
}

/* A blob an OCI manifest names: from the layout directory, or already stored by the scan. */
static int need_blob(struct hull_store *s, struct source *src, const char *digest,
		     struct hull_err *err)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
	cleanup_free char *rel = NULL;
	cleanup_close int fd = -1;

	if (hull_digest_check(digest, "descriptor", err) < 0)
		return -1;
	if (hull_store_has_blob(s, digest))
		return 0;
	if (src->dir) {
		rel = hull_strfmt("blobs/sha256/%s", hull_digest_hex(digest));
		fd = (int)syscall(SYS_openat2, src->dirfd, rel, &how, sizeof(how));
		if (fd < 0)
			return hull_error(err, errno, "`%s/%s`", src->dir, rel);
		return hull_store_put_fd(s, fd, rel, digest, NULL, NULL, err);
	}
	return hull_error(err, ENOENT, "`%s`: blob %s is not in the archive", src->name, digest);
}

static int add_result(struct hull_loaded *out, struct hull_image *img)
{
	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	out->v[out->n++] = *img;
	return 0;
}

/* docker save: manifest.json lists Config, RepoTags and Layers by path in the archive. */
static int load_docker(struct hull_store *s, struct source *src, const struct member *mj,
		       struct hull_loaded *out, struct hull_err *err)
{
	char ebuf[256];
	yajl_val tree = yajl_tree_parse(mj->data, ebuf, sizeof(ebuf));
	size_t i, j;
	int rc = -1;

	if (!tree || !YAJL_IS_ARRAY(tree)) {
		hull_error(err, EINVAL, "`%s`: manifest.json: %s", src->name,
			   tree ? "not an array" : ebuf);
		goto out;
	}
	for (i = 0; i < tree->u.array.len; i++) {
		yajl_val e = tree->u.array.values[i];
		cleanup_free char *cfg = NULL;
		char **layers = NULL, **tags = NULL, **names = NULL;
		char config[HULL_DIGEST_SIZE], manifest[HULL_DIGEST_SIZE];
		const char **digests = NULL;
		struct hull_image img;
		struct member *m;
		int ok = -1;

		if (sj_string(e, "Config", "manifest.json", &cfg, err) < 0 ||
		    sj_strv(e, "Layers", "manifest.json", &layers, err) < 0 ||
		    sj_strv(e, "RepoTags", "manifest.json", &tags, err) < 0)
			goto next;
		m = cfg ? find(src, cfg) : NULL;
		if (!m) {
			hull_error(err, ENOENT, "`%s`: config `%s` is not in the archive",
				   src->name, cfg ? cfg : "(none)");
			goto next;
		}
		if (m->data) {
			if (hull_store_put_blob(s, m->data, m->len, NULL, config, err) < 0)
				goto next;
		} else {
			memcpy(config, m->digest, HULL_DIGEST_SIZE);
		}
		digests = xzalloc((hull_strv_len(layers) + 1) * sizeof(char *));
		for (j = 0; layers && layers[j]; j++) {
			m = find(src, layers[j]);
			if (!m || m->data) {
				hull_error(err, ENOENT, "`%s`: layer `%s` is not in the archive",
					   src->name, layers[j]);
				goto next;
			}
			digests[j] = m->digest;
		}
		names = xzalloc((hull_strv_len(tags) + 1) * sizeof(char *));
		for (j = 0; tags && tags[j]; j++)
			if (hull_ref_normalize(tags[j], &names[j], err) < 0)
				goto next;
		if (hull_manifest_write(s, config, digests, hull_strv_len(layers), manifest, err) <
		    0)
			goto next;
		if (hull_image_commit(s, manifest, names, &img, err) < 0)
			goto next;
		add_result(out, &img);
		ok = 0;
	next:
		hull_strv_free(layers);
		hull_strv_free(tags);
		hull_strv_free(names);
		free(digests);
		if (ok < 0)
			goto out;
	}
	rc = 0;
out:
	yajl_tree_free(tree);
	return rc;
}

static const char *str(yajl_val v)
{
	return v && YAJL_IS_STRING(v) ? v->u.string : NULL;
}

/* The name an OCI index entry gives its image, if any. */
static char *oci_name(yajl_val desc)
{
	yajl_val ann = sj_get(desc, "annotations");
	const char *full = str(sj_get(ann, "io.containerd.image.name"));
	const char *ref = str(sj_get(ann, "org.opencontainers.image.ref.name"));
	char *name = NULL;

	if (full && hull_ref_normalize(full, &name, NULL) == 0)
		return name;
	/* a bare tag ("latest") names no repository: the image stays unnamed */
	if (ref && strpbrk(ref, ":/") && hull_ref_normalize(ref, &name, NULL) == 0)
		return name;
	return NULL;
}

static int load_oci(struct hull_store *s, struct source *src, const char *index_json,
		    struct hull_loaded *out, struct hull_err *err)
{
	char ebuf[256];
	yajl_val tree = yajl_tree_parse(index_json, ebuf, sizeof(ebuf)), arr;
	size_t i;
	int rc = -1;

	arr = sj_get(tree, "manifests");
	if (!tree || !arr || !YAJL_IS_ARRAY(arr)) {
		hull_error(err, EINVAL, "`%s`: index.json: %s", src->name,
			   tree ? "no `manifests` array" : ebuf);
		goto out;
	}
	for (i = 0; i < arr->u.array.len; i++) {
		yajl_val d = arr->u.array.values[i];
		const char *dg = str(sj_get(d, "digest")), *mt = str(sj_get(d, "mediaType"));
		char manifest[HULL_DIGEST_SIZE];
		cleanup_free char *text = NULL;
		char *names[2] = {oci_name(d), NULL};
		struct hull_manifest m;
		struct hull_image img;
		size_t j;
		int ok = -1;

		if (hull_digest_check(dg, "index.json: manifests[].digest", err) < 0 ||
		    need_blob(s, src, dg, err) < 0)
			goto next;
		memcpy(manifest, dg, HULL_DIGEST_SIZE);
		if (mt && (!strcmp(mt, HULL_MT_INDEX) || !strcmp(mt, HULL_MT_DOCKER_LIST))) {
			if (hull_store_read_blob(s, manifest, &text, NULL, err) < 0 ||
			    hull_index_select(text, manifest, err) < 0 ||
			    need_blob(s, src, manifest, err) < 0)
				goto next;
			free(text);
			text = NULL;
		}
		if (hull_store_read_blob(s, manifest, &text, NULL, err) < 0 ||
		    hull_manifest_parse(text, &m, err) < 0)
			goto next;
		ok = need_blob(s, src, m.config.digest, err);
		for (j = 0; ok == 0 && j < m.n_layers; j++)
			ok = need_blob(s, src, m.layers[j].digest, err);
		hull_manifest_free(&m);
		if (ok < 0)
			goto next;
		ok = hull_image_commit(s, manifest, names[0] ? names : NULL, &img, err);
		if (ok == 0)
			add_result(out, &img);
	next:
		free(names[0]);
		if (ok < 0)
			goto out;
	}
	rc = 0;
out:
	yajl_tree_free(tree);
	return rc;
}

int hull_image_load(struct hull_store *s, const char *path, struct hull_loaded *out,
		    struct hull_err *err)
{
	struct source src = {.dirfd = -1, .name = strcmp(path, "-") ? path : "standard input"};
	cleanup_close int fd = -1;
	cleanup_free char *index = NULL;
	struct member *m;
	struct stat st;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(0);
	if (fd < 0 || fstat(fd, &st) < 0)
		return hull_error(err, errno, "open `%s`", src.name);
	if (S_ISDIR(st.st_mode)) {
		src.dir = path;
		src.dirfd = steal_fd(&fd);
		fd = openat(src.dirfd, "index.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || hull_read_fd(fd, &index, NULL, err) < 0) {
			hull_error(err, errno, "`%s` is not an OCI image layout: index.json", path);
			goto out;
		}
		rc = load_oci(s, &src, index, out, err);
		goto out;
	}
	if (scan_archive(s, fd, &src, err) < 0)
		goto out;
	if ((m = find(&src, "manifest.json")) && m->data)
		rc = load_docker(s, &src, m, out, err);
	else if ((m = find(&src, "index.json")) && m->data)
		rc = load_oci(s, &src, m->data, out, err);
	else
		hull_error(err, EINVAL,
			   "`%s` is neither a docker-archive nor an oci-archive (no manifest.json "
			   "or index.json)",
			   src.name);
out:
	source_free(&src);
	if (rc < 0)
		hull_loaded_free(out);
	return rc;
}
