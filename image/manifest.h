/* OCI image manifests, indexes and configs: the parts of them hull reads and writes. */
#ifndef HULL_IMAGE_MANIFEST_H
#define HULL_IMAGE_MANIFEST_H

#include <stdint.h>

#include "image/digest.h"
#include "image/store.h"

#define HULL_MT_MANIFEST	"application/vnd.oci.image.manifest.v1+json"
#define HULL_MT_INDEX		"application/vnd.oci.image.index.v1+json"
#define HULL_MT_CONFIG		"application/vnd.oci.image.config.v1+json"
#define HULL_MT_LAYER		"application/vnd.oci.image.layer.v1.tar"
#define HULL_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define HULL_MT_DOCKER_LIST	"application/vnd.docker.distribution.manifest.list.v2+json"

struct hull_descriptor {
	char *media_type;
	char digest[HULL_DIGEST_SIZE];
	uint64_t size;
};

struct hull_manifest {
	struct hull_descriptor config;
	struct hull_descriptor *layers;
	size_t n_layers;
};

int hull_manifest_parse(const char *json, struct hull_manifest *m, struct hull_err *err);
void hull_manifest_free(struct hull_manifest *m);
/* A manifest JSON for the config and layers (already in the store), written as a blob. */
int hull_manifest_write(struct hull_store *s, const char *config, const char *const *layers,
			size_t n, char out[HULL_DIGEST_SIZE], struct hull_err *err);
/* The media type of a layer blob, from its first bytes (gzip, zstd or plain tar). */
const char *hull_layer_media_type(const struct hull_store *s, const char *digest);

/* In an index (JSON text), the manifest for linux/amd64 (or the only one). */
int hull_index_select(const char *json, char out[HULL_DIGEST_SIZE], struct hull_err *err);

/* From an image config: rootfs.diff_ids (NULL-terminated) and "created" (may be NULL). */
int hull_config_diff_ids(const char *json, char ***diff_ids, char **created, struct hull_err *err);

#endif
