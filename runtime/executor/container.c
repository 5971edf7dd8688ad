/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container isolation level's table (runtime/executor.h): in the init, the root file
 * system at prepare and, after the createContainer hooks, pivot_root and the last checks
 * (so that every configuration error is reported by create), then the wait for start and the
 * exec of the workload; kill by signals to the init (or the whole cgroup); run's foreground
 * by forwarding our signals to the init.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "lib/util.h"
#include "runtime/executor.h"
#include "runtime/executor/process.h"
#include "runtime/executor/rootfs.h"
#include "runtime/foreground.h"
#include "runtime/hooks.h"
#include "runtime/sync.h"
#include "runtime/sysctl.h"
#include "runtime/terminal.h"

/* prepare and exec run in the same init: both see the rootfs as the context describes it. */
static struct hull_rootfs rootfs_of(const struct hull_init_ctx *ctx)
{
	const struct hull_spec *spec = ctx->spec;
	return (struct hull_rootfs){
		.spec = spec,
		.bundle = ctx->bundle,
		.rootfs = ctx->rootfs,
		.cgroup_path = ctx->cgroup_path,
		.cgroups = ctx->cgroups,
		.bind_fds = ctx->bind_fds,
		.userns = (ctx->new_ns & CLONE_NEWUSER) || hull_spec_namespace(spec, CLONE_NEWUSER),
		.cgroupns = (ctx->new_ns & CLONE_NEWCGROUP) != 0,
		.console = spec->process->terminal,
	};
}

static int container_prepare(const struct hull_init_ctx *ctx, struct hull_err *err)
{
	struct hull_rootfs rfs = rootfs_of(ctx);
	return hull_rootfs_prepare(&rfs, err);
}

/* After start woke us: the error goes to the workload's stderr and, for `start` to report,
 * into the fifo it is reading. */
static void start_failed(const struct hull_init_ctx *ctx, const struct hull_err *err)
{
	dprintf(2, "hull-oci: %s\n", err->msg);
	if (!ctx->run_mode && ctx->fifo_fd >= 0)
		hull_write_all(ctx->fifo_fd, err->msg, strlen(err->msg));
}

__attribute__((noreturn)) static void container_exec(const struct hull_init_ctx *ctx,
						     const char *state_json)
{
	const struct hull_spec *spec = ctx->spec;
	const struct hull_process *proc = spec->process;
	struct hull_rootfs rfs = rootfs_of(ctx);
	struct hull_err err = {0};
	cleanup_free char *exe = NULL;
	const int spare[] = {ctx->sync_fd, ctx->fifo_fd, ctx->console_fd};
	char **env;

	/* what our caller left open (runc's init never has it): not for the container's eyes in
	 * /proc/1/fd while it waits for start */
	hull_process_close_inherited(ctx->opts->preserve_fds + ctx->n_listen_fds, spare,
				     ARRAY_SIZE(spare));
	if (hull_rootfs_pivot(&rfs, ctx->opts->no_pivot, &err) < 0 ||
	    hull_sysctl_apply(spec, &err) < 0 || hull_rootfs_make_cwd(proc->cwd, &err) < 0)
		hull_init_fail(ctx, &err);
	if (proc->terminal) {
		struct hull_terminal_opts t = {
			.rows = proc->console_height,
			.cols = proc->console_width,
			.console = true,
			.plain_newlines =
				ctx->opts->tty_plain_newlines && !ctx->opts->console_socket,
			.owner = proc->uid,
		};
		if (hull_terminal_setup(ctx->console_fd, &t, &err) < 0)
			hull_init_fail(ctx, &err);
	}
	if (ctx->console_fd >= 0)
		close(ctx->console_fd);
	/* a session of its own with a terminal or not, as with runc (the terminal's setup
	 * made one already) */
	if (!proc->terminal && setsid() < 0) {
		hull_error(&err, errno, "setsid");
		hull_init_fail(ctx, &err);
	}
	if (hull_rootfs_finalize(&rfs, &err) < 0)
		hull_init_fail(ctx, &err);
	if (hull_process_chdir(proc->cwd, &err) < 0)
		hull_init_fail(ctx, &err);
	exe = hull_process_lookup(proc, &err);
	if (!exe)
		hull_init_fail(ctx, &err);
	if (!ctx->opts->no_new_keyring &&
	    syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, ctx->opts->id) < 0 &&
	    errno != ENOSYS && errno != EACCES && errno != EPERM) {
		hull_error(&err, errno, "create session keyring");
		hull_init_fail(ctx, &err);
	}
	env = hull_process_env(proc, ctx->n_listen_fds);
	/* A filter with notify rules goes on now, while the runtime is there to take its
	 * listener's fd to listenerPath (runc loads it before the wait for start too). */
	if (hull_seccomp_has_notify(ctx->seccomp)) {
		int nfd;
		if (hull_seccomp_load(ctx->seccomp, &err) < 0)
			hull_init_fail(ctx, &err);
		nfd = hull_seccomp_take_notify_fd(ctx->seccomp);
		if (hull_sync_send_fd(ctx->sync_fd, SYNC_SECCOMP_FD, nfd, &err) < 0)
			hull_init_fail(ctx, &err);
		close(nfd);
	}

	/* Created: wait for start.  The fifo's fd stays open (close-on-exec) until the exec:
	 * `start` waits for it to close, and reads there why the process could not start. */
	if (hull_init_ready_wait(ctx) < 0)
		_exit(1);

	/* From here on the runtime is gone (create/start) or waiting for us (run): errors are
	 * the workload's, reported on its stderr as runc does, and to `start` on the fifo.
	 * A startContainer hook without `env` runs with the workload's environment, as runc's
	 * do, never with the one hull-oci's caller gave hull-oci (the host's). */
	environ = env;
	if (hull_hooks_run(&spec->hooks.start_container, "startContainer", state_json, &err) < 0 ||
	    hull_personality_apply(spec->linux_->personality, &err) < 0 ||
	    hull_mem_policy_apply(spec->linux_, &err) < 0 ||
	    hull_process_confine(proc, ctx->seccomp, ctx->opts->preserve_fds + ctx->n_listen_fds,
				 &err) < 0) {
		start_failed(ctx, &err);
		_exit(HULL_EXIT_NOT_FOUND);
	}
	execve(exe, proc->args, env);
	{
		int e = errno;
		hull_error_go(&err, e, "exec `%s`", exe);
		start_failed(ctx, &err);
		_exit(HULL_EXIT_FOR_EXEC_ERRNO(e));
	}
}

