/* SPDX-License-Identifier: Apache-2.0 */
/* docker's restart policies (--restart), kept by the monitor: whether a container that exited
 * starts again, and after how long. */
#ifndef HULL_ENGINE_RESTART_POLICY_H
#define HULL_ENGINE_RESTART_POLICY_H

#include <stdbool.h>

#include "lib/err.h"

enum hull_restart_kind {
	HULL_RESTART_NO,
	HULL_RESTART_ON_FAILURE, /* a non-zero exit only, up to max_retries times (0: no limit) */
	HULL_RESTART_ALWAYS,
	HULL_RESTART_UNLESS_STOPPED,
};

struct hull_restart_policy {
	enum hull_restart_kind kind;
	int max_retries;
};

/* docker's back-off: the first restart after 100 ms, each next one after twice the last
 * delay, at most a minute; a run of 10 s or more starts the count from 100 ms again */
#define HULL_RESTART_FIRST_DELAY_MS 100
#define HULL_RESTART_MAX_DELAY_MS   60000
#define HULL_RESTART_RESET_AFTER_MS 10000

/* "no", "on-failure[:N]", "always", "unless-stopped" (NULL or "": no). */
int hull_restart_policy_parse(const char *s, struct hull_restart_policy *p, struct hull_err *err);

/* Whether an exit with exit_code starts the container again, after restarts so far.  An
 * explicit stop (hull stop, kill, rm -f) ends every policy: in a daemonless hull nothing
 * starts containers again at boot, so unless-stopped and always behave the same. */
bool hull_restart_wanted(const struct hull_restart_policy *p, int exit_code, int restarts,
			 bool stopped_by_user);

/* The delay before the next start: prev_ms (0 before the first restart) and how long the
 * last run lasted. */
int hull_restart_delay_ms(int prev_ms, long ran_ms);

#endif
