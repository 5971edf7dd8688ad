/* SPDX-License-Identifier: Apache-2.0 */
/* `hull commit`: a container's changes (its overlay upper directory) as a new image on top of
 * its image, with docker's --change instructions; and the same last step for every step of
 * `hull build` that changes files. */
#ifndef HULL_ENGINE_COMMIT_H
#define HULL_ENGINE_COMMIT_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "image/imgconfig.h"
#include "lib/err.h"

struct hull_commit_opts {
	const char *message; /* the history entry's comment, may be NULL */
	const char *author;  /* the config's author, may be NULL */
	char **changes;	     /* Dockerfile instructions (CMD, ENV, ...), may be NULL */
	bool pause;	     /* pause a running container while its files are read */
	const char *name;    /* REPO[:TAG] for the new image, or NULL */
};

/* The container ref (name, ID or ID prefix) committed as an image; *image_id gets its ID
 * ("sha256:..."). */
int hull_ctr_commit(const struct hull_engine *e, const char *ref, const struct hull_commit_opts *o,
		    char **image_id, struct hull_err *err);

/* The tree at dirfd (overlay form: a container's upper directory) as a layer over the image
 * whose manifest is base (NULL: no layers below), with the step created_by in cfg's history;
 * the image is recorded under names (NULL: none).  No change at all adds no layer, only the
 * step (empty_layer).  stubs: mount points to leave out (hull_layer_write_dir). */
int hull_commit_tree(struct hull_store *s, int dirfd, char *const *stubs, const char *base,
		     struct hull_imgcfg *cfg, const char *created_by, const char *comment,
		     char *const *names, struct hull_image *out, struct hull_err *err);

/* The mount destinations of the bundle's config.json (what the runtime may have made in the
 * rootfs as mount points). */
char **hull_commit_stubs(const char *config_json_path);

#endif
