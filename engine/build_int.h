/* SPDX-License-Identifier: Apache-2.0 */
/* The builder's parts, engine-internal (engine/build*.c only): the context and .dockerignore
 * (build_context.c), copying into a rootfs (build_copy.c), the cache (build_cache.c). */
#ifndef HULL_ENGINE_BUILD_INT_H
#define HULL_ENGINE_BUILD_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/build.h"
#include "engine/dockerfile.h"
#include "engine/imgedit.h"
#include "image/imgconfig.h"
#include "image/index.h"
#include "image/store.h"
#include "lib/err.h"

/* --- the context ---------------------------------------------------------------------- */

struct hull_ignore {
	char **patterns; /* cleaned, without the leading '!' */
	bool *negate;
	size_t n;
};

/* Read <context>/.dockerignore (a missing file is no patterns). */
int hull_ignore_load(int ctxfd, struct hull_ignore *ig, struct hull_err *err);
/* Add the patterns of text (one a line, `#` comments, `!` exceptions). */
void hull_ignore_parse(struct hull_ignore *ig, const char *text);
void hull_ignore_free(struct hull_ignore *ig);
/* path (relative to the context, cleaned) is left out of the context. */
bool hull_ignore_match(const struct hull_ignore *ig, const char *path);
/* docker's path patterns: `*`, `?`, `[...]` within a component, `**` across components. */
bool hull_path_match(const char *pattern, const char *path);

/* The sources of a COPY or ADD: each source (wildcards allowed) resolved in the tree at rootfd
 * (the context, or another stage's rootfs); *out gets cleaned relative paths that exist and are
 * not ignored (ig may be NULL).  A source that matches nothing is an error naming it. */
int hull_sources_resolve(int rootfd, const struct hull_ignore *ig, char *const *sources,
			 char ***out, struct hull_err *err);

/* A checksum of the sources' content (names, types, modes, sizes, link targets, data), for the
 * cache key of COPY and ADD. */
int hull_sources_checksum(int rootfd, const struct hull_ignore *ig, char *const *paths,
			  char out[HULL_DIGEST_SIZE], struct hull_err *err);

/* --- copying into a rootfs ------------------------------------------------------------ */

struct hull_copy_opts {
	bool chown; /* give every entry uid:gid (else keep_owner or 0:0) */
	uid_t uid;
	gid_t gid;
	bool keep_owner;	      /* COPY --from and ADD's archives: the owners as they are */
	int mode;		      /* --chmod: the mode of every entry, -1: as they are */
	const struct hull_ignore *ig; /* for sources from the context, else NULL */
};

/* Copy the sources (paths relative to srcfd, from hull_sources_resolve) to dest (absolute, in
 * the rootfs at rootfd), as COPY does: a directory's contents go into dest, a file goes to
 * dest/NAME when dest ends with '/' or names a directory (or there are several sources), else
 * to dest itself.  Everything in the rootfs is reached through fds, never through a symlink
 * it holds. */
int hull_copy_in(int srcfd, char *const *sources, int rootfd, const char *dest,
		 const struct hull_copy_opts *o, struct hull_err *err);

/* --- the cache ------------------------------------------------------------------------ */

/* The key of a step: sha256 of its parts (parent image ID, instruction, extra), hex. */
void hull_build_cache_key(const char *parent, const char *instr, const char *extra,
			  char out[HULL_DIGEST_SIZE]);
/* The manifest digest a key led to, if it is still there (its blobs too). */
int hull_build_cache_get(struct hull_store *s, const char *key, char manifest[HULL_DIGEST_SIZE]);
void hull_build_cache_put(struct hull_store *s, const char *key, const char *manifest);

/* --- one build (build.c drives it, build_step.c makes its steps) ----------------------- */

/* a build variable: an ARG as declared (value NULL: declared without one, none given) */
struct hull_build_var {
	char *name, *value;
};

/* the stage being built */
struct hull_build_cur {
	bool has;	       /* img is an image in the index (false: FROM scratch, nothing yet) */
	struct hull_image img; /* the image the last step made */
	struct hull_imgcfg cfg;	     /* its config, which the next step changes */
	struct hull_imgedit ed;	     /* cfg's editor: escape, variables */
	struct hull_build_var *args; /* the ARGs declared in this stage */
	size_t n_args;
};

struct hull_build_stage {
	char *name; /* `AS name` (lower case), or NULL */
	bool built;
	bool has;
	struct hull_image img;
};

