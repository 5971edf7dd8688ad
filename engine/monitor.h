/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor of one container, as conmon is for podman: it creates and starts the container,
 * holds its stdio, writes its log, records its exit status and cleans up after it.  `hull run`
 * runs it in-process in the foreground (attached to the terminal) or as a detached process
 * that outlives the CLI. */
#ifndef HULL_ENGINE_MONITOR_H
#define HULL_ENGINE_MONITOR_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "lib/err.h"

struct hull_monitor_opts {
	const struct hull_engine *e;
	const struct hull_ctr *c;
	bool attach;  /* copy the output to our stdout/stderr, our stdin in, forward signals */
	int ready_fd; /* detached: "ok" or the error text once the container started, then closed */
	int client_fd; /* a client attached from the start (engine/attach.h), or -1 */
};

/* Run the container to its end.  *status: the workload's exit status (128+N for signal N).
 * A detached monitor keeps the container's restart policy: it starts it again after each
 * exit the policy asks for (with docker's back-off), until an explicit stop.  While it runs,
 * clients attach through the container's attach socket (engine/attach.h).  Fails only when
 * the container could not be started (nothing is left behind then). */
int hull_monitor_run(const struct hull_monitor_opts *o, int *status, struct hull_err *err);

/* Fork a detached monitor (its own session, stdio on /dev/null) and wait until it reports the
 * container started.  The error is the monitor's when it could not start it (EALREADY: it
 * runs already).  client_fd (-1: none) is handed to the monitor as an attached client. */
int hull_monitor_spawn(const struct hull_engine *e, const struct hull_ctr *c, int client_fd,
		       struct hull_err *err);

#endif
