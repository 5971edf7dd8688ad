/* SPDX-License-Identifier: Apache-2.0 */
/* What `hull` does to an existing container: status, stop, kill, remove. */
#ifndef HULL_ENGINE_OPS_H
#define HULL_ENGINE_OPS_H

#include <stdbool.h>
#include <sys/types.h>

#include "engine/ctr.h"
#include "lib/err.h"
#include "runtime/state.h"

/* created/running/paused from the runtime; stopped once the workload ended (or its monitor
 * died with it).  *pid: the init's pid while it runs, else 0. */
enum hull_status hull_ctr_status(const struct hull_engine *e, const struct hull_ctr *c, pid_t *pid);

/* Signal the workload (all its processes with all). */
int hull_ctr_kill(const struct hull_engine *e, const struct hull_ctr *c, int sig, bool all,
		  struct hull_err *err);

/* Wait until the workload has ended, up to timeout_ms (-1: no limit); true when it has. */
bool hull_ctr_wait(const struct hull_engine *e, const struct hull_ctr *c, int timeout_ms);

/* The stop signal, then SIGKILL after timeout seconds, as `docker stop -t` does. */
int hull_ctr_stop(const struct hull_engine *e, const struct hull_ctr *c, int timeout,
		  struct hull_err *err);

/* After the end: the runtime's state and cgroup, the rootfs mount.  Safe to repeat. */
int hull_ctr_cleanup(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err);

/* Freeze every process of a running container (a VM: its VMM), thaw a paused one. */
int hull_ctr_pause(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err);
int hull_ctr_unpause(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err);

/* A new name: claimed first, the record then says it, the old name goes last (a crash in
 * between leaves both names on the container, never none). */
int hull_ctr_rename(const struct hull_engine *e, struct hull_ctr *c, const char *name,
		    struct hull_err *err);

/* Remove the container; a running one only with force (killed first). */
int hull_ctr_remove(const struct hull_engine *e, const char *id, bool force, struct hull_err *err);

#endif
