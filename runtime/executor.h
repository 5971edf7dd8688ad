/* SPDX-License-Identifier: Apache-2.0 */
/* The interface between the lifecycle (written once, in runtime/) and an isolation level: a
 * table of operations per level.  The container level's table is runtime/executor/'s, the vm
 * level's is vm/'s; the front ends compose the list (hull_executors_use).  A new level is one
 * folder and one table. */
#ifndef HULL_EXECUTOR_H
#define HULL_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/cgroup/cgroup_res.h"
#include "runtime/container.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/spec/spec.h"
#include "runtime/state.h"

struct hull_executor;
struct hull_tty_proxy;

struct hull_join_ns {
	int type; /* CLONE_NEW* */
	int fd;	  /* opened namespace path */
};

/* What the runtime hands the container's init (a clone of the runtime's process). */
struct hull_init_ctx {
	const struct hull_spec *spec;
	const struct hull_create_opts *opts;
	const struct hull_executor *level; /* the level that runs this container */
	const char *bundle;
	const char *rootfs;
	const struct hull_cgroups *cgroups;
	const char *cgroup_path;
	int sync_fd;	/* init's end of the sync socket */
	int fifo_fd;	/* exec.fifo opened O_RDWR (create), -1 for run */
	int console_fd; /* where to send the pty master, -1 without a terminal */
	int lock_fd;	/* the runtime's lock on the state dir: the init must not keep it */
	struct hull_join_ns join[8];
	size_t n_join;
	unsigned long new_ns;	      /* CLONE_NEW* to create */
	int n_listen_fds;	      /* LISTEN_FDS handed through */
	struct hull_seccomp *seccomp; /* built by the runtime, loaded by the init; NULL = none */
	/* per spec mount, the bind source the runtime opened (every bind's in a user namespace,
	 * an idmapped one's always; -1 where it opened none); NULL without any (runtime/bind.h) */
	int *bind_fds;
	bool run_mode;
	pid_t runtime_pid; /* the init's parent while it sets up (0: an intermediate process) */
};

/*
 * An isolation level.  The runtime calls these at fixed points of the lifecycle; optional
 * ones may be NULL.  Every call on an existing container finds the table by the name its
 * state.json records (`isolation`).
 */
struct hull_executor {
	/* recorded in state.json's `isolation`; the value of run.hull.isolation that asks for
	 * it; hull-oci invoked as `hull-oci-NAME` asks for it (cmd/hull-oci/main.c) */
	const char *name;

	/* Whether the spec asks for this level by its own content (the vm level: a `vm`
	 * section), once neither the annotation nor the invoked name chose.  NULL: never. */
	bool (*claims)(const struct hull_spec *spec);

	/* create, in the runtime before the clone: what the level refuses (errors name the
	 * field).  NULL: nothing more than the runtime's checks. */
	int (*check)(const struct hull_spec *spec, struct hull_err *err);

	/* create and update: what the level adds to the container's cgroup beside the spec's
	 * resources (device rules allowed whatever the spec denies, memory beside the limit).
	 * Called with x zeroed.  NULL: nothing. */
	int (*cgroup)(const struct hull_spec *spec, struct hull_cg_extra *x, struct hull_err *err);

	/* In the init, in the container's namespaces and cgroup, hostname set: what the level
	 * needs before the createContainer hooks (the container level: the root file system).
	 * An error is reported by create. */
	int (*prepare)(const struct hull_init_ctx *ctx, struct hull_err *err);

	/* In the init after the createContainer hooks: the last checks, hull_init_ready_wait
	 * (the container is created), then the startContainer hooks and the exec that makes the
	 * container's process.  Never returns; before ready, errors go to hull_init_fail. */
	__attribute__((noreturn)) void (*exec)(const struct hull_init_ctx *ctx,
					       const char *state_json);

	/* kill: sig to the container (every process in it with all).  st is created, running
	 * or paused. */
	int (*kill)(const char *root, const struct hull_state *st, int sig, bool all,
		    struct hull_err *err);

	/* run in the foreground: foreground_begin (NULL: nothing) is called before start, so
	 * that a signal run gets from then on reaches the workload; foreground_wait after the
	 * poststart hooks, until the process ends (tty: the terminal to proxy, NULL without
	 * one; stopped here).  Returns the exit code, or 128+N for signal N. */
	void (*foreground_begin)(const struct hull_state *st);
	int (*foreground_wait)(const char *root, const struct hull_state *st,
			       struct hull_tty_proxy *tty);

	/* exec: p in a created or running container (st), whose spec is spec; the pid file,
	 * --detach and the foreground wait as hull_container_exec says. */
	int (*exec_process)(const struct hull_exec_opts *o, const struct hull_state *st,
			    const struct hull_spec *spec, const struct hull_process *p, int *status,
			    struct hull_err *err);

	/* update, once the runtime applied res (the merged resources; sections: those the
	 * update gave) to the container's cgroup: what the level keeps elsewhere (the vm
	 * level: the guest cgroup of a pod's app container, which only the guest reaches).
	 * NULL: nothing. */
	int (*update)(const char *root, const struct hull_state *st,
		      const struct hull_cg_resources *res, unsigned sections, struct hull_err *err);

	/* pause (on) before the runtime freezes the container's cgroup, resume (!on) after it
	 * thawed it: what the level runs elsewhere (the vm level: a pod's app container, whose
	 * processes are in the guest, behind the relay that is all its host cgroup holds).
	 * NULL: nothing. */
	int (*freeze)(const char *root, const struct hull_state *st, bool on, struct hull_err *err);

	/* delete, once every process of the container is gone: what the level left outside
	 * the state directory and the cgroup (spec: NULL when config.json is unreadable).
	 * NULL: nothing. */
	void (*cleanup)(const char *state_dir, const struct hull_spec *spec);
};

/* The container level (runtime/executor/). */
extern const struct hull_executor hull_container_executor;

/* The levels this program has, in the front end's order; the first is the default.  Until a
 * front end calls this, the runtime has the container level alone.  The list must outlive
 * every runtime call. */
void hull_executors_use(const struct hull_executor *const *levels, size_t n);
/* The composed list (n in *n). */
const struct hull_executor *const *hull_executors(size_t *n);

/* The level of a new container, in DESIGN.md §1's order: the annotation run.hull.isolation,
 * the level the front end was invoked as (by_name, NULL: none), a level that claims the
 * spec, the default.  An annotation or a name asking for a level this program does not have
 * is an error that names it, never a silent fall back to the default. */
const struct hull_executor *hull_executor_choose(const struct hull_spec *spec, const char *by_name,
						 struct hull_err *err);
/* The level a state.json names (NULL: the default, as for a state written before levels
 * were recorded); one this program does not have is an error that says so. */
const struct hull_executor *hull_executor_find(const char *name, struct hull_err *err);

/* --- for levels, in the init --- */

/* Before ready: report err to the runtime (create fails with it) and exit. */
__attribute__((noreturn)) void hull_init_fail(const struct hull_init_ctx *ctx,
					      const struct hull_err *err);
/* Tell the runtime the container is created, and wait for start (run: the runtime's word on
 * the sync socket; create: a byte in exec.fifo, whose fd stays open).  -1: the runtime is
 * gone instead (exit quietly). */
int hull_init_ready_wait(const struct hull_init_ctx *ctx);

#endif
