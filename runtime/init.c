/*
 * The container's init in container mode: it is forked by the runtime already inside its
 * new namespaces, builds the root file system, waits for `start` and execs the workload.
 * Every failure goes back to the runtime over the sync socket as text; the runtime prints it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/executor.h"
#include "runtime/executor/rootfs.h"
#include "runtime/hooks.h"
#include "runtime/loopback.h"
#include "runtime/sync.h"
#include "runtime/sysctl.h"
#include "runtime/terminal.h"
#include "vm/vm.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static struct hull_sync_msg msg;

__attribute__((noreturn)) static void fail(struct hull_init_ctx *ctx, struct hull_err *err)
{
	hull_sync_send(ctx->sync_fd, SYNC_ERROR, err->errnum, err->msg, NULL);
	_exit(1);
}

static int set_time_offsets(const struct hull_linux *lx, struct hull_err *err)
{
	cleanup_close int fd = -1;
	size_t i;

	if (unshare(CLONE_NEWTIME) < 0)
		return hull_error(err, errno, "create time namespace");
	for (i = 0; lx && i < lx->n_time_offsets; i++) {
		char line[128];
		snprintf(line, sizeof(line), "%s %lld %u", lx->time_offsets[i].clock,
			 (long long)lx->time_offsets[i].secs, lx->time_offsets[i].nanosecs);
		if (hull_write_string("/proc/self/timens_offsets", line, err) < 0)
			return -1;
	}
	/* unshare only moves our children; join it ourselves so the workload starts inside. */
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
		return hull_error(err, errno, "enter time namespace");
	return 0;
}

