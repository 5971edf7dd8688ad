/* SPDX-License-Identifier: Apache-2.0 */
/* A client of the OCI distribution API (registry v2) over libcurl: manifests and blobs of one
 * repository, with the bearer-token and basic authentication flows registries use. */
#ifndef HULL_IMAGE_REGISTRY_H
#define HULL_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/manifest.h"
#include "lib/err.h"

/* The media types hull pulls. */
#define HULL_MT_OCI_INDEX	"application/vnd.oci.image.index.v1+json"
#define HULL_MT_OCI_MANIFEST	"application/vnd.oci.image.manifest.v1+json"
#define HULL_MT_DOCKER_LIST	"application/vnd.docker.distribution.manifest.list.v2+json"
#define HULL_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

/* "localhost:5000/app:v1" -> host "localhost:5000", repository "app", reference "v1";
 * "busybox" -> "registry-1.docker.io", "library/busybox", "latest"; "x@sha256:..." keeps
 * the digest as the reference. */
struct hull_image_ref {
	char *host;
	char *repository;
	char *reference; /* a tag or a digest */
};
int hull_image_ref_parse(const char *ref, struct hull_image_ref *out, struct hull_err *err);
void hull_image_ref_free(struct hull_image_ref *r);

/* A transfer that moves less than HULL_STALL_MIN_SPEED bytes/s for stall_seconds (default
 * HULL_STALL_DEFAULT) has stalled: it fails, whether nothing or a trickle arrives. */
#define HULL_STALL_MIN_SPEED 1024
#define HULL_STALL_DEFAULT   60

struct hull_registry_opts {
	const char *username; /* NULL: anonymous (or a token the registry hands anyone) */
	const char *password;
	bool insecure;		/* plain HTTP and no TLS verification even for a remote host */
	bool push;		/* tokens for pull and push */
	unsigned stall_seconds; /* 0: HULL_STALL_DEFAULT */
	/* every request fails once CLOCK_MONOTONIC passes this (ms; 0: never), which is
	 * timeout_seconds after the pull began (for messages) */
	uint64_t deadline_ms;
	unsigned timeout_seconds;
	/* bytes as they arrive; total is 0 when the registry did not say */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

struct hull_registry;
struct hull_registry *hull_registry_open(const struct hull_image_ref *ref,
					 const struct hull_registry_opts *o, struct hull_err *err);
/* Another connection to the same repository, with the token r holds (for a thread). */
struct hull_registry *hull_registry_dup(const struct hull_registry *r, struct hull_err *err);
void hull_registry_close(struct hull_registry *r);

/* GET /v2/ with the credentials of the options, through the registry's basic or bearer flow:
 * 0 if it lets them in (`hull login`). */
int hull_registry_ping(struct hull_registry *r, struct hull_err *err);

/* GET the manifest (or index) `reference` (at most HULL_MANIFEST_MAX): body, its media type
 * and the digest the registry gave (Docker-Content-Digest; may be NULL, the caller hashes the
 * body anyway). */
int hull_registry_manifest(struct hull_registry *r, const char *reference, char **body, size_t *len,
			   char **media_type, char **digest, struct hull_err *err);

/* GET a blob, handing its bytes to sink->write as they come (a non-zero return stops the
 * transfer and is the error).  size is what the manifest declares: the sink never gets more,
 * a body that goes one byte past it is cut there and fails, and so does a shorter one.  A
 * dropped connection is tried again (HULL_BLOB_RETRIES times) from the byte it stopped at
 * (Range); a registry that then sends the whole blob again makes sink->restart start over. */
typedef int (*hull_sink_fn)(void *ctx, const void *data, size_t len, struct hull_err *err);
struct hull_blob_sink {
	hull_sink_fn write;
	int (*restart)(void *ctx, struct hull_err *err); /* NULL: no resuming */
	void *ctx;
	/* bytes as they arrive (from the blob's start); may be NULL */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/* told before a retry (attempt from 1), may be NULL */
	void (*retrying)(void *ctx, unsigned attempt, const struct hull_err *why);
};
#define HULL_BLOB_RETRIES 4u
int hull_registry_blob(struct hull_registry *r, const char *digest, uint64_t size,
		       const struct hull_blob_sink *sink, struct hull_err *err);

/* Pushing (regpush.c).  HEAD a blob: 1 if the repository has it, 0 if not. */
int hull_registry_blob_exists(struct hull_registry *r, const char *digest, struct hull_err *err);
/* Mount a blob from another repository of the same registry: 1 if mounted; 0 if the registry
 * started an upload instead (*location, the upload to use) or refused. */
int hull_registry_blob_mount(struct hull_registry *r, const char *digest, const char *from,
			     char **location, struct hull_err *err);
/* Upload len bytes of fd (from offset 0) as the blob digest: POST (unless location names an
 * upload already started), then one PUT ...?digest= with the whole body. */
int hull_registry_blob_upload(struct hull_registry *r, const char *digest, int fd, uint64_t len,
			      const char *location,
			      void (*progress)(void *ctx, uint64_t done, uint64_t total), void *ctx,
			      struct hull_err *err);
/* PUT a manifest under reference (a tag or its digest). */
int hull_registry_manifest_put(struct hull_registry *r, const char *reference,
			       const char *media_type, const char *body, size_t len,
			       struct hull_err *err);

#endif
