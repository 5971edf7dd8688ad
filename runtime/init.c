/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's init, for every isolation level: it is forked by the runtime already inside
 * its new namespaces, enters its cgroup and time namespaces, sets its names, has its level
 * prepare (the container level: the root file system), runs the createContainer hooks and
 * hands over to the level's exec, which waits for `start` and makes the container's process.
 * Every failure before ready goes back to the runtime over the sync socket as text; the
 * runtime prints it.
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

#include "lib/util.h"
#include "runtime/bind.h"
#include "runtime/executor.h"
#include "runtime/hooks.h"
#include "runtime/lifecycle.h"
#include "runtime/loopback.h"
#include "runtime/sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static struct hull_sync_msg msg;

__attribute__((noreturn)) void hull_init_fail(const struct hull_init_ctx *ctx,
					      const struct hull_err *err)
{
	hull_sync_send(ctx->sync_fd, SYNC_ERROR, err->errnum, err->msg, NULL);
	_exit(1);
}

int hull_init_ready_wait(const struct hull_init_ctx *ctx)
{
	struct hull_err err = {0};

	/* created: from here the container outlives the runtime that made it */
	if (ctx->runtime_pid)
		prctl(PR_SET_PDEATHSIG, 0);
	hull_sync_send(ctx->sync_fd, SYNC_READY, 0, NULL, NULL);
	if (ctx->run_mode)
		return hull_sync_expect(ctx->sync_fd, SYNC_START, &msg, &err);
	{
		char c;
		ssize_t n;
		do
			n = read(ctx->fifo_fd, &c, 1);
		while (n < 0 && errno == EINTR);
		return n == 1 ? 0 : -1;
	}
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

__attribute__((noreturn)) void hull_init_main(struct hull_init_ctx *ctx)
{
	const struct hull_spec *spec = ctx->spec;
	struct hull_err err = {0};
	cleanup_free char *state_json = NULL;
	bool userns = (ctx->new_ns & CLONE_NEWUSER) || hull_spec_namespace(spec, CLONE_NEWUSER);
	sigset_t all;

	/* a runtime killed while the init sets up takes the init with it (a caller's timeout, a
	 * kill -9): a half-made container must not run on.  One killed before this line is seen
	 * at the next read of the sync socket (end of file). */
	if (ctx->runtime_pid)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
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
	/* the bind sources the runtime opened for us (we may not reach them ourselves), taken
	 * before anything here can fail: an init gone with them unread would hide its error */
	if (hull_bind_sources_needed(spec) &&
	    !(ctx->bind_fds = hull_bind_sources_recv(spec, ctx->sync_fd, &err)))
		hull_init_fail(ctx, &err);
	if (userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		hull_error(&err, errno, "become root in the user namespace");
		hull_init_fail(ctx, &err);
	}
	if ((ctx->new_ns & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0) {
		hull_error(&err, errno, "create cgroup namespace");
		hull_init_fail(ctx, &err);
	}
	if ((ctx->new_ns & CLONE_NEWTIME) && set_time_offsets(spec->linux_, &err) < 0)
		hull_init_fail(ctx, &err);
	if (set_names(spec, ctx->new_ns, &err) < 0 ||
	    ((ctx->new_ns & CLONE_NEWNET) && hull_loopback_up(&err) < 0) ||
	    ctx->level->prepare(ctx, &err) < 0)
		hull_init_fail(ctx, &err);

	/* prestart and createRuntime hooks run in the runtime now */
	hull_sync_send(ctx->sync_fd, SYNC_MOUNTED, 0, NULL, NULL);
	if (hull_sync_expect(ctx->sync_fd, SYNC_HOOKS_DONE, &msg, &err) < 0)
		_exit(1);
	state_json = xstrdup(msg.data);
	if (hull_hooks_run(&spec->hooks.create_container, "createContainer", state_json, &err) < 0)
		hull_init_fail(ctx, &err);
	ctx->level->exec(ctx, state_json);
}