static int set_names(const struct hull_spec *spec, unsigned long new_ns, struct hull_err *err)
{
	if ((spec->hostname && *spec->hostname) || (spec->domainname && *spec->domainname)) {
		if (!(new_ns & CLONE_NEWUTS) && !hull_spec_namespace(spec, CLONE_NEWUTS))
			return hull_error(err, EINVAL,
					  "cannot set the hostname without a UTS namespace of "
					  "the container's own");
	}
	if (spec->hostname && *spec->hostname &&
	    sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return hull_error(err, errno, "set hostname `%s`", spec->hostname);
	if (spec->domainname && *spec->domainname &&
	    setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return hull_error(err, errno, "set domainname `%s`", spec->domainname);
	return 0;
}

/* The workload sees /proc/self/exe of this binary until it execs: keep it unreadable. */
static void harden(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* After start woke us: the error goes to the workload's stderr and, for `start` to report,
 * into the fifo it is reading. */
static void start_failed(const struct hull_init_ctx *ctx, const struct hull_err *err)
{
	dprintf(2, "hull-oci: %s\n", err->msg);
	if (!ctx->run_mode && ctx->fifo_fd >= 0)
		hull_write_all(ctx->fifo_fd, err->msg, strlen(err->msg));
}

__attribute__((noreturn)) void hull_init_main(struct hull_init_ctx *ctx)
{
	const struct hull_spec *spec = ctx->spec;
	const struct hull_process *proc = spec->process;
	struct hull_err err = {0};
	struct hull_rootfs rfs = {
		.spec = spec,
		.bundle = ctx->bundle,
		.rootfs = ctx->rootfs,
		.cgroup_path = ctx->cgroup_path,
		.cgroups = ctx->cgroups,
		.userns = (ctx->new_ns & CLONE_NEWUSER) || hull_spec_namespace(spec, CLONE_NEWUSER),
		.cgroupns = (ctx->new_ns & CLONE_NEWCGROUP) != 0,
		.console = proc->terminal,
	};
	cleanup_free char *exe = NULL, *state_json = NULL;
	char **env;
	sigset_t all;

	/* a flock is shared with every copy of its fd: keeping it would lock the container
	 * against every later command for as long as the init lives */
	if (ctx->lock_fd >= 0)
		close(ctx->lock_fd);
	harden();
	/* the runtime's signal handlers must not run here */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	/* Wait for the runtime: uid/gid maps written, cgroup joined. */
	if (hull_sync_expect(ctx->sync_fd, SYNC_GO, &msg, &err) < 0)
		_exit(1);
	if (rfs.userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		hull_error(&err, errno, "become root in the user namespace");
		fail(ctx, &err);
	}
	if ((ctx->new_ns & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0) {
		hull_error(&err, errno, "create cgroup namespace");
		fail(ctx, &err);
	}
	if ((ctx->new_ns & CLONE_NEWTIME) && set_time_offsets(spec->linux_, &err) < 0)
		fail(ctx, &err);
	if (set_names(spec, ctx->new_ns, &err) < 0 ||
	    ((ctx->new_ns & CLONE_NEWNET) && hull_loopback_up(&err) < 0))
		fail(ctx, &err);
	if ((ctx->vm ? hull_vm_prepare(ctx, &err) : hull_rootfs_prepare(&rfs, &err)) < 0)
		fail(ctx, &err);

	/* prestart and createRuntime hooks run in the runtime now */
	hull_sync_send(ctx->sync_fd, SYNC_MOUNTED, 0, NULL, NULL);
	if (hull_sync_expect(ctx->sync_fd, SYNC_HOOKS_DONE, &msg, &err) < 0)
		_exit(1);
	state_json = xstrdup(msg.data);
	if (hull_hooks_run(&spec->hooks.create_container, "createContainer", state_json, &err) < 0)
		fail(ctx, &err);
	if (ctx->vm)
		hull_vm_exec(ctx, state_json);

	if (hull_rootfs_pivot(&rfs, ctx->opts->no_pivot, &err) < 0 ||
	    hull_sysctl_apply(spec, &err) < 0)
		fail(ctx, &err);
	if (proc->terminal && hull_terminal_setup(ctx->console_fd, proc->console_height,
						  proc->console_width, true, &err) < 0)
		fail(ctx, &err);
	if (ctx->console_fd >= 0)
		close(ctx->console_fd);
	if (hull_rootfs_finalize(&rfs, &err) < 0)
		fail(ctx, &err);
	if (hull_process_chdir(proc->cwd, &err) < 0)
		fail(ctx, &err);
	exe = hull_process_lookup(proc, &err);
	if (!exe)
		fail(ctx, &err);
	if (!ctx->opts->no_new_keyring &&
	    syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, ctx->opts->id) < 0 &&
	    errno != ENOSYS && errno != EACCES && errno != EPERM) {
		hull_error(&err, errno, "create session keyring");
		fail(ctx, &err);
	}
	env = hull_process_env(proc, ctx->n_listen_fds);
	hull_sync_send(ctx->sync_fd, SYNC_READY, 0, NULL, NULL);

	/* Created: wait for start. */
	if (ctx->run_mode) {
		if (hull_sync_expect(ctx->sync_fd, SYNC_START, &msg, &err) < 0)
			_exit(1);
	} else {
		char c;
		ssize_t n;
		do
			n = read(ctx->fifo_fd, &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(1);
		/* kept open (close-on-exec) until the exec: `start` waits for it to close, and
		 * reads there why the process could not be started */
	}

	/* From here on the runtime is gone (create/start) or waiting for us (run): errors are
	 * the workload's, reported on its stderr as runc does, and to `start` on the fifo. */
	if (hull_hooks_run(&spec->hooks.start_container, "startContainer", state_json, &err) < 0 ||
	    hull_personality_apply(spec->linux_->personality, &err) < 0 ||
	    hull_process_confine(proc, ctx->seccomp, ctx->opts->preserve_fds + ctx->n_listen_fds,
				 &err) < 0) {
		start_failed(ctx, &err);
		_exit(HULL_EXIT_NOT_FOUND);
	}
	execve(exe, proc->args, env);
	{
		int e = errno;
		hull_error(&err, e, "exec `%s`", exe);
		start_failed(ctx, &err);
		_exit(HULL_EXIT_FOR_EXEC_ERRNO(e));
	}
}
