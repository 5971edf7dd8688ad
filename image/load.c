/* SPDX-License-Identifier: Apache-2.0 */
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

#include "image/echo.h"
#include "image/dockerman.h"
#include "image/echo.h"
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
			return hull_error(err, EIO, "read `%s`: %s", ECHO(m->path),
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
		return hull_error(err, EIO, "read `%s`: %s", ECHO(m->path),
				  archive_error_string(a));
	}
	if (hull_blob_commit(w, expect, m->digest, NULL, err) < 0)
		return hull_error_wrap(err, "`%s`", ECHO(m->path));
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

static int have_blob(struct hull_store *s, struct source *src, const char *digest,
		     struct hull_err *err);

/* A blob an OCI descriptor names, from the layout directory or already stored by the scan,
 * and as big as the descriptor says. */
static int need_blob(struct hull_store *s, struct source *src, const struct hull_descriptor *d,
		     struct hull_err *err)
{
	uint64_t size;

	if (have_blob(s, src, d->digest, err) < 0 ||
	    hull_store_blob_size(s, d->digest, &size, err) < 0)
		return -1;
	if (size != d->size)
		return hull_error(err, EBADMSG,
				  "`%s`: blob %s has %llu bytes, but its descriptor says %llu",
				  src->name, d->digest, (unsigned long long)size,
				  (unsigned long long)d->size);
	return 0;
}

static int have_blob(struct hull_store *s, struct source *src, const char *digest,
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
	struct hull_docker_image *v;
	size_t n, i, j;
	int rc = -1;

	if (hull_docker_manifest_parse(mj->data, &v, &n, err) < 0)
		return hull_error_wrap(err, "`%s`", src->name);
	for (i = 0; i < n; i++) {
		char **layers = v[i].layers, **tags = v[i].tags, **names = NULL;
		char config[HULL_DIGEST_SIZE], manifest[HULL_DIGEST_SIZE];
		const char **digests = NULL;
		struct hull_image img;
		struct member *m;
		int ok = -1;

		m = find(src, v[i].config);
		if (!m) {
			hull_error(err, ENOENT, "`%s`: config `%s` is not in the archive",
				   src->name, ECHO(v[i].config));
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
					   src->name, ECHO(layers[j]));
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
		hull_strv_free(names);
		free(digests);
		if (ok < 0)
			goto out;
	}
	rc = 0;
out:
	hull_docker_manifest_free(v, n);
	return rc;
}

/* The name an OCI index entry gives its image, if any. */
static char *oci_name(const struct hull_image_index_entry *e)
{
	char *name = NULL;

	if (e->name && hull_ref_normalize(e->name, &name, NULL) == 0)
		return name;
	/* a bare tag ("latest") names no repository: the image stays unnamed */
	if (e->ref_name && strpbrk(e->ref_name, ":/") &&
	    hull_ref_normalize(e->ref_name, &name, NULL) == 0)
		return name;
	return NULL;
}

static bool is_index_type(const char *mt)
{
	return mt && (!strcmp(mt, HULL_MT_INDEX) || !strcmp(mt, HULL_MT_DOCKER_LIST));
}

/* A manifest (or nested index) blob: small enough to read whole, then read. */
static int read_manifest(struct hull_store *s, struct source *src, const struct hull_descriptor *d,
			 char **text, struct hull_err *err)
{
	if (d->size > HULL_MANIFEST_MAX)
		return hull_error(err, EFBIG,
				  "`%s`: manifest %s declares %llu bytes: more than the limit of "
				  "%d MiB",
				  src->name, d->digest, (unsigned long long)d->size,
				  HULL_MANIFEST_MAX >> 20);
	if (need_blob(s, src, d, err) < 0)
		return -1;
	return hull_store_read_blob(s, d->digest, text, NULL, err);
}

static int load_oci(struct hull_store *s, struct source *src, const char *index_json,
		    struct hull_loaded *out, struct hull_err *err)
{
	struct hull_image_index ix;
	size_t i;
	int rc = -1;

	if (hull_image_index_parse(index_json, &ix, err) < 0)
		return hull_error_wrap(err, "`%s`: index.json", src->name);
	for (i = 0; i < ix.n; i++) {
		struct hull_descriptor d = ix.v[i].d;
		cleanup_free char *text = NULL;
		char *names[2] = {oci_name(&ix.v[i]), NULL};
		struct hull_manifest m;
		struct hull_image img;
		size_t j;
		int ok = -1;

		if (read_manifest(s, src, &d, &text, err) < 0)
			goto next;
		if (is_index_type(d.media_type)) {
			struct hull_image_index nested;
			if (hull_image_index_parse(text, &nested, err) < 0)
				goto next;
			for (j = 0; j < nested.n; j++)
				if (nested.n == 1 || nested.v[j].linux_amd64)
					break;
			if (j == nested.n) {
				hull_image_index_free(&nested);
				hull_error(err, ENOENT, "image index: no manifest for linux/amd64");
				goto next;
			}
			memcpy(d.digest, nested.v[j].d.digest, HULL_DIGEST_SIZE);
			d.size = nested.v[j].d.size;
			hull_image_index_free(&nested);
			free(text);
			text = NULL;
			if (read_manifest(s, src, &d, &text, err) < 0)
				goto next;
		}
		d.media_type = NULL;
		if (hull_manifest_parse(text, &m, err) < 0)
			goto next;
		ok = m.config.size > HULL_CONFIG_MAX
			     ? hull_error(err, EFBIG,
					  "`%s`: the config %s declares %llu bytes: more than the "
					  "limit of %d MiB",
					  src->name, m.config.digest,
					  (unsigned long long)m.config.size, HULL_CONFIG_MAX >> 20)
			     : need_blob(s, src, &m.config, err);
		for (j = 0; ok == 0 && j < m.n_layers; j++)
			ok = need_blob(s, src, &m.layers[j], err);
		hull_manifest_free(&m);
		if (ok < 0)
			goto next;
		ok = hull_image_commit(s, d.digest, names[0] ? names : NULL, &img, err);
		if (ok == 0)
			add_result(out, &img);
	next:
		free(names[0]);
		if (ok < 0)
			goto out;
	}
	rc = 0;
out:
	hull_image_index_free(&ix);
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
