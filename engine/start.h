/* SPDX-License-Identifier: Apache-2.0 */
/* Starting an existing container again: `hull start`, `hull restart`, and each start its
 * monitor makes (the first one, and those of a restart policy). */
#ifndef HULL_ENGINE_START_H
#define HULL_ENGINE_START_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "lib/err.h"
#include "runtime/state.h"

/* flock(2)ed while a container is started and while an explicit stop is recorded, so a
 * restart policy never starts a container a user just stopped */
#define HULL_CTR_LOCK_FILE "start.lock"
/* there while the user's last word was a stop (hull stop, kill, rm -f): ends the policy */
#define HULL_CTR_STOP_MARK "stopped-by-user"

/* Take the container's start lock (waits); the fd goes to hull_ctr_unlock. */
int hull_ctr_lock(const struct hull_engine *e, const char *id, struct hull_err *err);
void hull_ctr_unlock(int fd);

/* Record an explicit stop (best effort: a container already removed has nothing to stop). */
void hull_ctr_mark_stopped(const struct hull_engine *e, const char *id);
bool hull_ctr_stopped_by_user(const struct hull_engine *e, const char *id);
void hull_ctr_clear_stopped(const struct hull_engine *e, const char *id);

/* What the container needs before the runtime creates it (again), under the start lock: its
 * rootfs mounted (an image's overlay, which every stop unmounts), its network up and its
 * name in its /etc/hosts, the record saved, the last exit status gone.  Undone on failure. */
int hull_ctr_bring_up(const struct hull_engine *e, struct hull_ctr *c, struct hull_err *err);

/* docker's "restarting": stopped, and its monitor waits to start it again. */
bool hull_ctr_is_restarting(const struct hull_ctr *c, enum hull_status s);

/* hull update --restart: the policy the monitor reads at the container's next exit. */
int hull_ctr_set_restart_policy(const struct hull_engine *e, const struct hull_ctr *c,
				const char *policy, struct hull_err *err);

/* hull start: a created or stopped container runs again under a new detached monitor.
 * client_fd: an attach connection (engine/attach.h) the monitor serves from the first byte
 * of output, -1 for none; it is the monitor's (closed here when none is started).  1 when it was
 * running already (nothing done), 0 when started. */
int hull_ctr_start(const struct hull_engine *e, const struct hull_ctr *c, int client_fd,
		   struct hull_err *err);

/* hull restart: stop (timeout as hull stop's) if it runs, then start. */
int hull_ctr_restart(const struct hull_engine *e, const struct hull_ctr *c, int timeout,
		     struct hull_err *err);

#endif
