/* SPDX-License-Identifier: Apache-2.0 */
#include "image/pull.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/creds.h"
#include "image/fetch.h"
#include "image/gc.h"
#include "image/load.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/registry.h"
#include "lib/size.h"
#include "lib/util.h"

/* What a pull may cost, each adjustable in the environment (docs/hull.1.md).  The sizes are
 * what the manifest declares, checked before anything is fetched (and every blob is held to
 * its declared size as it arrives): a registry cannot fill the disk with an image nobody
 * would pull on purpose.  They are generous: real layers reach a few GiB (CUDA, ML
 * runtimes); raise them for more. */
#define MAX_BLOB_DEFAULT  (16LL << 30) /* HULL_PULL_MAX_BLOB: one layer */
#define MAX_IMAGE_DEFAULT (64LL << 30) /* HULL_PULL_MAX_IMAGE: config + layers */
/* HULL_PULL_TIMEOUT: the whole pull, in seconds (0: no limit).  An hour brings 4 GiB at
 * 10 Mbit/s; what arrived before a time-out stays in the store, so pulling again resumes. */
#define TIMEOUT_DEFAULT 3600
/* HULL_PULL_STALL_TIMEOUT: under HULL_STALL_MIN_SPEED bytes/s for this long fails a request */
#define STALL_DEFAULT HULL_STALL_DEFAULT

struct limits {
	int64_t max_blob, max_image;
	int64_t timeout, stall;
};

static int env_size(const char *name, int64_t dflt, int64_t *out, struct hull_err *err)
{
	const char *v = getenv(name);

	*out = dflt;
	if (!v || !*v)
		return 0;
	if (hull_parse_size(v, 1, out, err) < 0 || *out <= 0)
		return hull_error(err, EINVAL, "%s=%.32s: a size such as 512m or 20g is needed",
				  name, v);
	return 0;
}

static int env_seconds(const char *name, int64_t dflt, int64_t *out, struct hull_err *err)
{
	const char *v = getenv(name);
	char *end;

	*out = dflt;
	if (!v || !*v)
		return 0;
	errno = 0;
	*out = strtoll(v, &end, 10);
	/* whole seconds, as many as a 32-bit count holds */
	if (errno || *end || end == v || *out < 0 || *out > UINT32_MAX)
		return hull_error(err, EINVAL, "%s=%.32s: a whole number of seconds is needed",
				  name, v);
	return 0;
}

static int limits_get(struct limits *l, struct hull_err *err)
{
	if (env_size("HULL_PULL_MAX_BLOB", MAX_BLOB_DEFAULT, &l->max_blob, err) < 0 ||
	    env_size("HULL_PULL_MAX_IMAGE", MAX_IMAGE_DEFAULT, &l->max_image, err) < 0 ||
	    env_seconds("HULL_PULL_TIMEOUT", TIMEOUT_DEFAULT, &l->timeout, err) < 0 ||
	    env_seconds("HULL_PULL_STALL_TIMEOUT", STALL_DEFAULT, &l->stall, err) < 0)
		return -1;
	if (!l->stall)
		return hull_error(err, EINVAL, "HULL_PULL_STALL_TIMEOUT=0: at least 1 s is needed");
	return 0;
}

/* The declared sizes against the limits, before anything is fetched. */
static int check_sizes(const struct hull_manifest *m, const struct limits *l, struct hull_err *err)
{
	uint64_t total = m->config.size;

	if (m->config.size > HULL_CONFIG_MAX)
		return hull_error(err, EFBIG,
				  "the image config %s declares %" PRIu64
				  " bytes: more than the limit of %d MiB",
				  m->config.digest, m->config.size, HULL_CONFIG_MAX >> 20);
	for (size_t i = 0; i < m->n_layers; i++) {
		if (m->layers[i].size > (uint64_t)l->max_blob)
			return hull_error(err, EFBIG,
					  "the layer %s declares %" PRIu64
					  " bytes: more than the limit of %" PRId64
					  " (HULL_PULL_MAX_BLOB)",
					  m->layers[i].digest, m->layers[i].size, l->max_blob);
		/* saturating: a thousand layers of 2^63-1 bytes must not wrap around */
		total = m->layers[i].size > UINT64_MAX - total ? UINT64_MAX
							       : total + m->layers[i].size;
	}
	if (total > (uint64_t)l->max_image)
		return hull_error(err, EFBIG,
				  "the image declares %" PRIu64
				  " bytes in all: more than the limit of %" PRId64
				  " (HULL_PULL_MAX_IMAGE)",
				  total, l->max_image);
	return 0;
}

