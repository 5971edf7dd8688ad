/* SPDX-License-Identifier: Apache-2.0 */
/* The container level's process: its identity, fds and confinement, set just before the exec,
 * in the init (create) and in an exec'd process. */
#ifndef HULL_EXECUTOR_PROCESS_H
#define HULL_EXECUTOR_PROCESS_H

#include "lib/err.h"
#include "runtime/container.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/spec/spec.h"
#include "runtime/state.h"

/* process.c: the last steps before exec, after the rootfs is in place. */
/* Resolve args[0] in the container ("executable file not found in $PATH"). */
char *hull_process_lookup(const struct hull_process *p, struct hull_err *err);
/* chdir to the process's cwd, refused when it ends up outside the root. */
int hull_process_chdir(const char *cwd, struct hull_err *err);
/* numa.c: linux.memoryPolicy, for the init (an exec'd process keeps the default). */
int hull_mem_policy_apply(const struct hull_linux *lx, struct hull_err *err);
/* sched.c: process.scheduler and process.ioPriority, while the process still has its
 * privileges. */
int hull_process_sched(const struct hull_process *p, struct hull_err *err);
/* rlimits, I/O priority, groups, gid, uid, umask, no_new_privs; then fds and execve. */
int hull_process_identity(const struct hull_process *p, struct hull_err *err);
/* identity, fds and the seccomp filter in crun's and runc's order: without no_new_privs
 * the filter goes first (loading it needs CAP_SYS_ADMIN), with it as late as possible. */
int hull_process_confine(const struct hull_process *p, struct hull_seccomp *filter, int keep_fds,
			 struct hull_err *err);
/* Environment with LISTEN_FDS/LISTEN_PID added when fds are handed through, and HOME when the
 * process's has none: the user's home in the container's /etc/passwd, else "/" (runc).  A
 * name set more than once is set once, to its last value (runc's). */
char **hull_process_env(const struct hull_process *p, int n_listen_fds);
/* Keep fds 0..2 and 3..3+keep-1; everything else is closed by the exec. */
int hull_process_fds(int keep, struct hull_err *err);
/* Close now what the runtime's caller left open beyond 3..3+keep-1 (any fd without
 * close-on-exec: the runtime opens its own with it), but the spare ones: the init holds
 * no host file while the container waits for start, where its processes could reach it. */
void hull_process_close_inherited(int keep, const int *spare, size_t n_spare);

/* exec.c: the container level's exec_process (runtime/executor.h): p joins the namespaces,
 * cgroup and root of the container's init, takes the container's confinement and execs. */
int hull_container_exec_process(const struct hull_exec_opts *o, const struct hull_state *st,
				const struct hull_spec *spec, const struct hull_process *p,
				int *status, struct hull_err *err);

#endif
