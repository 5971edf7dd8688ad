/* SPDX-License-Identifier: Apache-2.0 */
/* The vm isolation level: the container's init execs QEMU (microvm) instead of the workload;
 * a static guest init runs the workload inside (vm/README.md).  The front ends compose
 * hull_vm_executor with the runtime's levels (runtime/executor.h); `hull info` resolves the
 * configuration to say whether VMs can run here. */
#ifndef HULL_VM_H
#define HULL_VM_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/executor.h"
#include "runtime/spec/spec.h"

/* The vm level's table (vm/host/executor.c). */
extern const struct hull_executor hull_vm_executor;

/* Whether a VM started now would run under KVM (else TCG), and why not (a static string). */
bool hull_vm_uses_kvm(const char **why);

/* Everything QEMU is started with, resolved from the spec, annotations and environment. */
struct hull_vm_config {
	char *qemu, *virtiofsd, *kernel, *initrd, *preload, *extra_cmdline;
	char *cpu_model; /* run.hull.vm.cpu-model: QEMU's -cpu (default: host with KVM) */
	bool acpi_off;	 /* the kernel's boot marker: -M microvm,acpi=off */
	unsigned int cpus;
	unsigned long long mem_mib;
	bool debug;    /* HULL_VM_DEBUG: the guest kernel's console on the container's stderr */
	bool no_vhost; /* run.hull.vm.vhost=off: QEMU's own virtio-net backend even under KVM */
};

int hull_vm_config_resolve(const struct hull_spec *spec, struct hull_vm_config *c,
			   struct hull_err *err);
void hull_vm_config_free(struct hull_vm_config *c);

#endif
