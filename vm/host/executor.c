/* The vm level's table (runtime/executor.h): the runtime's lifecycle calls these where a
 * container's differs; what each does is in the file named beside it. */
#include "lib/util.h"
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
	return hull_vm_kill(root, st->id, st->pid, st->status == HULL_RUNNING, sig, all, err);
}

/* foreground.c: run's signals go to the workload over the control channel. */
static int vm_foreground_wait(const char *root, const struct hull_state *st,
			      struct hull_tty_proxy *tty)
{
	return hull_vm_foreground_wait(root, st->id, st->pid, tty);
}

/* exec.c: the process runs in the guest, a relay stands for it on the host. */
static int vm_exec_process(const struct hull_exec_opts *o, const struct hull_state *st,
			   const struct hull_spec *spec, const struct hull_process *p, int *status,
			   struct hull_err *err)
{
	return hull_vm_exec_process(o, st, p, status, err);
}

const struct hull_executor hull_vm_executor = {
	.name = "vm",
	.claims = vm_claims,
	.check = hull_vm_net_check, /* net.c: no VM on the host's network */
	.cgroup = vm_cgroup,
	.prepare = hull_vm_prepare, /* launch.c: the shared root, the initramfs */
	.exec = hull_vm_exec,	    /* launch.c: virtiofsd, then QEMU */
	.kill = vm_kill,
	.foreground_wait = vm_foreground_wait,
	.exec_process = vm_exec_process,
	.cleanup = hull_vm_net_cleanup, /* net.c: the qdiscs left on the namespace's links */
};
