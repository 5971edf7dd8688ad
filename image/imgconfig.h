/* SPDX-License-Identifier: Apache-2.0 */
/* An image config (image-spec config.md, docker's image JSON) as a model hull edits: what
 * commit and build change (the container settings, the layers' diff IDs, the history), with
 * every field hull does not model kept as it was read. */
#ifndef HULL_IMAGE_IMGCONFIG_H
#define HULL_IMAGE_IMGCONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "image/index.h"
#include "image/store.h"
#include "lib/json.h"

struct hull_healthcheck {
	char **test; /* ["NONE"], ["CMD", args...] or ["CMD-SHELL", command] */
	int64_t interval, timeout, start_period, start_interval; /* nanoseconds, 0: inherited */
	int64_t retries;					 /* 0: inherited */
};

struct hull_imgcfg_step {
	char *created, *created_by, *author, *comment;
	bool empty_layer;
};

struct hull_imgcfg {
	yajl_val root; /* the config as read, NULL for a new one (FROM scratch) */
	char *created, *author;
	/* the "config" section; NULL vectors are left out ("null" to docker) */
	char *user, *workdir, *stop_signal;
	char **env, **entrypoint, **cmd, **shell, **onbuild;
	char **ports;	/* ExposedPorts: "80/tcp" */
	char **volumes; /* Volumes: absolute paths */
	struct hull_kv *labels;
	size_t n_labels;
	struct hull_healthcheck *healthcheck;
	bool args_escaped;
	char **diff_ids; /* rootfs.diff_ids, bottom first */
	struct hull_imgcfg_step *history;
	size_t n_history;
};

/* A config for an image with no layers (architecture and OS of this host's kind). */
void hull_imgcfg_init(struct hull_imgcfg *c);
int hull_imgcfg_parse(const char *json, struct hull_imgcfg *c, struct hull_err *err);
void hull_imgcfg_free(struct hull_imgcfg *c);
/* The config as JSON, malloc'd. */
char *hull_imgcfg_write(const struct hull_imgcfg *c);

/* NAME=VALUE into Env (a NAME already there gets the new value); the value of NAME, or NULL. */
void hull_imgcfg_setenv(struct hull_imgcfg *c, const char *name, const char *value);
const char *hull_imgcfg_getenv(const struct hull_imgcfg *c, const char *name);
void hull_imgcfg_set_label(struct hull_imgcfg *c, const char *key, const char *value);
/* Add s to the set *v (nothing when it is there already). */
void hull_imgcfg_set_add(char ***v, const char *s);
/* A history step, dated now (created_by may be ""; author and comment may be NULL). */
void hull_imgcfg_add_step(struct hull_imgcfg *c, const char *created_by, const char *author,
			  const char *comment, bool empty_layer);

/* Store c as the config of an image made of the layers of base (its manifest digest, NULL for
 * none) plus layer (a stored blob, NULL for none): config and manifest blobs, the layers
 * unpacked, the record in the index under names (NULL: none).  The caller has added layer's
 * diff ID to c.  out (may be NULL) gets the record. */
int hull_imgcfg_commit(struct hull_store *s, const struct hull_imgcfg *c, const char *base,
		       const char *layer, char *const *names, struct hull_image *out,
		       struct hull_err *err);

#endif
