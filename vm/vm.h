/* The vm executor: the container's init execs QEMU (microvm) instead of the workload; a static
 * guest init runs the workload inside.  runtime/ calls these hooks when the container's
 * isolation is "vm"; the protocol with the guest is described in vm/README.md. */
#ifndef HULL_VM_H
#define HULL_VM_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/err.h"
#include "runtime/executor.h"
#include "runtime/spec.h"

#define HULL_VM_ANNOTATION "run.hull.isolation"

/* The isolation level, in DESIGN.md's order: the annotation run.hull.isolation, then the name
 * the runtime was invoked by (hull-oci-vm), then the spec's own `vm` section. */
bool hull_vm_selected(const struct hull_spec *spec, bool by_name);

/* In the container's init, instead of the container executor's rootfs: bind mounts and a
 * read-only root in the init's mount namespace (virtiofsd serves what it sees there), the
 * container's initramfs with the guest's configuration, the tools checked.  Errors are
 * reported by create. */
int hull_vm_prepare(const struct hull_init_ctx *ctx, struct hull_err *err);

/* In the container's init, after the createContainer hooks: report ready, wait for start,
 * start virtiofsd and exec QEMU.  Never returns. */
__attribute__((noreturn)) void hull_vm_exec(const struct hull_init_ctx *ctx,
					    const char *state_json);

/* kill for a vm container: the signal goes to the workload inside over the control channel
 * (SIGKILL, and any signal before the VM runs, go to the VMM itself). */
int hull_vm_kill(const char *root, const char *id, pid_t pid, bool running, int sig, bool all,
		 struct hull_err *err);

/* The foreground of `run` for a VM container: waits for the VMM, sending the signals run gets
 * to the workload; returns the exit code, or 128+N for signal N. */
int hull_vm_foreground_wait(const char *root, const char *id, pid_t pid);

/* --- inside vm/ --- */

/* Everything QEMU is started with, resolved from the spec, annotations and environment. */
struct hull_vm_config {
	char *qemu, *virtiofsd, *kernel, *initrd, *preload, *extra_cmdline;
	char *cpu_model; /* run.hull.vm.cpu-model: QEMU's -cpu (default: host with KVM) */
	bool acpi_off;	 /* the kernel's boot marker: -M microvm,acpi=off */
	unsigned int cpus;
	unsigned long long mem_mib;
	bool debug; /* HULL_VM_DEBUG: the guest kernel's console on the container's stderr */
};

int hull_vm_config_resolve(const struct hull_spec *spec, struct hull_vm_config *c,
			   struct hull_err *err);
void hull_vm_config_free(struct hull_vm_config *c);

/* The guest's /hull/config (see vm/README.md) for this spec: malloc'd, length in *len. */
char *hull_vm_guest_config(const struct hull_spec *spec, size_t *len);
/* dst = the base initramfs at src + a newc archive holding /hull/config. */
int hull_vm_write_initrd(int dirfd, const char *dst, const char *src, const char *cfg,
			 size_t cfg_len, struct hull_err *err);

/* Names inside the state directory. */
#define HULL_VM_INITRD "vm-initrd"
#define HULL_VM_STATUS "vm-status"
#define HULL_VM_CTL    "vm-ctl.sock"
#define HULL_VM_FS     "vm-fs.sock"

#endif
