/* SPDX-License-Identifier: Apache-2.0 */
/* manifest.json of a docker-archive (`docker save`): which config, layers and tags make each
 * image, by path inside the archive.  Parsed apart from the archive's reader so it can be
 * fuzzed alone (tests/fuzz/). */
#ifndef HULL_IMAGE_DOCKERMAN_H
#define HULL_IMAGE_DOCKERMAN_H

#include <stddef.h>

#include "lib/err.h"

/* A path inside an archive longer than this is no path of `docker save`'s (those are under
 * 100 bytes): refused, not echoed. */
#define HULL_ARCHIVE_PATH_MAX 4096

struct hull_docker_image {
	char *config;  /* "Config": the config's path in the archive */
	char **layers; /* "Layers": paths, bottom first (NULL-terminated, maybe empty) */
	char **tags;   /* "RepoTags" as written (NULL-terminated, maybe empty) */
};

/* An array of at least one object, each with a "Config" string and "Layers" and "RepoTags"
 * (null or) arrays of strings, no path over HULL_ARCHIVE_PATH_MAX.  Errors say
 * "manifest.json: ..." and quote bounded pieces of the input. */
int hull_docker_manifest_parse(const char *json, struct hull_docker_image **v, size_t *n,
			       struct hull_err *err);
void hull_docker_manifest_free(struct hull_docker_image *v, size_t n);

#endif
