/* SPDX-License-Identifier: Apache-2.0 */
/* Up to a registry (distribution spec, "push"): blob checks, cross-repository mounts, uploads
 * and manifests. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/regconn.h"
#include "lib/util.h"

static int unexpected(struct hull_registry *r, const char *what, struct hull_reg_resp *out,
		      struct hull_err *err)
{
	cleanup_free char *why = hull_reg_error(out);
	return hull_error(err, EIO, "%s %s/%s: %s", what, r->host, r->repository, why);
}

int hull_registry_blob_exists(struct hull_registry *r, const char *digest, struct hull_err *err)
{
	cleanup_free char *url = hull_strfmt("%s/blobs/%s", r->base, digest);
	struct hull_reg_resp out = {.o = r->o, .method = "HEAD", .what = "a blob check"};
	int rc;

	if (hull_reg_request(r, url, "*/*", &out, err) < 0)
		rc = -1;
	else if (out.status == 200)
		rc = 1;
	else if (out.status == 404)
		rc = 0;
	else
		rc = unexpected(r, "HEAD the blob in", &out, err);
	hull_reg_resp_free(&out);
	return rc;
}

/* A Location the registry gave: absolute, or a path on the registry itself. */
static char *absolute(const struct hull_registry *r, const char *loc)
{
	if (hull_has_prefix(loc, "http://") || hull_has_prefix(loc, "https://"))
		return xstrdup(loc);
	return hull_strfmt("%s%s%s", r->origin, loc[0] == '/' ? "" : "/", loc);
}

/* POST .../blobs/uploads/ (query: "" or "?mount=...&from=..."): the status and Location. */
static int post_upload(struct hull_registry *r, const char *query, long *status, char **location,
		       struct hull_err *err)
{
	cleanup_free char *url = hull_strfmt("%s/blobs/uploads/%s", r->base, query);
	struct hull_reg_resp out = {.o = r->o, .method = "POST", .what = "an upload"};
	int rc = -1;

	*location = NULL;
	if (hull_reg_request(r, url, "*/*", &out, err) < 0)
		goto out;
	*status = out.status;
	if (out.status != 201 && out.status != 202) {
		unexpected(r, "start an upload to", &out, err);
		goto out;
	}
	if (out.status == 202 && !out.location) {
		hull_error(err, EIO, "%s/%s: an upload without a Location", r->host, r->repository);
		goto out;
	}
	*location = out.location ? absolute(r, out.location) : NULL;
	rc = 0;
out:
	hull_reg_resp_free(&out);
	return rc;
}

int hull_registry_blob_mount(struct hull_registry *r, const char *digest, const char *from,
			     char **location, struct hull_err *err)
{
	cleanup_free char *q = NULL, *scope = NULL, *ef = NULL;
	char *e;
	long status = 0;
	int rc;

	*location = NULL;
	/* a token for the other repository too (a registry with tokens checks both) */
	if (r->challenge) {
		free(r->extra_scope);
		r->extra_scope = hull_strfmt("repository:%s:pull", from);
		rc = hull_reg_reauth(r, err);
		free(r->extra_scope);
		r->extra_scope = NULL;
		if (rc < 0)
			return -1;
	}
	e = curl_easy_escape(r->curl, from, 0);
	ef = xstrdup(e ? e : "");
	curl_free(e);
	q = hull_strfmt("?mount=%s&from=%s", digest, ef);
	if (post_upload(r, q, &status, location, err) < 0)
		return -1;
	if (status == 201) {
		free(*location);
		*location = NULL;
		return 1;
	}
	return 0;
}

static char *with_digest(const char *location, const char *digest)
{
	return hull_strfmt("%s%sdigest=%s", location, strchr(location, '?') ? "&" : "?", digest);
}

int hull_registry_blob_upload(struct hull_registry *r, const char *digest, int fd, uint64_t len,
			      const char *location,
			      void (*progress)(void *ctx, uint64_t done, uint64_t total), void *ctx,
			      struct hull_err *err)
{
	cleanup_free char *loc = location ? xstrdup(location) : NULL, *url = NULL;
	struct hull_reg_resp out = {.o = r->o,
				    .method = "PUT",
				    .what = "an upload",
				    .content_type = "application/octet-stream",
				    .up_fd = fd,
				    .up_len = len,
				    .progress = progress,
				    .progress_ctx = ctx};
	long status;
	int rc = -1;

	if (!loc && post_upload(r, "", &status, &loc, err) < 0)
		return -1;
	if (!loc)
		return hull_error(err, EIO, "%s/%s: an upload without a Location", r->host,
				  r->repository);
	/* the monolithic form: the whole blob in the PUT that closes the upload */
	url = with_digest(loc, digest);
	if (hull_reg_request(r, url, "*/*", &out, err) < 0)
		goto out;
	if (out.status != 201 && out.status != 204) {
		unexpected(r, "upload the blob to", &out, err);
		hull_error_wrap(err, "%s", digest);
		goto out;
	}
	rc = 0;
out:
	hull_reg_resp_free(&out);
	return rc;
}

int hull_registry_manifest_put(struct hull_registry *r, const char *reference,
			       const char *media_type, const char *body, size_t len,
			       struct hull_err *err)
{
	cleanup_free char *url = hull_strfmt("%s/manifests/%s", r->base, reference);
	struct hull_reg_resp out = {.o = r->o,
				    .method = "PUT",
				    .what = "a manifest",
				    .content_type = media_type,
				    .up_buf = body,
				    .up_len = len};
	int rc = -1;

	if (hull_reg_request(r, url, "*/*", &out, err) < 0)
		goto out;
	if (out.status != 201 && out.status != 200 && out.status != 202) {
		unexpected(r, "put the manifest in", &out, err);
		goto out;
	}
	rc = 0;
out:
	hull_reg_resp_free(&out);
	return rc;
}
