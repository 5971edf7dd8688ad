/* SPDX-License-Identifier: Apache-2.0 */
/* `hull build`: an image from a Dockerfile and a context directory, as docker's classic builder
 * makes it: one image per step, RUN steps in hull containers at the chosen isolation level,
 * COPY and ADD from the context (with .dockerignore), multi-stage builds, and a cache of steps
 * keyed like docker's (the parent image, the instruction, the content it copies). */
#ifndef HULL_ENGINE_BUILD_H
#define HULL_ENGINE_BUILD_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "image/xfer.h"
#include "lib/err.h"

struct hull_build_opts {
	const char *context;	/* the context directory; NULL: none (the Dockerfile from stdin) */
	const char *dockerfile; /* NULL: Dockerfile (else Containerfile) in the context; "-":
				   standard input */
	char **build_args;	/* NAME=VALUE, or NAME for the value in our environment */
	char **labels;		/* KEY=VALUE, set on the image built */
	const char *target;	/* the stage to build (NULL: the last) */
	const char *isolation;	/* of RUN's containers: container (default) or vm */
	const char *network;	/* RUN's: none (default), host, bridge, a user network */
	const char *cgroup_parent;
	bool no_cache;
	const char *pull;     /* the base images': missing (default), always or never */
	const char *platform; /* of the images built on: os/arch[/variant] (NULL: this host's) */
	const struct hull_xfer *pull_progress; /* NULL: pulls are quiet */
	/* what docker's classic builder prints, a line at a time (without the newline); the
	 * output of RUN goes to our standard output and error meanwhile */
	void (*print)(void *ctx, const char *line);
	void *print_ctx;
};

/* Build; *image_id gets the ID ("sha256:...") of the image made.  No names are given to it
 * here (hull_index_tag does that). */
int hull_build(const struct hull_engine *e, const struct hull_build_opts *o, char **image_id,
	       struct hull_err *err);

/* Forget the build cache: its entries, then what only they kept (garbage collection). */
int hull_build_cache_prune(const struct hull_engine *e, size_t *removed, struct hull_err *err);

#endif
