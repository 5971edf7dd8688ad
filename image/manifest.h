/* SPDX-License-Identifier: Apache-2.0 */
/* OCI image manifests, indexes and configs: the parts of them hull reads and writes. */
#ifndef HULL_IMAGE_MANIFEST_H
#define HULL_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/store.h"

#define HULL_MT_MANIFEST	"application/vnd.oci.image.manifest.v1+json"
#define HULL_MT_INDEX		"application/vnd.oci.image.index.v1+json"
#define HULL_MT_CONFIG		"application/vnd.oci.image.config.v1+json"
#define HULL_MT_LAYER		"application/vnd.oci.image.layer.v1.tar"
#define HULL_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define HULL_MT_DOCKER_LIST	"application/vnd.docker.distribution.manifest.list.v2+json"

/* Manifests and indexes are small (registries refuse to store more than 4 MiB): a bigger one
 * is not a manifest.  Configs are read whole into memory too; none needs more than 16 MiB. */
#define HULL_MANIFEST_MAX (4 << 20)
#define HULL_CONFIG_MAX	  (16 << 20)

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

/* schemaVersion 2, a config and layers, each descriptor with a digest and an int64 size. */
int hull_manifest_parse(const char *json, struct hull_manifest *m, struct hull_err *err);
void hull_manifest_free(struct hull_manifest *m);
/* A manifest JSON for the config and layers (already in the store), written as a blob. */
int hull_manifest_write(struct hull_store *s, const char *config, const char *const *layers,
			size_t n, char out[HULL_DIGEST_SIZE], struct hull_err *err);
/* The media type of a layer blob, from its first bytes (gzip, zstd or plain tar). */
const char *hull_layer_media_type(const struct hull_store *s, const char *digest);

/* An image index (or Docker manifest list, or an OCI layout's index.json): schemaVersion 2
 * and at least one manifest, each a valid descriptor. */
struct hull_image_index_entry {
	struct hull_descriptor d;
	bool linux_amd64;	   /* its platform */
	char *os, *arch, *variant; /* its platform as the index says (each may be NULL) */
	char *name;		   /* annotation io.containerd.image.name, or NULL */
	char *ref_name;		   /* annotation org.opencontainers.image.ref.name, or NULL */
};
struct hull_image_index {
	struct hull_image_index_entry *v;
	size_t n;
};
int hull_image_index_parse(const char *json, struct hull_image_index *ix, struct hull_err *err);
void hull_image_index_free(struct hull_image_index *ix);

/* In an index (JSON text), the manifest for the platform want (NULL: this host's, or the
 * index's only manifest); none is an error that lists the platforms the index has. */
struct hull_platform;
int hull_index_select(const char *json, const struct hull_platform *want,
		      char out[HULL_DIGEST_SIZE], struct hull_err *err);

/* From an image config: rootfs.diff_ids (NULL-terminated) and "created" (may be NULL). */
int hull_config_diff_ids(const char *json, char ***diff_ids, char **created, struct hull_err *err);

#endif
