/* SPDX-License-Identifier: Apache-2.0 */
/* What a pull or a push reports of each layer as it goes (docker's lines: "a3ed95caeb02:
 * Downloading", ...).  Layers move in parallel: the callee is called from several threads at
 * once and serializes itself. */
#ifndef HULL_IMAGE_XFER_H
#define HULL_IMAGE_XFER_H

#include <stdint.h>

enum hull_xfer_state {
	HULL_XFER_WAITING,     /* queued behind the transfers already running */
	HULL_XFER_DOWNLOADING, /* done/total bytes */
	HULL_XFER_RETRYING,    /* the connection dropped: note says why, then resumed */
	HULL_XFER_VERIFYING,   /* its digest */
	HULL_XFER_EXTRACTING,  /* unpacking, its diff ID checked */
	HULL_XFER_COMPLETE,    /* pulled and unpacked */
	HULL_XFER_EXISTS,      /* in the store already (pull) or in the repository (push) */
	HULL_XFER_PREPARING,   /* push: checking the repository */
	HULL_XFER_PUSHING,     /* done/total bytes */
	HULL_XFER_MOUNTED,     /* push: mounted from the repository note names */
	HULL_XFER_PUSHED,
};

struct hull_xfer {
	/* id: the first 12 hex digits of the blob's digest */
	void (*fn)(void *ctx, const char *id, enum hull_xfer_state state, uint64_t done,
		   uint64_t total, const char *note);
	/* optional: a line to show before the layers' (run: "Unable to find image 'X' locally") */
	void (*notice)(void *ctx, const char *text);
	void *ctx;
};

/* "Downloading", "Pull complete", "Already exists", "Layer already exists", ... (push is
 * true for a push's words) */
const char *hull_xfer_state_name(enum hull_xfer_state s, int push);

#endif
