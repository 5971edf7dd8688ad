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
};

/* Run the container to its end.  *status: the workload's exit status (128+N for signal N).
 * Fails only when the container could not be started (nothing is left behind then). */
int hull_monitor_run(const struct hull_monitor_opts *o, int *status, struct hull_err *err);

/* Fork a detached monitor (its own session, stdio on /dev/null) and wait until it reports the
 * container started.  The error is the monitor's when it could not start it. */
int hull_monitor_spawn(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err);

#endif
