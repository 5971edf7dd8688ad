/* Internal glue between create.c and lifecycle.c. */
#ifndef HULL_LIFECYCLE_H
#define HULL_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/cgroup/cgroup.h"
#include "runtime/container.h"
#include "runtime/spec/spec.h"
#include "runtime/state.h"

/* A container created by this process, still holding what run needs to go on. */
struct hull_launch {
	bool run_mode; /* the init waits on the sync socket instead of exec.fifo */
	pid_t pid;
	int sync_fd;
	int lock_fd;
	int tty_master; /* run without a console socket: the pty to proxy, else -1 */
	struct hull_spec *spec;
	struct hull_state *state;
	struct hull_cgroups cgroups;
};

int hull_container_create_internal(const struct hull_create_opts *o, struct hull_launch *out,
				   struct hull_err *err);
void hull_launch_release(struct hull_launch *l);

struct hull_tty_proxy;
/* Forward our catchable signals to pid (0: stop forwarding). */
void hull_forward_signals(pid_t pid);
/* Wait for our child pid, pumping tty (if not NULL, it is stopped at the end); returns its
 * exit code, or 128+N when killed by signal N. */
int hull_foreground_wait(pid_t pid, struct hull_tty_proxy *tty);

/* Wait (up to ~10 s) until pid is gone or is no longer the process started at start_time. */
void hull_wait_gone(pid_t pid, unsigned long long start_time);

#endif
