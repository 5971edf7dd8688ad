/* SPDX-License-Identifier: Apache-2.0 */
/* The QEMU command line of a VM container (vm/host/qemu_args.c): a pure function of the
 * configuration, the host's facts and the fds, checked argument by argument; and the parse of
 * /proc/cpuinfo the host's facts come from (vm/host/probe.c). */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "vm/host/host.h"
#include "vm/proto/proto.h"

static struct hull_vm_config config(void)
{
	return (struct hull_vm_config){
		.qemu = "/usr/bin/qemu-system-x86_64",
		.kernel = "/k/vmlinux",
		.cpus = 2,
		.mem_mib = 768,
	};
}

static const struct hull_vm_host tcg = {.kvm = false, .no_kvm = "no", .tsc_khz = 2994374};
static const struct hull_vm_host kvm = {.kvm = true, .tsc_khz = 0};

/* stdin a socket (the relay), stdout a file, stderr a socket; no terminal, no network */
static struct hull_qemu_io io(void)
{
	return (struct hull_qemu_io){
		.state_dirfd = 7,
		.stdio = {{10, true}, {11, false}, {12, true}},
		.console_fd = -1,
		.debug_fd = -1,
	};
}

static size_t count(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* The value after the first `opt`, or NULL. */
static const char *after(char **v, const char *opt)
{
	for (size_t i = 0; v && v[i] && v[i + 1]; i++)
		if (!strcmp(v[i], opt))
			return v[i + 1];
	return NULL;
}

/* How many times the pair `opt value` appears. */
static int pairs(char **v, const char *opt, const char *value)
{
	int n = 0;
	for (size_t i = 0; v && v[i] && v[i + 1]; i++)
		if (!strcmp(v[i], opt) && !strcmp(v[i + 1], value))
			n++;
	return n;
}

/* Every argument, in order, for a TCG host with a known TSC. */
TEST(tcg_command_line_exactly)
{
	static const char *const want[] = {
		"/usr/bin/qemu-system-x86_64",
		"-M",
		"microvm,isa-serial=off,memory-backend=mem",
		"-accel",
		"tcg",
		"-smp",
		"2",
		"-m",
		"768M",
		"-object",
		"memory-backend-memfd,id=mem,size=768M,share=on",
		"-nodefaults",
		"-no-user-config",
		"-display",
		"none",
		"-no-reboot",
		"-global",
		"virtio-mmio.force-legacy=false",
		"-kernel",
		"/k/vmlinux",
		"-initrd",
		"/proc/self/fd/7/vm-initrd",
		"-append",
		"quiet loglevel=1 panic=-1 reboot=t rdinit=/init tsc_early_khz=2994374",
		"-chardev",
		"socket,id=fs,path=/proc/self/fd/7/vm-fs.sock",
		"-device",
		"vhost-user-fs-device,chardev=fs,tag=hullroot",
		"-device",
		"virtio-serial-device",
		"-chardev",
		"socket,id=io0,fd=10",
		"-device",
		"virtserialport,chardev=io0,name=hull.stdin",
		"-add-fd",
		"fd=11,set=2",
		"-chardev",
		"file,id=io1,path=/dev/fdset/2,append=on",
		"-device",
		"virtserialport,chardev=io1,name=hull.stdout",
		"-chardev",
		"socket,id=io2,fd=12",
		"-device",
		"virtserialport,chardev=io2,name=hull.stderr",
		"-chardev",
		"file,id=st,path=/proc/self/fd/7/vm-status",
		"-device",
		"virtserialport,chardev=st,name=hull.status",
		"-chardev",
		"socket,id=ctl,path=/proc/self/fd/7/vm-ctl.sock,server=on,wait=off",
		"-device",
		"virtserialport,chardev=ctl,name=hull.ctl",
	};
	struct hull_vm_config c = config();
	struct hull_qemu_io i = io();
	char **v = hull_qemu_args(&c, &tcg, &i);
	size_t n = sizeof(want) / sizeof(want[0]);

	/* then 8 exec ports of 4 arguments each */
	CHECK_INT_EQ(count(v), n + 8 * 4);
	for (size_t k = 0; k < n && v[k]; k++)
		CHECK_STR_EQ(v[k], want[k]);
	if (count(v) == n + 8 * 4) {
		CHECK_STR_EQ(v[n], "-chardev");
		CHECK_STR_EQ(v[n + 1], "socket,id=ex0,path=/proc/self/fd/7/vm-exec0.sock,server=on,"
				       "wait=off");
		CHECK_STR_EQ(v[n + 3], "virtserialport,chardev=ex0,name=hull.exec0");
		CHECK_STR_EQ(v[n + 7 * 4 + 1], "socket,id=ex7,path=/proc/self/fd/7/vm-exec7.sock,"
					       "server=on,wait=off");
		CHECK_STR_EQ(v[n + 7 * 4 + 3], "virtserialport,chardev=ex7,name=hull.exec7");
	}
	hull_qemu_args_free(v);
}

/* -cpu host only with KVM; a model asked for goes on either accelerator */
TEST(accel_and_cpu_model)
{
	struct hull_vm_config c = config();
	struct hull_qemu_io i = io();
	char **v;

	v = hull_qemu_args(&c, &tcg, &i);
	CHECK_STR_EQ(after(v, "-accel"), "tcg");
	CHECK(after(v, "-cpu") == NULL);
	hull_qemu_args_free(v);

	v = hull_qemu_args(&c, &kvm, &i);
	CHECK_STR_EQ(after(v, "-accel"), "kvm");
	CHECK_STR_EQ(after(v, "-cpu"), "host");
	CHECK_INT_EQ(pairs(v, "-accel", "tcg"), 0);
	hull_qemu_args_free(v);

	c.cpu_model = "max";
	v = hull_qemu_args(&c, &tcg, &i);
	CHECK_STR_EQ(after(v, "-accel"), "tcg");
	CHECK_STR_EQ(after(v, "-cpu"), "max");
	hull_qemu_args_free(v);
	v = hull_qemu_args(&c, &kvm, &i);
	CHECK_STR_EQ(after(v, "-cpu"), "max");
	CHECK_INT_EQ(pairs(v, "-cpu", "host"), 0);
	hull_qemu_args_free(v);
}

/* a kernel without ACPI: acpi=off on the machine; the memory backend is as large as -m */
TEST(acpi_off_and_memory)
{
	struct hull_vm_config c = config();
	struct hull_qemu_io i = io();
	char **v;

	c.acpi_off = true;
	c.mem_mib = 4096;
	v = hull_qemu_args(&c, &kvm, &i);
	CHECK_STR_EQ(after(v, "-M"), "microvm,isa-serial=off,memory-backend=mem,acpi=off");
	CHECK_STR_EQ(after(v, "-m"), "4096M");
	CHECK_INT_EQ(pairs(v, "-object", "memory-backend-memfd,id=mem,size=4096M,share=on"), 1);
	CHECK_INT_EQ(pairs(v, "-global", "virtio-mmio.force-legacy=false"), 1);
	CHECK_INT_EQ(pairs(v, "-device", "vhost-user-fs-device,chardev=fs,tag=hullroot"), 1);
	hull_qemu_args_free(v);
}

/* tsc_early_khz only when the host's TSC is known; debug and extra words */
TEST(kernel_command_line)
{
	struct hull_vm_config c = config();
	struct hull_qemu_io i = io();
	char **v;

	v = hull_qemu_args(&c, &kvm, &i);
	CHECK_STR_EQ(after(v, "-append"), "quiet loglevel=1 panic=-1 reboot=t rdinit=/init");
	hull_qemu_args_free(v);

	c.debug = true;
	c.extra_cmdline = "foo=1 bar";
	i.debug_fd = 9;
	v = hull_qemu_args(&c, &tcg, &i);
	CHECK_STR_EQ(after(v, "-append"), "console=hvc0 loglevel=7 panic=-1 reboot=t rdinit=/init "
					  "tsc_early_khz=2994374 foo=1 bar");
	/* the guest kernel's console on the fd given */
	CHECK_INT_EQ(pairs(v, "-add-fd", "fd=9,set=4"), 1);
	CHECK_INT_EQ(pairs(v, "-chardev", "file,id=con,path=/dev/fdset/4,append=on"), 1);
	CHECK_INT_EQ(pairs(v, "-device", "virtconsole,chardev=con"), 1);
	hull_qemu_args_free(v);
}

/* the NICs' arguments as given, after the fixed ports; the terminal's port last */
TEST(network_and_console_ports)
{
	char *net[] = {"-netdev", "tap,id=net0,fd=20,vhost=off", "-device",
		       "virtio-net-device,netdev=net0,mac=02:00:00:00:00:01"};
	struct hull_vm_config c = config();
	struct hull_qemu_io i = io();
	size_t n, k;
	char **v;

	i.net_args = net;
	i.n_net_args = 4;
	i.console_fd = 15;
	v = hull_qemu_args(&c, &tcg, &i);
	n = count(v);
	for (k = 0; k + 4 <= n && strcmp(v[k], "-netdev"); k++)
		;
	CHECK(k + 4 <= n);
	if (k + 4 <= n) {
		CHECK_STR_EQ(v[k + 1], net[1]);
		CHECK_STR_EQ(v[k + 3], net[3]);
		/* after the control port, before the exec ports */
		CHECK_STR_EQ(v[k - 1], "virtserialport,chardev=ctl,name=hull.ctl");
		CHECK_STR_EQ(v[k + 5], "socket,id=ex0,path=/proc/self/fd/7/vm-exec0.sock,server=on,"
				       "wait=off");
	}
	CHECK_STR_EQ(v[n - 3], "socket,id=con0,fd=15");
	CHECK_STR_EQ(v[n - 1], "virtserialport,chardev=con0,name=hull.console");
	hull_qemu_args_free(v);
}

/* stdout or stderr a socket: a socket chardev on the fd, no fd set */
TEST(stdio_files_and_sockets)
{
	struct hull_vm_config c = config();
	struct hull_qemu_io i = io();
	char **v;

	i.stdio[1] = (struct hull_qemu_stdio){21, true};
	i.stdio[2] = (struct hull_qemu_stdio){22, false};
	v = hull_qemu_args(&c, &tcg, &i);
	CHECK_INT_EQ(pairs(v, "-chardev", "socket,id=io1,fd=21"), 1);
	CHECK_INT_EQ(pairs(v, "-add-fd", "fd=22,set=3"), 1);
	CHECK_INT_EQ(pairs(v, "-chardev", "file,id=io2,path=/dev/fdset/3,append=on"), 1);
	CHECK(after(v, "-add-fd") && !strcmp(after(v, "-add-fd"), "fd=22,set=3"));
	hull_qemu_args_free(v);
}

TEST(cpuinfo_first_processor)
{
	struct hull_cpu_facts f;

	hull_cpuinfo_parse("processor\t: 0\n"
			   "cpu MHz\t\t: 2994.374\n"
			   "flags\t\t: fpu vme svm sse\n"
			   "\n"
			   "processor\t: 1\n"
			   "cpu MHz\t\t: 1000.000\n",
			   &f);
	CHECK_INT_EQ(f.tsc_khz, 2994374);
	CHECK(f.hw_virt);
	/* vmx only as a whole word; a later processor does not count */
	hull_cpuinfo_parse("flags\t\t: fpu vmxfoo\n\nflags\t\t: vmx\n", &f);
	CHECK(!f.hw_virt);
	CHECK_INT_EQ(f.tsc_khz, 0);
	hull_cpuinfo_parse("flags\t\t: fpu vmx\n", &f);
	CHECK(f.hw_virt);
}

UNIT_MAIN()

/* A pod's sandbox: the share's virtio-fs device beside the root's, and more exec ports than
 * virtio-serial's default of 31 allows */
TEST(pod_sandbox_share_and_ports)
{
	struct hull_vm_config c = config();
	struct hull_qemu_io i = io();
	char **v;

	i.pod_fs = true;
	i.exec_ports = HULL_VM_POD_EXEC_PORTS;
	v = hull_qemu_args(&c, &tcg, &i);
	CHECK_INT_EQ(pairs(v, "-chardev", "socket,id=podfs,path=/proc/self/fd/7/vm-pod.sock"), 1);
	CHECK_INT_EQ(pairs(v, "-device", "vhost-user-fs-device,chardev=podfs,tag=hullpod"), 1);
	CHECK_INT_EQ(pairs(v, "-device", "vhost-user-fs-device,chardev=fs,tag=hullroot"), 1);
	CHECK_INT_EQ(pairs(v, "-device", "virtio-serial-device,max_ports=40"), 1);
	CHECK_INT_EQ(pairs(v, "-device", "virtserialport,chardev=ex23,name=hull.exec23"), 1);
	CHECK_INT_EQ(pairs(v, "-device", "virtserialport,chardev=ex24,name=hull.exec24"), 0);
	hull_qemu_args_free(v);
	/* a VM of its own: neither */
	i = io();
	v = hull_qemu_args(&c, &tcg, &i);
	CHECK_INT_EQ(pairs(v, "-device", "vhost-user-fs-device,chardev=podfs,tag=hullpod"), 0);
	CHECK_INT_EQ(pairs(v, "-device", "virtio-serial-device"), 1);
	hull_qemu_args_free(v);
}

/* The role CRI's annotations give a container (vm/host/pod.c): containerd's and CRI-O's */
TEST(pod_role_from_cri_annotations)
{
	const char *sid = "x";
	struct hull_kv none[] = {{"run.hull.isolation", "vm"}};
	struct hull_kv sandbox[] = {{"io.kubernetes.cri.container-type", "sandbox"},
				    {"io.kubernetes.cri.sandbox-id", "abc"}};
	struct hull_kv member[] = {{"io.kubernetes.cri.sandbox-id", "abc"},
				   {"io.kubernetes.cri.container-type", "container"}};
	struct hull_kv orphan[] = {{"io.kubernetes.cri.container-type", "container"}};
	struct hull_kv crio[] = {{"io.kubernetes.cri-o.ContainerType", "container"},
				 {"io.kubernetes.cri-o.SandboxID", "def"}};
	struct hull_kv crio_sb[] = {{"io.kubernetes.cri-o.ContainerType", "sandbox"}};
	struct hull_kv odd[] = {{"io.kubernetes.cri.container-type", "podman"},
				{"io.kubernetes.cri.sandbox-id", "abc"}};

	CHECK_INT_EQ(hull_vm_pod_role(none, 1, &sid), HULL_VM_POD_NONE);
	CHECK(sid == NULL);
	CHECK_INT_EQ(hull_vm_pod_role(NULL, 0, NULL), HULL_VM_POD_NONE);
	CHECK_INT_EQ(hull_vm_pod_role(sandbox, 2, NULL), HULL_VM_POD_SANDBOX);
	CHECK_INT_EQ(hull_vm_pod_role(member, 2, &sid), HULL_VM_POD_MEMBER);
	CHECK_STR_EQ(sid, "abc");
	/* no sandbox to join: a VM of its own, as without the annotations */
	CHECK_INT_EQ(hull_vm_pod_role(orphan, 1, &sid), HULL_VM_POD_NONE);
	CHECK_INT_EQ(hull_vm_pod_role(crio, 2, &sid), HULL_VM_POD_MEMBER);
	CHECK_STR_EQ(sid, "def");
	CHECK_INT_EQ(hull_vm_pod_role(crio_sb, 1, NULL), HULL_VM_POD_SANDBOX);
	CHECK_INT_EQ(hull_vm_pod_role(odd, 2, NULL), HULL_VM_POD_NONE);
	CHECK_INT_EQ(hull_vm_exec_ports(sandbox, 2), HULL_VM_POD_EXEC_PORTS);
	CHECK_INT_EQ(hull_vm_exec_ports(member, 2), HULL_VM_EXEC_PORTS);
}

/* A NIC's backend: vhost-net on the fd hull opened (KVM), else QEMU's own */
TEST(netdev_vhost_or_not)
{
	char *a = hull_vm_netdev_arg(0, 9, -1), *b = hull_vm_netdev_arg(1, 9, 11);
	CHECK_STR_EQ(a, "tap,id=net0,fd=9,vhost=off");
	CHECK_STR_EQ(b, "tap,id=net1,fd=9,vhost=on,vhostfd=11");
	free(a);
	free(b);
}
