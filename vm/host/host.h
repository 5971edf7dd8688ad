/* Inside vm/host/: the QEMU command line, built by a pure function (qemu_args.c) from the VM's
 * configuration, the facts about the host (probe.c) and the fds and paths launch.c prepared. */
#ifndef HULL_VM_HOST_H
#define HULL_VM_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "vm/vm.h"

/* What /proc/cpuinfo says of the first CPU. */
struct hull_cpu_facts {
	unsigned long tsc_khz; /* its clock in kHz, 0 when not given */
	bool hw_virt;	       /* vmx or svm */
};
/* The first processor's block of /proc/cpuinfo's text. */
void hull_cpuinfo_parse(const char *text, struct hull_cpu_facts *f);

/* The host's facts the command line depends on. */
struct hull_vm_host {
	bool kvm;	       /* KVM usable: -accel kvm, -cpu host */
	const char *no_kvm;    /* why not (a static string) when !kvm */
	unsigned long tsc_khz; /* the host's TSC in kHz for tsc_early_khz=, 0 when unknown */
};
/* Gathers them: /proc/cpuinfo and /dev/kvm. */
void hull_vm_host_probe(struct hull_vm_host *h);

/* How one of the workload's stdio streams reaches its port. */
struct hull_qemu_stdio {
	int fd;	     /* what QEMU inherits (above 2: QEMU takes no stdio fd in an fd set) */
	bool socket; /* a socket chardev on fd; else a file chardev on fd, appending */
};

/* The fds QEMU inherits and where its files are. */
struct hull_qemu_io {
	int state_dirfd; /* the state directory: QEMU names its files through /proc/self/fd/N */
	struct hull_qemu_stdio stdio[3];
	int console_fd;	       /* the terminal relay's socket for hull.console; -1: no terminal */
	int debug_fd;	       /* with c->debug: where the guest kernel's console goes */
	char *const *net_args; /* -netdev/-device arguments of the NICs (net.c) */
	size_t n_net_args;
};

/* The QEMU command line, a NULL-terminated argv, malloc'd (hull_qemu_args_free).  It reads,
 * opens and prints nothing: everything it depends on is in its arguments. */
char **hull_qemu_args(const struct hull_vm_config *c, const struct hull_vm_host *h,
		      const struct hull_qemu_io *io);
void hull_qemu_args_free(char **argv);

#endif