/* Whether pid is the init (pid 1) of its pid namespace: the last of its NSpid ids. */
static bool leads_its_pid_namespace(pid_t pid)
{
	cleanup_free char *path = hull_strfmt("/proc/%d/status", pid), *status = NULL;
	const char *line, *last;
	if (hull_read_file(path, &status, NULL, NULL) < 0 || !(line = strstr(status, "\nNSpid:")))
		return true; /* cannot tell: as before, the init alone */
	line += strlen("\nNSpid:");
	last = line;
	for (const char *p = line; *p && *p != '\n'; p++)
		if (*p == '\t' || *p == ' ')
			last = p + 1;
	return atoi(last) == 1;
}

static int container_kill(const char *root, const struct hull_state *st, int sig, bool all,
			  struct hull_err *err)
{
	struct hull_cgroups cg = {0};

	/* Without a pid namespace of its own (the host's, or another's joined) the init's end
	 * takes nothing else with it: SIGKILL goes to every process of the container, as
	 * runc does, or the others would outlive a container reported stopped. */
	if (sig == SIGKILL && !all && !leads_its_pid_namespace(st->pid))
		all = true;

	if (all && st->cgroup_path && *st->cgroup_path && hull_cgroups_discover(&cg, NULL) == 0) {
		pid_t *pids = NULL;
		size_t n = 0, i;
		if (hull_cgroup_pids(&cg, st->cgroup_path, &pids, &n, NULL) == 0) {
			for (i = 0; i < n; i++)
				kill(pids[i], sig);
			free(pids);
		}
	}
	hull_cgroups_free(&cg);
	if (kill(st->pid, sig) < 0 && !(all && errno == ESRCH))
		return hull_error(err, errno, "kill: container `%s` (pid %d)", st->id, st->pid);
	return 0;
}

/* run: the init is our child and becomes the workload; our signals go straight to it. */
static void container_foreground_begin(const struct hull_state *st)
{
	hull_forward_signals(st->pid);
}

static int container_foreground_wait(const char *root, const struct hull_state *st,
				     struct hull_tty_proxy *tty)
{
	return hull_foreground_wait(st->pid, tty);
}

const struct hull_executor hull_container_executor = {
	.name = "container",
	.prepare = container_prepare,
	.exec = container_exec,
	.kill = container_kill,
	.foreground_begin = container_foreground_begin,
	.foreground_wait = container_foreground_wait,
	.exec_process = hull_container_exec_process,
};
