/* SPDX-License-Identifier: Apache-2.0 */
/* The registry client's insides, shared by its files and nothing else: registry.c (the
 * connection, one request, logging in), regpull.c (manifests and blobs down), regpush.c
 * (blobs and manifests up). */
#ifndef HULL_IMAGE_REGCONN_H
#define HULL_IMAGE_REGCONN_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "image/registry.h"

/* A registry's error document is short; more of it is not kept (nor read). */
#define HULL_REG_ERROR_BODY_MAX (64 << 10)
/* How much of a hostile value a message may echo. */
#define HULL_REG_ECHO_MAX 64

struct hull_registry {
	CURL *curl;
	char *origin; /* "https://host" */
	char *base;   /* "https://host/v2/repository" ("https://host/v2" without one) */
	char *host;
	char *repository;  /* "" for /v2/ alone (login) */
	char *auth_header; /* "Authorization: Bearer ..." once we have a token */
	char *challenge;   /* the last Bearer challenge answered, to ask again for more scope */
	char *extra_scope; /* another repository's "repository:R:pull" (a blob mount), or NULL */
	bool basic;	   /* the registry asked for basic auth */
	bool push;	   /* ask tokens for pull,push */
	const struct hull_registry_opts *o;
};

/* One request and what its response said. */
struct hull_reg_resp {
	/* the request */
	const char *method;	  /* NULL: GET; "HEAD", "POST", "PUT", "PATCH" */
	const char *content_type; /* of the upload */
	int up_fd;		  /* the upload's bytes: from this fd (pread at up_off)... */
	uint64_t up_off;
	const char *up_buf; /* ...or this buffer */
	uint64_t up_len;
	uint64_t range_from; /* > 0: ask for the bytes from here on (Range) */
	/* the response */
	CURL *curl;
	long status;
	char *content_type_got;
	char *digest;
	char *challenge; /* WWW-Authenticate */
	char *location;
	/* the body: kept (manifests, errors) or handed to a sink (blobs) */
	char *body;
	size_t len;
	size_t max;	  /* a kept successful body longer than this fails the request */
	const char *what; /* ... naming it: "the manifest latest of host/repo" */
	bool too_big;
	hull_sink_fn sink;
	/* a 200 to a Range request: the whole blob again; the sink starts over */
	int (*restart)(void *ctx, struct hull_err *err);
	void *sink_ctx;
	struct hull_err *sink_err;
	int sink_rc;
	/* a blob: its declared size; the body is cut one byte past it */
	uint64_t expect, got;
	uint64_t up_done;
	/* bytes as they move (overrides the registry's opts) */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	const struct hull_registry_opts *o;
};

/* One request, logging in once on a 401 (then sent again).  A 401 or 403 after that is an
 * error naming the registry's reason; other statuses are the caller's to judge. */
int hull_reg_request(struct hull_registry *r, const char *url, const char *accept,
		     struct hull_reg_resp *out, struct hull_err *err);
/* The first "code: message" of a registry's error document, or the HTTP status. */
char *hull_reg_error(const struct hull_reg_resp *r);
void hull_reg_resp_free(struct hull_reg_resp *r);
/* The response's fields cleared, the request's kept: for a request sent again. */
void hull_reg_resp_reset(struct hull_reg_resp *r);
/* Ask the token endpoint again, for this connection's own scope (pull, or pull,push when
 * pushing) plus extra_scope. */
int hull_reg_reauth(struct hull_registry *r, struct hull_err *err);

#endif
