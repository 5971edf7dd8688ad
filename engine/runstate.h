/* SPDX-License-Identifier: Apache-2.0 */
/* What the monitor keeps of a container's runs (run.json in its directory): when it last
 * started, how often its restart policy started it again, and whether it waits to start it
 * again now.  The monitor is the only writer; a record without run.json was never started
 * (docker's "created"). */
#ifndef HULL_ENGINE_RUNSTATE_H
#define HULL_ENGINE_RUNSTATE_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "lib/err.h"

#define HULL_RUNSTATE_FILE "run.json"

/* c->started, c->restart_count, c->restarting from run.json (left unset without one). */
int hull_ctr_load_run(const struct hull_engine *e, struct hull_ctr *c, struct hull_err *err);

/* Whether the container's monitor runs: its pid is there and not a zombie (a monitor killed
 * with -9 may wait long for a reaper that never comes). */
bool hull_ctr_monitor_alive(const struct hull_ctr *c);

/* Write run.json (atomic). */
int hull_ctr_save_run(const struct hull_engine *e, const char *id, const char *started,
		      int restart_count, bool restarting, struct hull_err *err);

#endif