static int to_blob(void *ctx, const void *data, size_t len, struct hull_err *err)
{
	return hull_blob_write(ctx, data, len, err) < 0 ? -1 : 0;
}

/* The config: small, fetched alone (the layers need its diff IDs), checked on commit. */
static int fetch_config(struct hull_registry *r, struct hull_store *s, const char *digest,
			uint64_t size, struct hull_err *err)
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
	if (hull_registry_blob(r, digest, size,
			       &(struct hull_blob_sink){.write = to_blob, .ctx = w}, err) < 0) {
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

/* The config's diff IDs, one per layer, and (with --platform) its platform. */
static int read_config(struct hull_store *s, const struct hull_manifest *m,
		       const struct hull_platform *want, char ***diff_ids, struct hull_err *err)
{
	cleanup_free char *cfg = NULL;
	size_t n;

	if (hull_store_read_blob(s, m->config.digest, &cfg, NULL, err) < 0 ||
	    hull_config_diff_ids(cfg, diff_ids, NULL, err) < 0)
		return -1;
	n = hull_strv_len(*diff_ids);
	if (n != m->n_layers)
		return hull_error(err, EINVAL,
				  "the image config lists %zu diff IDs for the manifest's %zu "
				  "layers",
				  n, m->n_layers);
	if (want && !hull_config_platform_match(cfg, want)) {
		char w[96];
		hull_platform_format(want->os, want->arch, want->variant, w, sizeof(w));
		return hull_error(err, ENOENT,
				  "the image is not for %s (it has no index to choose "
				  "from, and its config names another platform)",
				  w);
	}
	return 0;
}

int hull_image_pull(struct hull_store *s, const char *ref, const struct hull_pull_opts *o,
		    struct hull_image *out, struct hull_err *err)
{
	struct hull_image_ref ir;
	struct hull_registry_opts ro = {
		.username = o->username, .password = o->password, .insecure = o->insecure};
	struct hull_creds stored = {0};
	struct hull_registry *r = NULL;
	struct hull_manifest m = {0};
	cleanup_free char *body = NULL, *mt = NULL, *name = NULL;
	char **diff_ids = NULL;
	char digest[HULL_DIGEST_SIZE];
	char *names[2] = {NULL, NULL};
	bool from_index = false;
	struct limits lim;
	struct timespec ts;
	int rc = -1;

	if (limits_get(&lim, err) < 0)
		return hull_error_wrap(err, "pull %s", ref);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ro.stall_seconds = (unsigned)lim.stall;
	ro.timeout_seconds = (unsigned)lim.timeout;
	if (lim.timeout)
		ro.deadline_ms = ((uint64_t)ts.tv_sec + (uint64_t)lim.timeout) * 1000 +
				 (uint64_t)ts.tv_nsec / 1000000;
	if (hull_image_ref_parse(ref, &ir, err) < 0)
		return -1;
	/* what a pull killed earlier left in tmp/ goes before this one adds its own */
	hull_store_tidy_tmp(s);
	/* a digest reference pins content, not a name to show */
	if (!strchr(ref, '@') && hull_ref_normalize(ref, &name, err) < 0)
		goto out;
	names[0] = name;
	if (!ro.username) {
		if (hull_creds_find(ir.host, o->authfile, &stored, err) < 0)
			goto out;
		ro.username = stored.username;
		ro.password = stored.password;
	}
	r = hull_registry_open(&ir, &ro, err);
	if (!r)
		goto out;
	if (fetch_manifest(r, s, ir.reference, &body, &mt, digest, err) < 0)
		goto out;
	if (is_index(mt, body)) {
		char pick[HULL_DIGEST_SIZE];
		if (hull_index_select(body, o->platform, pick, err) < 0)
			goto out;
		free(body);
		free(mt);
		body = mt = NULL;
		if (fetch_manifest(r, s, pick, &body, &mt, digest, err) < 0)
			goto out;
		from_index = true;
	}
	if (hull_manifest_parse(body, &m, err) < 0 || check_sizes(&m, &lim, err) < 0)
		goto out;
	if (fetch_config(r, s, m.config.digest, m.config.size, err) < 0 ||
	    read_config(s, &m, from_index ? NULL : o->platform, &diff_ids, err) < 0)
		goto out;
	if (hull_fetch_layers(s, r, &m, diff_ids, o->parallel, o->xfer, err) < 0)
		goto out;
	rc = hull_image_commit(s, digest, names[0] ? names : NULL, out, err);
out:
	if (rc < 0)
		hull_error_wrap(err, "pull %s", ref);
	hull_strv_free(diff_ids);
	hull_manifest_free(&m);
	hull_registry_close(r);
	hull_image_ref_free(&ir);
	hull_creds_free(&stored);
	return rc;
}