struct hull_build {
	const struct hull_engine *e;
	const struct hull_build_opts *o;
	struct hull_store s;
	struct hull_dockerfile df;
	int ctxfd;
	struct hull_ignore ig;
	struct hull_build_var *given; /* --build-arg */
	size_t n_given;
	bool *given_used;
	struct hull_build_var *globals; /* ARGs before the first FROM */
	size_t n_globals;
	struct hull_build_var *platform_args; /* BUILDPLATFORM, TARGETARCH, ... */
	size_t n_platform_args;
	char **ensured; /* images pulled (or found) for this build, not asked about again */
	struct hull_build_stage *stages;
	size_t n_stages;
	char **added;	/* manifests this build put in the index, dropped from it at the end */
	int journal_fd; /* build-cache/.inflight-<id>: the same list on disk, locked */
	char *journal;
	int step, steps;
};

/* A line of output, as docker's classic builder prints it. */
void hull_build_say(struct hull_build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The variables of the stage, for expansion: ENV first, then the stage's ARGs. */
const char *hull_build_arg_lookup(void *cur, const char *name);

/* Make the next image of the stage from c's config (cfg changed by the caller, its step in
 * history added here) with no new layer; cache_key may be NULL (not cached). */
int hull_build_step_meta(struct hull_build *b, struct hull_build_cur *c, const char *created_by,
			 const char *cache_key, struct hull_err *err);
/* Use the image a cache entry names: true when there was one (c moves to it). */
bool hull_build_cache_use(struct hull_build *b, struct hull_build_cur *c, const char *key);
/* img back in the index if it left it (RUN's container is made from the index). */
int hull_build_index_ensure(struct hull_build *b, const struct hull_image *img,
			    struct hull_err *err);
/* c moves to img (copied). */
int hull_build_cur_set(struct hull_build *b, struct hull_build_cur *c, const struct hull_image *img,
		       struct hull_err *err);

/* A working directory: an image mounted (overlayfs) in containers/.build-<id>/, locked by
 * containers/.build-<id>.lock while in use (build_step.c). */
struct hull_build_work {
	char *id, *rootfs, *lock;
	int rootfd, lockfd;
	bool scratch; /* no layers: the rootfs is a plain directory, the layer itself */
};
/* img (NULL: nothing) mounted in a fresh working directory. */
int hull_build_work_open(struct hull_build *b, const struct hull_image *img,
			 struct hull_build_work *w, struct hull_err *err);
/* Its changes as the stage's next image (c moves to it), the step created_by, cached by key. */
int hull_build_work_commit(struct hull_build *b, struct hull_build_cur *c,
			   struct hull_build_work *w, const char *created_by, const char *key,
			   struct hull_err *err);
void hull_build_work_close(struct hull_build *b, struct hull_build_work *w);

/* The steps that make files: RUN, WORKDIR (build_step.c), COPY, ADD (build_copystep.c). */
int hull_build_run(struct hull_build *b, struct hull_build_cur *c, const struct hull_df_instr *in,
		   struct hull_err *err);
int hull_build_copy(struct hull_build *b, struct hull_build_cur *c, const struct hull_df_instr *in,
		    struct hull_err *err);
int hull_build_workdir(struct hull_build *b, struct hull_build_cur *c,
		       const struct hull_df_instr *in, struct hull_err *err);
/* The image a FROM or COPY --from names: a stage (name, or index for COPY) or an image,
 * pulled as --pull says when it is not here (or not for the platform: FROM's --platform, else
 * the build's, NULL: any). */
int hull_build_from_ref(struct hull_build *b, const char *ref, const char *platform,
			struct hull_image *out, struct hull_err *err);
/* docker's automatic platform ARGs: BUILD* of this machine, TARGET* of --platform (else this
 * machine).  Set once, before the Dockerfile's ARGs are read. */
int hull_build_platform_args(struct hull_build *b, struct hull_err *err);
/* The value of an automatic platform ARG, or NULL. */
const char *hull_build_platform_arg(const struct hull_build *b, const char *name);
/* The journal of the step images this build puts in the index (build_cache.c): a build
 * killed before it dropped them leaves its journal unlocked, and the next build drops them. */
int hull_build_journal_open(struct hull_build *b, struct hull_err *err);
/* manifest went into the index for this build (dropped from it at the end). */
void hull_build_added(struct hull_build *b, const char *manifest);
/* The step images leave the index (the image built stays: its entry in added is ""). */
void hull_build_journal_close(struct hull_build *b);
void hull_build_journal_sweep(struct hull_build *b);
/* Remove the working directories of builds that died (kill -9) before removing them. */
void hull_build_sweep(struct hull_build *b);

#endif
