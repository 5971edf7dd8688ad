/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The QEMU command line of a VM container: a pure function of the VM's configuration, the
 * host's facts and the fds launch.c prepared, so that every argument can be checked by a unit
 * test (tests/unit/test_qemu_args.c).  The devices and why each one is there: vm/README.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/util.h"
#include "vm/host/host.h"
#include "vm/host/preload.h"
#include "vm/proto/names.h"
#include "vm/proto/proto.h"

/* QEMU's fd set of the guest kernel's console (HULL_VM_DEBUG); stdio stream i uses set i + 1 */
#define FDSET_DEBUG 4

struct argv {
	char **v;
	size_t n;
};

static void arg(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	a->v = xrealloc(a->v, (a->n + 2) * sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* A file of the state directory, as QEMU opens it. */
#define STATE_PATH "/proc/self/fd/%d/%s"

static void machine(struct argv *a, const struct hull_vm_config *c, const struct hull_vm_host *h)
{
	arg(a, "-M");
	/* a kernel without ACPI (its boot marker says so) finds the virtio-mmio devices on the
	 * command line, which QEMU then writes, and ends the VM through reboot=t + -no-reboot */
	arg(a, "microvm,isa-serial=off,memory-backend=mem%s", c->acpi_off ? ",acpi=off" : "");
	arg(a, "-accel");
	arg(a, "%s", h->kvm ? "kvm" : "tcg");
	/* TCG's default model unless one is asked for: `host` needs KVM */
	if (h->kvm || c->cpu_model) {
		arg(a, "-cpu");
		arg(a, "%s", c->cpu_model ? c->cpu_model : "host");
	}
	arg(a, "-smp");
	arg(a, "%u", c->cpus);
	arg(a, "-m");
	arg(a, "%lluM", c->mem_mib);
	/* vhost-user (virtiofsd) needs the guest's RAM shared with it */
	arg(a, "-object");
	arg(a, "memory-backend-memfd,id=mem,size=%lluM,share=on", c->mem_mib);
	arg(a, "-nodefaults");
	arg(a, "-no-user-config");
	arg(a, "-display");
	arg(a, "none");
	arg(a, "-no-reboot");
	/* virtiofsd refuses legacy virtio devices (VM-NOTES trap 2) */
	arg(a, "-global");
	arg(a, "virtio-mmio.force-legacy=false");
}

static void kernel(struct argv *a, const struct hull_vm_config *c, const struct hull_vm_host *h,
		   int dirfd)
{
	char tsc[48] = "";

	arg(a, "-kernel");
	arg(a, "%s", c->kernel);
	arg(a, "-initrd");
	arg(a, STATE_PATH, dirfd, HULL_VM_INITRD);
	/* the host's TSC spares a TCG guest the PIT calibration that hangs (VM-NOTES trap 1) */
	if (h->tsc_khz)
		snprintf(tsc, sizeof(tsc), " tsc_early_khz=%lu", h->tsc_khz);
	arg(a, "-append");
	arg(a, "%s panic=-1 reboot=t rdinit=/init%s%s%s",
	    c->debug ? "console=hvc0 loglevel=7" : "quiet loglevel=1", tsc,
	    c->extra_cmdline ? " " : "", c->extra_cmdline ? c->extra_cmdline : "");
}

static void port(struct argv *a, const char *chardev, const char *name)
{
	arg(a, "-device");
	arg(a, "virtserialport,chardev=%s,name=%s", chardev, name);
}

/* stdin, stdout, stderr: one port each, so the streams stay apart */
static void stdio_ports(struct argv *a, const struct hull_qemu_io *io)
{
	static const char *const names[3] = {HULL_PORT_STDIN, HULL_PORT_STDOUT, HULL_PORT_STDERR};
	for (int i = 0; i < 3; i++) {
		char id[8];
		snprintf(id, sizeof(id), "io%d", i);
		if (io->stdio[i].socket) {
			arg(a, "-chardev");
			arg(a, "socket,id=%s,fd=%d", id, io->stdio[i].fd);
		} else {
			arg(a, "-add-fd");
			arg(a, "fd=%d,set=%d", io->stdio[i].fd, i + 1);
			/* append: QEMU truncates a file chardev otherwise, even one from an fd set
			 */
			arg(a, "-chardev");
			arg(a, "file,id=%s,path=/dev/fdset/%d,append=on", id, i + 1);
		}
		port(a, id, names[i]);
	}
}

/* The exec ports (exec.c: QEMU listens, one client each) and the terminal's. */
static void session_ports(struct argv *a, const struct hull_qemu_io *io)
{
	int n = io->exec_ports ? io->exec_ports : HULL_VM_EXEC_PORTS;
	for (int i = 0; i < n; i++) {
		char id[16], name[32];
		snprintf(id, sizeof(id), "ex%d", i);
		snprintf(name, sizeof(name), HULL_PORT_EXEC_FMT, i);
		arg(a, "-chardev");
		arg(a,
		    "socket,id=%s,path=/proc/self/fd/%d/" HULL_VM_EXEC_SOCK ",server=on,wait=off",
		    id, io->state_dirfd, i);
		port(a, id, name);
	}
	if (io->console_fd >= 0) {
		arg(a, "-chardev");
		arg(a, "socket,id=con0,fd=%d", io->console_fd);
		port(a, "con0", HULL_PORT_CONSOLE);
	}
}

char **hull_qemu_args(const struct hull_vm_config *c, const struct hull_vm_host *h,
		      const struct hull_qemu_io *io)
{
	struct argv a = {0};
	int dirfd = io->state_dirfd;

	arg(&a, "%s", c->qemu);
	machine(&a, c, h);
	kernel(&a, c, h, dirfd);
	arg(&a, "-chardev");
	arg(&a, "socket,id=fs,path=" STATE_PATH, dirfd, HULL_VM_FS);
	arg(&a, "-device");
	arg(&a, "vhost-user-fs-device,chardev=fs,tag=%s", HULL_FS_TAG);
	if (io->pod_fs) {
		arg(&a, "-chardev");
		arg(&a, "socket,id=podfs,path=" STATE_PATH, dirfd, HULL_VM_POD_FS);
		arg(&a, "-device");
		arg(&a, "vhost-user-fs-device,chardev=podfs,tag=%s", HULL_POD_FS_TAG);
	}
	arg(&a, "-device");
	/* the default is 31 ports: a pod's VM has more exec ports */
	if (io->exec_ports > HULL_VM_EXEC_PORTS)
		arg(&a, "virtio-serial-device,max_ports=%d", io->exec_ports + 16);
	else
		arg(&a, "virtio-serial-device");
	stdio_ports(&a, io);
	arg(&a, "-chardev");
	arg(&a, "file,id=st,path=" STATE_PATH, dirfd, HULL_VM_STATUS);
	port(&a, "st", HULL_PORT_STATUS);
	arg(&a, "-chardev");
	arg(&a, "socket,id=ctl,path=" STATE_PATH ",server=on,wait=off", dirfd, HULL_VM_CTL);
	port(&a, "ctl", HULL_PORT_CTL);
	if (c->debug) {
		arg(&a, "-add-fd");
		arg(&a, "fd=%d,set=%d", io->debug_fd, FDSET_DEBUG);
		arg(&a, "-chardev");
		arg(&a, "file,id=con,path=/dev/fdset/%d,append=on", FDSET_DEBUG);
		arg(&a, "-device");
		arg(&a, "virtconsole,chardev=con");
	}
	for (size_t i = 0; i < io->n_net_args; i++)
		arg(&a, "%s", io->net_args[i]);
	session_ports(&a, io);
	return a.v;
}

void hull_qemu_args_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
