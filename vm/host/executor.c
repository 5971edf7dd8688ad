/* SPDX-License-Identifier: Apache-2.0 */
/* The vm level's table (runtime/executor.h): the runtime's lifecycle calls these where a
 * container's differs; what each does is in the file named beside it. */
#include <errno.h>
#include <signal.h>

#include "lib/util.h"
#include "runtime/foreground.h"
#include "vm/host/host.h"

/* The spec's own `vm` section asks for a VM (DESIGN.md §1: after the annotation and the
 * invoked name, which the runtime looks at). */
static bool vm_claims(const struct hull_spec *spec)
{
	return spec->vm != NULL;
}

/* The VMM in the container's cgroup opens the hypervisor, vhost and tun devices, and needs
 * memory of its own beside the guest's (config.c). */
static int vm_cgroup(const struct hull_spec *spec, struct hull_cg_extra *x, struct hull_err *err)
{
	/* an app container of a pod has no VMM of its own: its relay needs nothing */
	if (hull_vm_spec_pod_role(spec, NULL) == HULL_VM_POD_MEMBER)
		return 0;
	static const struct hull_cg_dev_rule vmm[] = {
		{true, 'c', 10, 232, "rwm"}, /* kvm */
		{true, 'c', 10, 238, "rwm"}, /* vhost-net */
		{true, 'c', 10, 241, "rwm"}, /* vhost-vsock */
		{true, 'c', 10, 200, "rwm"}, /* net/tun: the VM's taps, whatever the spec denies */
	};
	x->devices = vmm;
	x->n_devices = ARRAY_SIZE(vmm);
	return hull_vm_memory_overhead(spec, &x->memory, err);
}

/* control.c: the signal goes to the workload in the guest once the VM runs. */
static int vm_kill(const char *root, const struct hull_state *st, int sig, bool all,
		   struct hull_err *err)
{
	/* an app container of a pod: its relay passes the signal on to its process */
	if (hull_vm_pod_role(st->annotations, st->n_annotations, NULL) == HULL_VM_POD_MEMBER) {
		if (kill(st->pid, sig) < 0)
			return hull_error(err, errno, "kill %d", st->pid);
		return 0;
	}
	return hull_vm_kill(root, st->id, st->pid, st->status == HULL_RUNNING, sig, all, err);
}

/* foreground.c: run's signals go to the workload over the control channel. */
static int vm_foreground_wait(const char *root, const struct hull_state *st,
			      struct hull_tty_proxy *tty)
{
	if (hull_vm_pod_role(st->annotations, st->n_annotations, NULL) == HULL_VM_POD_MEMBER)
		return hull_foreground_wait(st->pid, tty);
	return hull_vm_foreground_wait(root, st->id, st->pid, tty);
}

/* exec.c: the process runs in the guest, a relay stands for it on the host. */
static int vm_exec_process(const struct hull_exec_opts *o, const struct hull_state *st,
			   const struct hull_spec *spec, const struct hull_process *p, int *status,
			   struct hull_err *err)
{
	/* the host's sub-cgroups hold nothing of a VM's: its processes are the guest's */
	if (o->sub_cgroups)
		return hull_error(err, EINVAL,
				  "exec --cgroup: container `%s` runs in a VM, whose processes are "
				  "in the guest's cgroups, not the host's",
				  st->id);
	if (hull_vm_pod_role(st->annotations, st->n_annotations, NULL) == HULL_VM_POD_MEMBER)
		return hull_vm_member_exec_process(o, st, p, status, err);
	return hull_vm_exec_process(o, st, p, status, err);
}

/* pod.c: a pod's app container's limits are its guest cgroup's (the VM's size stays) */
static int vm_update(const char *root, const struct hull_state *st,
		     const struct hull_cg_resources *res, unsigned sections, struct hull_err *err)
{
	if (hull_vm_pod_role(st->annotations, st->n_annotations, NULL) != HULL_VM_POD_MEMBER)
		return 0;
	return hull_vm_member_update(root, st, res, sections, err);
}

/* pod.c: a pod's app container runs in the guest: its guest cgroup is frozen too */
static int vm_freeze(const char *root, const struct hull_state *st, bool on, struct hull_err *err)
{
	if (hull_vm_pod_role(st->annotations, st->n_annotations, NULL) != HULL_VM_POD_MEMBER)
		return 0;
	return hull_vm_member_freeze(root, st, on, err);
}

/* launch.c for a VM of its own or a pod's sandbox, pod_member.c for an app container */
static int vm_prepare(const struct hull_init_ctx *ctx, struct hull_err *err)
{
	if (hull_vm_spec_pod_role(ctx->spec, NULL) == HULL_VM_POD_MEMBER)
		return hull_vm_member_prepare(ctx, err);
	return hull_vm_prepare(ctx, err);
}

__attribute__((noreturn)) static void vm_exec(const struct hull_init_ctx *ctx,
					      const char *state_json)
{
	if (hull_vm_spec_pod_role(ctx->spec, NULL) == HULL_VM_POD_MEMBER)
		hull_vm_member_exec(ctx, state_json);
	hull_vm_exec(ctx, state_json);
}

/* net.c: the qdiscs left on the namespace's links (an app container hands no link over);
 * pod.c: an app container's root out of the pod's share */
static void vm_cleanup(const char *state_dir, const struct hull_spec *spec)
{
	if (spec && hull_vm_spec_pod_role(spec, NULL) == HULL_VM_POD_MEMBER) {
		hull_vm_pod_member_cleanup(state_dir, spec);
		return;
	}
	hull_vm_net_cleanup(state_dir, spec);
}

const struct hull_executor hull_vm_executor = {
	.name = "vm",
	.claims = vm_claims,
	.check = hull_vm_net_check, /* net.c: no VM on the host's network */
	.cgroup = vm_cgroup,
	.prepare = vm_prepare, /* the shared root, the initramfs; a pod's app: its root */
	.exec = vm_exec,       /* virtiofsd, then QEMU; a pod's app: its relay */
	.kill = vm_kill,
	.foreground_wait = vm_foreground_wait,
	.exec_process = vm_exec_process,
	.update = vm_update,
	.freeze = vm_freeze,
	.cleanup = vm_cleanup,
};
