/* SPDX-License-Identifier: Apache-2.0 */
/* Internal glue between create.c, init.c and lifecycle.c. */
#ifndef HULL_LIFECYCLE_H
#define HULL_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/cgroup/cgroup.h"
#include "runtime/container.h"
#include "runtime/executor.h"
#include "runtime/spec/spec.h"
#include "runtime/state.h"

/* A container created by this process, still holding what run needs to go on. */
struct hull_launch {
	bool run_mode; /* the init waits on the sync socket instead of exec.fifo */
	pid_t pid;
	int sync_fd;
	int lock_fd;
	int tty_master; /* run without a console socket: the pty to proxy, else -1 */
	const struct hull_executor *level;
	struct hull_spec *spec;
	struct hull_state *state;
	struct hull_cgroups cgroups;
};

int hull_container_create_internal(const struct hull_create_opts *o, struct hull_launch *out,
				   struct hull_err *err);
void hull_launch_release(struct hull_launch *l);

/* The container's init (init.c): never returns; reports errors over sync_fd and exits. */
__attribute__((noreturn)) void hull_init_main(struct hull_init_ctx *ctx);

/* Wait (up to ~10 s) until pid is gone or is no longer the process started at start_time. */
void hull_wait_gone(pid_t pid, unsigned long long start_time);

#endif
