/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An app container of a pod at the vm level (vm/README.md, "Pods"): it runs in its sandbox's
 * VM, and its init on the host becomes the relay of its main process's session, so its pid
 * is what the runc shim waits for and signals, as for any container.
 *
 * create: the root, with the spec's bind mounts inside it and made read-only if asked
 * (prepare), is cloned (open_tree) after the createContainer hooks and moved, in the
 * sandbox's mount namespace, onto <sandbox state>/vm-pod/<id>/rootfs, beside the guest's
 * configuration of the container (exec, before ready); the share is a shared mount there, so
 * virtiofsd's namespace (its slave) sees it.
 * start (exec): an exec port of the sandbox's VM is claimed, the guest is asked to start the
 * container, and the init relays its stdio, signals and exit status until it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "lib/util.h"
#include "runtime/bind.h"
#include "runtime/cgroup/cgroup_res.h"
#include "runtime/hooks.h"
#include "vm/host/host.h"
#include "vm/proto/names.h"
#include "vm/proto/proto.h"

struct move_root {
	int tree;
	const char *target;
};

static int move_root(void *arg)
{
	const struct move_root *m = arg;
	return (int)syscall(SYS_move_mount, m->tree, "", AT_FDCWD, m->target,
			    MOVE_MOUNT_F_EMPTY_PATH);
}

