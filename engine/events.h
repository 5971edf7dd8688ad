/* SPDX-License-Identifier: Apache-2.0 */
/* hull's own events (docker's `events`): what happened to which container, kept as one JSON
 * object per line in <root>/events.log and read back by `hull events`. */
#ifndef HULL_ENGINE_EVENTS_H
#define HULL_ENGINE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/ctr.h"
#include "lib/err.h"

/* Record that action happened to c ("create", "start", "die", "kill", "stop", "pause",
 * "unpause", "rename", "destroy"), with extra attributes as "key=value" strings (NULL-
 * terminated, may be NULL).  Best effort: an event that cannot be written is not an error of
 * the action it reports. */
void hull_event_emit(const struct hull_engine *e, const struct hull_ctr *c, const char *action,
		     const char *const *attrs);

struct hull_events_opts {
	int64_t since_ns, until_ns; /* 0: from now on / no end */
	bool follow;		    /* wait for new events (until until_ns, when given) */
	/* each event, as docker's JSON object (text), and its time; return false to stop */
	bool (*each)(const char *json, int64_t time_ns, void *arg);
	void *arg;
};

/* Read the events in [since, until), then follow the log when asked. */
int hull_events_read(const struct hull_engine *e, const struct hull_events_opts *o,
		     struct hull_err *err);

#endif
