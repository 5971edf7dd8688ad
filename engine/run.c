/* SPDX-License-Identifier: Apache-2.0 */
/* hull run and hull create: engine/prepare.c makes the container (name, record, rootfs,
 * config.json), the monitor (engine/monitor.c) runs it.  `hull run` and `hull compare` both
 * come here. */
#include "engine/run.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/attach.h"
#include "engine/events.h"
#include "engine/monitor.h"
#include "engine/ops.h"
#include "engine/restart_policy.h"
#include "engine/volume.h"
#include "lib/exitcode.h"
#include "lib/util.h"

/* The container made and recorded, with its restart policy; the rootfs stays mounted. */
static int make(const struct hull_engine *e, const struct hull_run_opts *o, struct hull_ctr *c,
		bool *policy, struct hull_err *err)
{
	struct hull_restart_policy pol;

	if (hull_restart_policy_parse(o->restart, &pol, err) < 0)
		return -1;
	*policy = pol.kind != HULL_RESTART_NO;
	if (*policy && o->rm)
		return hull_error(err, EINVAL,
				  "conflicting options: --restart %s and --rm (a container removed "
				  "at its exit cannot be started again)",
				  o->restart);
	if (hull_run_prepare(e, o, c, err) < 0)
		return -1;
	if (*policy) {
		c->restart_policy = xstrdup(o->restart);
		/* a detached monitor keeps the policy, even in the foreground (run_attached) */
		c->monitor_pid = 0;
		if (hull_ctr_save(e, c, err) < 0) {
			hull_ctr_remove(e, c->id, true, NULL);
			hull_volumes_release(e, c->id, true, NULL);
			return -1;
		}
	}
	hull_event_emit(e, c, "create", NULL);
	return 0;
}

int hull_engine_create(const struct hull_engine *e, const struct hull_run_opts *o,
		       struct hull_ctr *c, struct hull_err *err)
{
	struct hull_run_opts own = *o;
	bool policy;

	own.create_only = true;
	if (make(e, &own, c, &policy, err) < 0)
		return -1;
	/* a container that does not run holds no mount: each start mounts its rootfs */
	if (c->rootfs_kind && !strcmp(c->rootfs_kind, "overlay"))
		umount2(c->rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
	return 0;
}

/* In the foreground with a restart policy: a detached monitor keeps the policy, we attach to
 * it as `hull start -a` does. */
static int run_attached(const struct hull_engine *e, const struct hull_run_opts *o,
			const struct hull_ctr *c, int *status, struct hull_err *err)
{
	struct hull_attach_opts ao = {.stdin = o->interactive, .sig_proxy = true};
	enum hull_attach_end end;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return hull_error(err, errno, "socketpair");
	if (hull_monitor_spawn(e, c, sv[1], err) < 0) {
		close(sv[0]);
		return -1;
	}
	ao.fd = sv[0];
	if (hull_attach(e, c, &ao, &end, status, err) < 0)
		return 1; /* it runs on: not a failure to start */
	return 0;
}

int hull_engine_run(const struct hull_engine *e, const struct hull_run_opts *o, struct hull_ctr *c,
		    int *status, struct hull_err *err)
{
	struct hull_err rerr = {0};
	bool policy;
	int rc;

	*status = 0;
	if (make(e, o, c, &policy, err) < 0)
		return -1;
	if (o->detach) {
		rc = hull_monitor_spawn(e, c, -1, err);
	} else if (policy) {
		rc = run_attached(e, o, c, status, err);
		if (rc > 0) {
			*status = HULL_EXIT_ERROR;
			return 0;
		}
	} else {
		struct hull_monitor_opts mo = {
			.e = e, .c = c, .attach = true, .ready_fd = -1, .client_fd = -1};
		rc = hull_monitor_run(&mo, status, err);
	}
	if (rc < 0) {
		hull_ctr_remove(e, c->id, true, &rerr);
		/* never started: its anonymous volumes go too */
		hull_volumes_release(e, c->id, true, NULL);
	}
	return rc;
}

int hull_start_failure_status(const struct hull_err *err)
{
	/* the runtime names the program it could not exec: "exec `x`: ..." */
	if (!strstr(err->msg, "exec `"))
		return HULL_EXIT_ERROR;
	if (err->errnum == ENOENT || err->errnum == ENOTDIR)
		return HULL_EXIT_NOT_FOUND;
	if (err->errnum == EACCES || err->errnum == ENOEXEC || err->errnum == EPERM)
		return HULL_EXIT_CANNOT_RUN;
	return HULL_EXIT_ERROR;
}
