#include "image/pull.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/load.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/registry.h"
#include "lib/util.h"

struct fetch {
	struct hull_store *s;
	const char *what;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct fetch *f = ctx;
	if (f->s->progress.fn)
		f->s->progress.fn(f->s->progress.ctx, f->what, done, total);
}

static int to_blob(void *ctx, const void *data, size_t len, struct hull_err *err)
{
	return hull_blob_write(ctx, data, len, err) < 0 ? -1 : 0;
}

/* A blob into the store unless it is there already; its digest is checked on commit. */
static int fetch_blob(struct hull_registry *r, struct hull_store *s, const char *digest,
		      struct hull_err *err)
{
	struct hull_blob_writer *w;
	char got[HULL_DIGEST_SIZE];

	if (hull_digest_check(digest, "blob digest", err) < 0)
		return -1;
	if (hull_store_has_blob(s, digest))
		return 0;
	w = hull_blob_begin(s, err);
	if (!w)
		return -1;
	if (hull_registry_blob(r, digest, to_blob, w, err) < 0) {
		hull_blob_abort(w);
		return -1;
	}
	return hull_blob_commit(w, digest, got, NULL, err);
}

/* GET a manifest, check it against the digest that names it (if any) and the one the
 * registry announced, and keep it as a blob. */
static int fetch_manifest(struct hull_registry *r, struct hull_store *s, const char *reference,
			  char **body, char **mt, char digest[HULL_DIGEST_SIZE],
			  struct hull_err *err)
{
	cleanup_free char *announced = NULL;
	size_t len;

	if (hull_registry_manifest(r, reference, body, &len, mt, &announced, err) < 0)
		return -1;
	hull_sha256_buf(*body, len, digest);
	if (hull_has_prefix(reference, "sha256:") && strcmp(reference, digest) != 0)
		goto mismatch;
	if (announced && hull_has_prefix(announced, "sha256:") && strcmp(announced, digest) != 0)
		goto mismatch;
	return hull_store_put_blob(s, *body, len, digest, digest, err);
mismatch:
	hull_error(err, EBADMSG, "the manifest %s has the digest %s: refusing it", reference,
		   digest);
	free(*body);
	free(*mt);
	*body = *mt = NULL;
	return -1;
}

static bool is_index(const char *mt, const char *body)
{
	return !strcmp(mt, HULL_MT_INDEX) || !strcmp(mt, HULL_MT_DOCKER_LIST) ||
	       (!*mt && strstr(body, "\"manifests\""));
}

int hull_image_pull(struct hull_store *s, const char *ref, const struct hull_pull_opts *o,
		    struct hull_image *out, struct hull_err *err)
{
	struct hull_image_ref ir;
	struct hull_registry_opts ro = {.username = o->username,
					.password = o->password,
					.insecure = o->insecure,
					.progress = on_progress};
	struct fetch f = {.s = s};
	struct hull_registry *r = NULL;
	struct hull_manifest m = {0};
	cleanup_free char *body = NULL, *mt = NULL, *name = NULL;
	char digest[HULL_DIGEST_SIZE];
	char *names[2] = {NULL, NULL};
	int rc = -1;

	if (hull_image_ref_parse(ref, &ir, err) < 0)
		return -1;
	/* a digest reference pins content, not a name to show */
	if (!strchr(ref, '@') && hull_ref_normalize(ref, &name, err) < 0)
		goto out;
	names[0] = name;
	ro.progress_ctx = &f;
	r = hull_registry_open(&ir, &ro, err);
	if (!r)
		goto out;
	f.what = "manifest";
	if (fetch_manifest(r, s, ir.reference, &body, &mt, digest, err) < 0)
		goto out;
	if (is_index(mt, body)) {
		char pick[HULL_DIGEST_SIZE];
		if (hull_index_select(body, pick, err) < 0)
			goto out;
		free(body);
		free(mt);
		body = mt = NULL;
		if (fetch_manifest(r, s, pick, &body, &mt, digest, err) < 0)
			goto out;
	}
	if (hull_manifest_parse(body, &m, err) < 0)
		goto out;
	f.what = "config";
	if (fetch_blob(r, s, m.config.digest, err) < 0)
		goto out;
	for (size_t i = 0; i < m.n_layers; i++) {
		char what[64];
		snprintf(what, sizeof(what), "blob %.19s", m.layers[i].digest);
		f.what = what;
		if (fetch_blob(r, s, m.layers[i].digest, err) < 0)
			goto out;
	}
	rc = hull_image_commit(s, digest, names[0] ? names : NULL, out, err);
out:
	if (rc < 0)
		hull_error_wrap(err, "pull %s", ref);
	hull_manifest_free(&m);
	hull_registry_close(r);
	hull_image_ref_free(&ir);
	return rc;
}
