/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pods at the vm level (vm/README.md, "Pods"): one VM per Kubernetes pod.  What a container
 * is in its pod is read from the annotations containerd's and CRI-O's CRI plugins write; the
 * sandbox container boots the VM with a second virtio-fs device over the pod's share, and each
 * app container's root reaches the guest by a bind mount into that share, made in the
 * sandbox's mount namespace (where virtiofsd runs) and propagated to virtiofsd's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"
#include "vm/host/host.h"
#include "vm/proto/control.h"
#include "vm/proto/names.h"
#include "vm/proto/proto.h"

static const struct {
	const char *type, *sandbox_id;
} cri[] = {
	{HULL_ANNOT_CRI_TYPE, HULL_ANNOT_CRI_SANDBOX_ID},
	{HULL_ANNOT_CRIO_TYPE, HULL_ANNOT_CRIO_SANDBOX_ID},
};

static const char *kv_get(const struct hull_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (kv[i].key && !strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

enum hull_vm_pod_role hull_vm_pod_role(const struct hull_kv *annots, size_t n,
				       const char **sandbox_id)
{
	if (sandbox_id)
		*sandbox_id = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(cri); i++) {
		const char *type = kv_get(annots, n, cri[i].type);
		const char *sid = kv_get(annots, n, cri[i].sandbox_id);
		if (!type)
			continue;
		if (!strcmp(type, HULL_CRI_SANDBOX))
			return HULL_VM_POD_SANDBOX;
		/* a container without its sandbox's id cannot join it: a VM of its own */
		if (!strcmp(type, HULL_CRI_CONTAINER) && sid && *sid) {
			if (sandbox_id)
				*sandbox_id = sid;
			return HULL_VM_POD_MEMBER;
		}
	}
	return HULL_VM_POD_NONE;
}

int hull_vm_exec_ports(const struct hull_kv *annots, size_t n)
{
	return hull_vm_pod_role(annots, n, NULL) == HULL_VM_POD_SANDBOX ? HULL_VM_POD_EXEC_PORTS
									: HULL_VM_EXEC_PORTS;
}

enum hull_vm_pod_role hull_vm_spec_pod_role(const struct hull_spec *spec, const char **sandbox_id)
{
	return hull_vm_pod_role(spec->annotations, spec->n_annotations, sandbox_id);
}

int hull_vm_pod_share_prepare(int dirfd, const char *dir, struct hull_err *err)
{
	cleanup_free char *share = hull_strfmt("%s/%s", dir, HULL_VM_POD_SHARE);

	if (mkdirat(dirfd, HULL_VM_POD_SHARE, 0700) < 0 && errno != EEXIST)
		return hull_error(err, errno, "make the pod's share `%s`", share);
	/* a mount of its own, shared: what is mounted under it later in this namespace (the
	 * app containers' roots) propagates to virtiofsd's, a slave of this one */
	if (mount(share, share, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, share, NULL, MS_SHARED, NULL) < 0)
		return hull_error(err, errno, "make the pod's share `%s` a shared mount", share);
	return 0;
}

int hull_vm_pod_sandbox(const char *root, const char *sandbox_id, struct hull_state **out,
			struct hull_err *err)
{
	struct hull_state *st = NULL;

	*out = NULL;
	/* the id comes from the bundle's annotations: a name under root, nothing else */
	if (hull_validate_id(sandbox_id, err) < 0)
		return hull_error_wrap(err, "the pod's sandbox id");
	if (hull_state_load(root, sandbox_id, &st, err) < 0)
		return hull_error_wrap(err, "the pod's sandbox `%s`", sandbox_id);
	if (!st->isolation || strcmp(st->isolation, hull_vm_executor.name) ||
	    hull_vm_pod_role(st->annotations, st->n_annotations, NULL) != HULL_VM_POD_SANDBOX) {
		hull_error(err, EINVAL, "the pod's sandbox `%s` is not a VM pod's sandbox",
			   sandbox_id);
		hull_state_free(st);
		return -1;
	}
	if (st->status != HULL_CREATED && st->status != HULL_RUNNING) {
		hull_error(err, ESRCH, "the pod's sandbox `%s` is %s", sandbox_id,
			   hull_status_name(st->status));
		hull_state_free(st);
		return -1;
	}
	*out = st;
	return 0;
}

int hull_vm_in_mount_ns(pid_t pid, int (*fn)(void *arg), void *arg, struct hull_err *err)
{
	char path[64];
	cleanup_close int ns = -1;
	int status;
	pid_t child;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return hull_error(err, errno, "open the sandbox's mount namespace `%s`", path);
	child = fork();
	if (child < 0)
		return hull_error(err, errno, "fork");
	if (child == 0) {
		if (setns(ns, CLONE_NEWNS) < 0)
			_exit(errno & 0xff);
		_exit(fn(arg) < 0 ? (errno ? errno : EIO) & 0xff : 0);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return hull_error(err, errno, "wait");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return hull_error(err, WIFEXITED(status) ? WEXITSTATUS(status) : EINTR,
				  "in the sandbox's mount namespace");
	return 0;
}

static int umount_root(void *arg)
{
	const char *path = arg;
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -1;
	return 0;
}

void hull_vm_pod_member_cleanup(const char *state_dir, const struct hull_spec *spec)
{
	const char *sid = NULL;
	cleanup_free char *root = xstrdup(state_dir), *ctr_dir = NULL, *mnt = NULL, *cfg = NULL;
	struct hull_state *sst = NULL;
	const char *id;
	char *slash;

	if (!spec || hull_vm_spec_pod_role(spec, &sid) != HULL_VM_POD_MEMBER)
		return;
	slash = strrchr(root, '/');
	if (!slash)
		return;
	*slash = 0;
	id = slash + 1;
	ctr_dir = hull_strfmt("%s/%s/%s/%s", root, sid, HULL_VM_POD_SHARE, id);
	mnt = hull_strfmt("%s/%s", ctr_dir, HULL_POD_ROOTFS);
	cfg = hull_strfmt("%s/%s", ctr_dir, HULL_POD_CONFIG);
	/* the root bound into the share lives in the sandbox's namespace, gone with its VM */
	if (hull_vm_pod_sandbox(root, sid, &sst, NULL) == 0) {
		struct hull_err err = {0};
		if (hull_vm_in_mount_ns(sst->pid, umount_root, mnt, &err) < 0)
			hull_warn("unmount `%s`: %s", mnt, err.msg);
		hull_state_free(sst);
	}
	unlink(cfg);
	rmdir(mnt);
	rmdir(ctr_dir);
}

int hull_vm_pod_cgroup_writes(const struct hull_cg_resources *r, unsigned sections,
			      struct hull_cg_writes *ws, struct hull_err *err)
{
	/* the controllers the guest enables for its containers (vm/guest/pod.c) */
	return hull_cg_v2_writes(
		r, sections & (HULL_CG_MEMORY | HULL_CG_CPU | HULL_CG_PIDS | HULL_CG_UNIFIED), ws,
		err);
}

int hull_vm_member_update(const char *root, const struct hull_state *st,
			  const struct hull_cg_resources *r, unsigned sections,
			  struct hull_err *err)
{
	struct hull_cg_writes ws = {0};
	struct hull_state *sst = NULL;
	const char *sid = NULL;
	int ret = -1;

	hull_vm_pod_role(st->annotations, st->n_annotations, &sid);
	if (hull_vm_pod_sandbox(root, sid, &sst, err) < 0)
		return -1;
	if (hull_vm_pod_cgroup_writes(r, sections, &ws, err) < 0)
		goto out;
	for (size_t i = 0; i < ws.n; i++) {
		char req[HULL_CTL_MAX];
		if (hull_ctl_cgroup_format(req, sizeof(req), st->id, ws.w[i].file, ws.w[i].value) <
		    0) {
			hull_error(err, EINVAL, "cgroup %s: the value does not fit a request",
				   ws.w[i].file);
			goto out;
		}
		if (hull_vm_ctl(root, sid, sst->pid, req, err) < 0) {
			/* a controller the guest kernel lacks, for a value that may be absent */
			if (err->errnum == ENOENT && ws.w[i].optional)
				continue;
			hull_error_wrap(err, "the guest cgroup's %s", ws.w[i].file);
			goto out;
		}
	}
	ret = 0;
out:
	hull_cg_writes_free(&ws);
	hull_state_free(sst);
	return ret;
}

int hull_vm_member_freeze(const char *root, const struct hull_state *st, bool on,
			  struct hull_err *err)
{
	struct hull_state *sst = NULL;
	const char *sid = NULL;
	char req[HULL_CTL_MAX];
	int ret;

	hull_vm_pod_role(st->annotations, st->n_annotations, &sid);
	if (hull_vm_pod_sandbox(root, sid, &sst, err) < 0)
		return -1;
	/* cgroup2's freezer: the guest kernel's hierarchy is v2 (vm/guest/pod.c mounts it) */
	hull_ctl_cgroup_format(req, sizeof(req), st->id, "cgroup.freeze", on ? "1" : "0");
	ret = hull_vm_ctl(root, sid, sst->pid, req, err);
	if (ret < 0)
		hull_error_wrap(err, "%s the guest cgroup of `%s`", on ? "freeze" : "thaw", st->id);
	hull_state_free(sst);
	return ret;
}

bool hull_vm_boots_at_create(const struct hull_init_ctx *ctx)
{
	const struct hull_spec *s = ctx->spec;
	return hull_vm_spec_pod_role(s, NULL) == HULL_VM_POD_SANDBOX && !ctx->run_mode &&
	       ctx->fifo_fd >= 0 && !s->process->terminal && s->hooks.start_container.n == 0;
}

/* How often the starter asks a guest that is still booting (each ask waits for an answer). */
#define STARTER_RETRY_S 1

int hull_vm_pod_starter(const struct hull_init_ctx *ctx, struct hull_err *err)
{
	pid_t vmm = getpid(), pid = fork();
	char c;
	ssize_t n;

	if (pid < 0)
		return hull_error(err, errno, "fork the sandbox's starter");
	if (pid > 0)
		return 0;
	/* nothing of the init stays open here but the fifo (the sync socket's end tells the
	 * runtime the init is gone) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != vmm)
		_exit(0);
	for (int fd = 0; fd < 1024; fd++)
		if (fd != ctx->fifo_fd)
			close(fd);
	do
		n = read(ctx->fifo_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	/* `start` returns once this closes: it does not wait for the guest */
	close(ctx->fifo_fd);
	if (n != 1)
		_exit(0);
	for (;;) {
		struct hull_err e = {0};
		if (hull_vm_ctl(ctx->opts->root, ctx->opts->id, vmm, HULL_CTL_START "\n", &e) ==
			    0 ||
		    kill(vmm, 0) < 0)
			_exit(0);
		sleep(STARTER_RETRY_S);
	}
}
