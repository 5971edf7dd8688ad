/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI lifecycle (create, start, run, kill, delete), written once for both isolation
 * levels.  cmd/hull-oci and cmd/hull call these; they never print. */
#ifndef HULL_CONTAINER_H
#define HULL_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/state.h"

struct hull_create_opts {
	const char *root; /* state root (default HULL_DEFAULT_ROOT) */
	const char *id;
	const char *bundle;	    /* NULL = current directory */
	const char *pid_file;	    /* NULL = none */
	const char *console_socket; /* NULL = none */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;    /* fds 3 .. 3+N-1 (after the LISTEN_FDS ones) stay open */
	bool systemd_cgroup; /* the systemd cgroup driver (runtime/cgroup/driver.h) */
	bool detach;	     /* run only: return once started */
	bool keep;	     /* run only: the stopped container stays until delete (runc --keep) */
	/* run in the foreground with a terminal and no console socket: the pty we relay keeps
	 * the workload's "\n" ("\r\n" otherwise), as runc's does (runtime/terminal.h) */
	bool tty_plain_newlines;
	/* the isolation level the front end was invoked as (hull-oci-vm: "vm"), NULL: none; the
	 * annotation run.hull.isolation wins over it (runtime/executor.h) */
	const char *level_by_name;
};

/* create: the container's init waits in the created state until start. */
int hull_container_create(const struct hull_create_opts *o, struct hull_err *err);

/* start: lets a created container run its process; poststart hooks follow (one that fails
 * fails start, and the container is killed and deleted, as runc does). */
int hull_container_start(const char *root, const char *id, struct hull_err *err);

/* run: create + start.  In the foreground it waits for the process, forwarding signals (and
 * proxying the terminal when process.terminal is set without a console socket), deletes the
 * container and stores the exit status in *status: the code, or 128+N for signal N.  With
 * o->detach it returns once started (*status = 0). */
int hull_container_run(const struct hull_create_opts *o, int *status, struct hull_err *err);

/* kill: signal the init (or every process in the container with all).  sig 0 signals
 * nothing: it fails (ESRCH) only when the container is not running. */
int hull_container_kill(const char *root, const char *id, int sig, bool all, struct hull_err *err);

/* delete: a stopped (or created) container; force kills a running one first.  Removes the
 * cgroup and the state, runs poststop hooks. */
int hull_container_delete(const char *root, const char *id, bool force, struct hull_err *err);

struct hull_exec_opts {
	const char *root;
	const char *id;
	const char *process_file; /* --process: a runtime-spec process JSON ("-" = stdin) */
	/* Without a process file: the container's own process with these changes. */
	char **args; /* the command, NULL-terminated */
	const char *cwd;
	const char *user; /* "UID[:GID]" */
	gid_t *additional_gids;
	size_t n_additional_gids;
	char **caps; /* added to the bounding, effective and permitted sets */
	bool tty;
	bool no_new_privs;
	/* Always. */
	char **sub_cgroups; /* --cgroup [CTRL[,CTRL...]:]SUB, NULL-terminated; NULL = none */
	char **env;	    /* NAME=VALUE, replacing the same NAME */
	const char *console_socket;
	const char *pid_file;
	bool detach;
	int preserve_fds;
	bool tty_plain_newlines; /* as hull_create_opts' */
	bool ignore_paused;	 /* a paused container is not refused (runc's --ignore-paused) */
};

/* exec: run another process in a created or running container, in all its namespaces, its
 * cgroup and its root.  In the foreground it waits and stores the exit status (128+N for
 * signal N) in *status; with o->detach it returns once the process has exec'd. */
int hull_container_exec(const struct hull_exec_opts *o, int *status, struct hull_err *err);

/* The pids of the container's processes (in the runtime's pid namespace). */
int hull_container_pids(const char *root, const char *id, pid_t **pids, size_t *n,
			struct hull_err *err);

#endif
