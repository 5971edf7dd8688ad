/* SPDX-License-Identifier: Apache-2.0 */
/* The pure rules of layer paths: which names are safe to write, and which are whiteouts.
 * Kept free of I/O so they are unit-tested on their own. */
#ifndef HULL_IMAGE_WHITEOUT_H
#define HULL_IMAGE_WHITEOUT_H

#include "lib/err.h"

#define HULL_WH_PREFIX	 ".wh."
#define HULL_WH_OPQ_NAME ".wh..wh..opq"

enum hull_wh_kind {
	HULL_WH_ERROR = -1, /* malformed: err says why */
	HULL_WH_NONE,	    /* an ordinary entry */
	HULL_WH_FILE,	    /* ".wh.NAME": NAME is deleted from the layers below */
	HULL_WH_OPAQUE,	    /* ".wh..wh..opq": the directory hides the layers below */
	HULL_WH_RESERVED,   /* other ".wh..wh.*" names (aufs bookkeeping): skipped */
};

/* A layer entry's path made relative and canonical ("./a//b/" is "a/b", the root is ".").
 * Absolute paths, ".." components and empty names are refused. */
int hull_layer_path_clean(const char *path, char **out, struct hull_err *err);

/* Classify a cleaned path.  For HULL_WH_FILE, *target gets the path of the hidden entry; for
 * HULL_WH_OPAQUE the directory that is opaque ("." for the root).  *target is NULL otherwise. */
enum hull_wh_kind hull_whiteout_classify(const char *path, char **target, struct hull_err *err);

#endif
