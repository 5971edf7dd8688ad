/* What the runtime hands the container's init, and the init's entry point (container mode). */
#ifndef HULL_EXECUTOR_H
#define HULL_EXECUTOR_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/container.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/spec/spec.h"

struct hull_join_ns {
	int type; /* CLONE_NEW* */
	int fd;	  /* opened namespace path */
};

struct hull_init_ctx {
	const struct hull_spec *spec;
	const struct hull_create_opts *opts;
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
	bool run_mode;
	bool vm; /* the vm executor (vm/vm.h) runs this container */
};

/* The container's init: never returns; reports errors over sync_fd and exits. */
__attribute__((noreturn)) void hull_init_main(struct hull_init_ctx *ctx);

/* process.c: the last steps before exec, after the rootfs is in place. */
/* Resolve args[0] in the container ("executable file not found in $PATH"). */
char *hull_process_lookup(const struct hull_process *p, struct hull_err *err);
/* chdir to the process's cwd, refused when it ends up outside the root. */
int hull_process_chdir(const char *cwd, struct hull_err *err);
/* rlimits, groups, gid, uid, umask, no_new_privs; then fds and execve. */
int hull_process_identity(const struct hull_process *p, struct hull_err *err);
/* identity, fds and the seccomp filter in crun's and runc's order: without no_new_privs
 * the filter goes first (loading it needs CAP_SYS_ADMIN), with it as late as possible. */
int hull_process_confine(const struct hull_process *p, struct hull_seccomp *filter, int keep_fds,
			 struct hull_err *err);
/* Environment with LISTEN_FDS/LISTEN_PID added when fds are handed through. */
char **hull_process_env(const struct hull_process *p, int n_listen_fds);
/* Keep fds 0..2 and 3..3+keep-1; everything else is closed by the exec. */
int hull_process_fds(int keep, struct hull_err *err);

#endif
