/* SPDX-License-Identifier: Apache-2.0 */
/* Down from a registry: manifests, blobs (resumed after a dropped connection) and the /v2/
 * check of a login. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/regconn.h"
#include "lib/util.h"

#define ECHO_MAX HULL_REG_ECHO_MAX
/* The first wait before a retry, doubled each time (250 ms, 0.5, 1, 2 s). */
#define RETRY_WAIT_MS 250

int hull_registry_manifest(struct hull_registry *r, const char *reference, char **body, size_t *len,
			   char **media_type, char **digest, struct hull_err *err)
{
	cleanup_free char *url = hull_strfmt("%s/manifests/%s", r->base, reference);
	cleanup_free char *what = hull_strfmt("the manifest %.*s of %s/%s", ECHO_MAX, reference,
					      r->host, r->repository);
	struct hull_reg_resp out = {.o = r->o, .max = HULL_MANIFEST_MAX, .what = what};
	const char *accept = HULL_MT_OCI_INDEX ", " HULL_MT_OCI_MANIFEST ", " HULL_MT_DOCKER_LIST
					       ", " HULL_MT_DOCKER_MANIFEST;

	if (hull_reg_request(r, url, accept, &out, err) < 0)
		goto fail;
	if (out.status == 404) {
		hull_error(err, ENOENT, "%s/%s:%s: manifest unknown", r->host, r->repository,
			   reference);
		goto fail;
	}
	if (out.status != 200) {
		cleanup_free char *why = hull_reg_error(&out);
		hull_error(err, EIO, "get the manifest %s of %s/%s: %s", reference, r->host,
			   r->repository, why);
		goto fail;
	}
	*body = out.body ? out.body : xstrdup("");
	*len = out.len;
	*media_type = out.content_type_got ? out.content_type_got : xstrdup("");
	*digest = out.digest;
	out.body = out.content_type_got = out.digest = NULL;
	hull_reg_resp_free(&out);
	return 0;
fail:
	hull_reg_resp_free(&out);
	return -1;
}

/* One GET of the blob from out->got on. */
static int blob_once(struct hull_registry *r, const char *url, const char *digest,
		     struct hull_reg_resp *out, struct hull_err *err)
{
	out->range_from = out->got;
	if (hull_reg_request(r, url, "*/*", out, err) < 0)
		return -1;
	if (out->status == 206 || out->status == 200) {
		if (out->got != out->expect)
			return hull_error(err, EBADMSG,
					  "the blob %s is shorter than its descriptor says: "
					  "declared %llu bytes, received %llu",
					  digest, (unsigned long long)out->expect,
					  (unsigned long long)out->got);
		return 0;
	}
	{
		cleanup_free char *why = hull_reg_error(out);
		return hull_error(err, out->status == 404 ? ENOENT : EIO,
				  "get the blob %s of %s/%s: %s", digest, r->host, r->repository,
				  why);
	}
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int hull_registry_blob(struct hull_registry *r, const char *digest, uint64_t size,
		       const struct hull_blob_sink *sink, struct hull_err *err)
{
	cleanup_free char *url = hull_strfmt("%s/blobs/%s", r->base, digest);
	cleanup_free char *what = hull_strfmt("the blob %s", digest);
	struct hull_reg_resp out = {.o = r->o,
				    .what = what,
				    .sink = sink->write,
				    .sink_ctx = sink->ctx,
				    .sink_err = err,
				    .expect = size,
				    .progress = sink->progress,
				    .progress_ctx = sink->progress_ctx};
	int rc = -1;

	out.restart = sink->restart;
	for (unsigned attempt = 0;; attempt++) {
		rc = blob_once(r, url, digest, &out, err);
		if (rc == 0 || !sink->restart || attempt == HULL_BLOB_RETRIES)
			break;
		/* only a connection that went away is tried again; what the registry said
		 * (a 404, a wrong size) and a stall stand */
		if (err->errnum != ECONNRESET)
			break;
		if (sink->retrying)
			sink->retrying(sink->progress_ctx, attempt + 1, err);
		sleep_ms(RETRY_WAIT_MS << attempt);
		hull_reg_resp_reset(&out);
		hull_err_clear(err);
	}
	hull_reg_resp_free(&out);
	return rc;
}

int hull_registry_ping(struct hull_registry *r, struct hull_err *err)
{
	cleanup_free char *url = hull_strfmt("%s/", r->base);
	struct hull_reg_resp out = {.o = r->o, .max = HULL_REG_ERROR_BODY_MAX, .what = "/v2/"};
	int rc = -1;

	if (hull_reg_request(r, url, "application/json", &out, err) < 0)
		goto out;
	if (out.status != 200) {
		cleanup_free char *why = hull_reg_error(&out);
		hull_error(err, out.status == 404 ? ENOENT : EIO,
			   "%s does not answer as a registry (GET /v2/): %s", r->host, why);
		goto out;
	}
	rc = 0;
out:
	hull_reg_resp_free(&out);
	return rc;
}
