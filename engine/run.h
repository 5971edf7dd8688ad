/* SPDX-License-Identifier: Apache-2.0 */
/* hull run as one engine call: record, rootfs and bundle, then the monitor; hull create:
 * the same container, not started. */
#ifndef HULL_ENGINE_RUN_H
#define HULL_ENGINE_RUN_H

#include "engine/ctr.h"
#include "engine/prepare.h"
#include "lib/err.h"

/* A new container from o, run by a monitor: in the foreground the caller's stdio is the
 * container's and *status its exit status (128+N for signal N); with o->detach the monitor
 * goes on in the background (*status 0).  c is filled in (its id, name).  When the container
 * could not be made or started, nothing of it is left and -1 comes back with err. */
int hull_engine_run(const struct hull_engine *e, const struct hull_run_opts *o, struct hull_ctr *c,
		    int *status, struct hull_err *err);

/* A new container from o, as hull_engine_run makes it, in docker's "created" state: not
 * started, its rootfs not mounted (hull start, engine/start.h, runs it). */
int hull_engine_create(const struct hull_engine *e, const struct hull_run_opts *o,
		       struct hull_ctr *c, struct hull_err *err);

/* The exit status docker gives a failure to start a process: 127 when the runtime could not
 * find the program, 126 when it could not execute it, 125 (hull's own failure) otherwise. */
int hull_start_failure_status(const struct hull_err *err);

#endif