/* The root as the guest must see it, in this (private) mount namespace. */
static int member_root(const struct hull_init_ctx *ctx, struct hull_err *err)
{
	const struct hull_spec *spec = ctx->spec;
	cleanup_close int rootfd = -1;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return hull_error(err, errno, "make the mount namespace private");
	if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_error(err, errno, "bind the rootfs `%s`", ctx->rootfs);
	rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return hull_error(err, errno, "open the rootfs `%s`", ctx->rootfs);
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].bind &&
		    hull_bind_in_root(ctx->bundle, rootfd, &spec->mounts[i], err) < 0)
			return -1;
	if (hull_vm_mount_points(rootfd, spec, err) < 0)
		return -1;
	if (spec->root_readonly &&
	    mount(NULL, ctx->rootfs, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return hull_error(err, errno, "make the rootfs read-only");
	return 0;
}

/* The spec's limits as `cgroup` records for the guest cgroup, after the config in *cfg. */
static int cgroup_records(const struct hull_spec *spec, char **cfg, size_t *len,
			  struct hull_err *err)
{
	struct hull_cg_resources r = {0};
	struct hull_cg_writes ws = {0};
	struct hull_vm_buf b = {*cfg, *len, *len};
	int ret = -1;

	if (hull_cg_res_parse(spec->linux_ ? spec->linux_->resources : NULL, "linux.resources", &r,
			      err) < 0)
		return -1;
	if (hull_vm_pod_cgroup_writes(&r, ~0U, &ws, err) < 0)
		goto out;
	for (size_t i = 0; i < ws.n; i++)
		hull_vm_rec(&b, HULL_REC_CGROUP, ws.w[i].file, ws.w[i].value);
	ret = 0;
out:
	*cfg = b.p;
	*len = b.len;
	hull_cg_writes_free(&ws);
	hull_cg_res_free(&r);
	return ret;
}

int hull_vm_member_prepare(const struct hull_init_ctx *ctx, struct hull_err *err)
{
	const char *sid = NULL;
	struct hull_state *sst = NULL;

	/* the sandbox must be there before anything is made */
	hull_vm_spec_pod_role(ctx->spec, &sid);
	if (hull_vm_pod_sandbox(ctx->opts->root, sid, &sst, err) < 0)
		return -1;
	hull_state_free(sst);
	return member_root(ctx, err);
}

/* In the init after the createContainer hooks (what they mounted in the root goes along),
 * before ready: the root into the pod's share, in the sandbox's mount namespace, beside the
 * guest's configuration of the container.  Undone when it fails. */
static int share_root(const struct hull_init_ctx *ctx, struct hull_err *err)
{
	const char *sid = NULL;
	struct hull_state *sst = NULL;
	cleanup_free char *sdir = NULL, *ctr = NULL, *target = NULL, *cfgpath = NULL, *cfg = NULL;
	cleanup_close int tree = -1;
	size_t len;
	int ret = -1;

	hull_vm_spec_pod_role(ctx->spec, &sid);
	if (hull_vm_pod_sandbox(ctx->opts->root, sid, &sst, err) < 0)
		return -1;
	sdir = hull_state_dir(ctx->opts->root, sid);
	ctr = hull_strfmt("%s/%s/%s", sdir, HULL_VM_POD_SHARE, ctx->opts->id);
	target = hull_strfmt("%s/%s", ctr, HULL_POD_ROOTFS);
	cfgpath = hull_strfmt("%s/%s", ctr, HULL_POD_CONFIG);
	if ((mkdir(ctr, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(target, 0755) < 0 && errno != EEXIST)) {
		hull_error(err, errno, "make `%s` in the pod's share", target);
		goto out;
	}
	cfg = hull_vm_guest_config(ctx->spec, ctx->seccomp, &len, err);
	if (!cfg || cgroup_records(ctx->spec, &cfg, &len, err) < 0 ||
	    hull_write_file_replace(cfgpath, cfg, len, 0600, err) < 0)
		goto out;
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, ctx->rootfs,
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0) {
		hull_error(err, errno, "clone the rootfs `%s`", ctx->rootfs);
		goto out;
	}
	{
		struct move_root m = {tree, target};
		if (hull_vm_in_mount_ns(sst->pid, move_root, &m, err) < 0) {
			hull_error_wrap(err, "bind the root into the pod's share `%s`", target);
			goto out;
		}
	}
	ret = 0;
out:
	if (ret < 0) {
		unlink(cfgpath);
		rmdir(target);
		rmdir(ctr);
	}
	hull_state_free(sst);
	return ret;
}

__attribute__((noreturn)) void hull_vm_member_exec(const struct hull_init_ctx *ctx,
						   const char *state_json)
{
	static unsigned char buf[2 * (HULL_FRAME_HDR + HULL_FRAME_MAX)];
	struct hull_err err = {0};
	struct hull_state *sst = NULL;
	cleanup_free char *sdir = NULL;
	const char *sid = NULL;
	int dirfd, lockfd = -1, sock, slave = -1;
	size_t len = 0;

	/* process.terminal: a host pty whose master goes to the caller now (console socket),
	 * its slave the relay's side of the guest's pty */
	if (share_root(ctx, &err) < 0 ||
	    (ctx->spec->process->terminal && hull_vm_console_open(ctx, &slave, &err) < 0))
		hull_init_fail(ctx, &err);
	if (hull_init_ready_wait(ctx) < 0)
		_exit(1);
	if (ctx->fifo_fd >= 0)
		close(ctx->fifo_fd);
	/* from here on errors are the workload's, on its stderr as in container mode */
	hull_vm_spec_pod_role(ctx->spec, &sid);
	if (hull_hooks_run(&ctx->spec->hooks.start_container, "startContainer", state_json, &err) <
		    0 ||
	    hull_vm_pod_sandbox(ctx->opts->root, sid, &sst, &err) < 0)
		goto fail;
	sdir = hull_state_dir(ctx->opts->root, sid);
	dirfd = open(sdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		hull_error(&err, errno, "open `%s`", sdir);
		goto fail;
	}
	sock = hull_vm_port_connect(dirfd, sst->pid,
				    hull_vm_exec_ports(sst->annotations, sst->n_annotations),
				    &lockfd, &err);
	close(dirfd);
	if (sock < 0)
		goto fail;
	{
		struct hull_vm_session_req q = {.tty = slave, .start = ctx->opts->id};
		if (hull_vm_session_open(sock, &q, buf, sizeof(buf), &len, &err) < 0)
			goto fail;
	}
	hull_state_free(sst);
	/* the init is the container's process on the host: it relays until the guest's ends */
	{
		struct hull_vm_relay r = {.sock = sock, .in = 0, .out = 1, .err = 2};
		if (slave >= 0)
			r.in = r.out = r.err = slave, r.tty = true;
		for (int fd = 3; fd < 4096; fd++)
			if (fd != sock && fd != lockfd && fd != slave)
				close(fd);
		hull_vm_relay(&r, buf, len);
	}
fail:
	hull_state_free(sst);
	dprintf(2, "hull-oci: %s\n", err.msg);
	_exit(HULL_EXIT_ERROR);
}

int hull_vm_member_exec_process(const struct hull_exec_opts *o, const struct hull_state *st,
				const struct hull_process *p, int *status, struct hull_err *err)
{
	const char *sid = NULL;
	struct hull_state *sst = NULL;
	cleanup_free char *sdir = NULL;
	int ret;

	hull_vm_pod_role(st->annotations, st->n_annotations, &sid);
	if (hull_vm_pod_sandbox(o->root, sid, &sst, err) < 0)
		return -1;
	sdir = hull_state_dir(o->root, sid);
	{
		struct hull_vm_target t = {
			.dir = sdir,
			.vmm = sst->pid,
			.ports = hull_vm_exec_ports(sst->annotations, sst->n_annotations),
			.into = st->id};
		ret = hull_vm_exec_in(o, st, &t, p, status, err);
	}
	hull_state_free(sst);
	return ret;
}
