/* SPDX-License-Identifier: Apache-2.0 */
/* Inside vm/host: the vm level's operations (wrapped into its table by executor.c), QEMU's
 * configuration and its command line (a pure builder, qemu_args.c, from the configuration, the
 * facts about the host (probe.c) and the fds launch.c prepared), the guest's configuration
 * records, sessions, the network hand-over. */
#ifndef HULL_VM_HOST_H
#define HULL_VM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/annotations.h"
#include "runtime/container.h"
#include "runtime/executor.h"
#include "runtime/spec/spec.h"
#include "runtime/state.h"
#include "vm/proto/records.h"
#include "vm/vm.h"

/* In the container's init, instead of the container executor's rootfs: bind mounts and a
 * read-only root in the init's mount namespace (virtiofsd serves what it sees there), the
 * container's initramfs with the guest's configuration, the tools checked.  Errors are
 * reported by create. */
int hull_vm_prepare(const struct hull_init_ctx *ctx, struct hull_err *err);

/* The mount point of every mount of the spec that is not a bind (the guest mounts those)
 * inside the root, before a read-only root is made read-only. */
int hull_vm_mount_points(int rootfd, const struct hull_spec *spec, struct hull_err *err);

/* In the container's init, after the createContainer hooks: report ready, wait for start,
 * start virtiofsd and exec QEMU.  Never returns. */
__attribute__((noreturn)) void hull_vm_exec(const struct hull_init_ctx *ctx,
					    const char *state_json);

/* kill for a vm container: the signal goes to the workload inside over the control channel
 * (SIGKILL, and any signal before the VM runs, go to the VMM itself). */
int hull_vm_kill(const char *root, const char *id, pid_t pid, bool running, int sig, bool all,
		 struct hull_err *err);

/* The foreground of `run` for a VM container: waits for the VMM, sending the signals run gets
 * to the workload and proxying the terminal (tty, NULL without one; stopped here); returns
 * the exit code, or 128+N for signal N. */
struct hull_tty_proxy;
int hull_vm_foreground_wait(const char *root, const char *id, pid_t pid,
			    struct hull_tty_proxy *tty);

/* exec for a vm container: the process runs in the guest (vm/README.md, "Exec").  The pid
 * the caller sees (pid file, foreground wait) is the host process relaying the session: its
 * signals go to the process in the guest, killing it ends that process, and it ends with the
 * process's status.  In the foreground *status is the exit code, or 128+N for signal N. */
struct hull_exec_opts;
int hull_vm_exec_process(const struct hull_exec_opts *o, const struct hull_state *st,
			 const struct hull_process *p, int *status, struct hull_err *err);

/* One request on the control channel of the VM of container id (vm/proto/control.h): 0 when
 * the guest answers ok, else -1 with its errno. */
int hull_vm_ctl(const char *root, const char *id, pid_t vmm, const char *req, struct hull_err *err);

/* The VMM's own memory (QEMU, virtiofsd), added to the container's memory limit so that a
 * guest using all its RAM does not get its VMM OOM-killed: annotation
 * run.hull.vm.memory-overhead (MiB, M or G), else 192 MiB. */
int hull_vm_memory_overhead(const struct hull_spec *spec, uint64_t *bytes, struct hull_err *err);

/* A socket QEMU listens on in the state directory (dirfd): retried while QEMU is still
 * starting (ENOENT, ECONNREFUSED), up to timeout_ms or until the VMM vmm is gone. */
int hull_vm_connect(int dirfd, const char *name, pid_t vmm, long timeout_ms, struct hull_err *err);

/* Where an exec goes: the VM's state directory (its exec ports' sockets and lock), its VMM's
 * pid, its number of exec ports, and for a pod's app container the container's id. */
struct hull_vm_target {
	const char *dir;
	pid_t vmm;
	int ports;
	const char *into; /* NULL: the VM's own container */
};
/* exec with the target given (hull_vm_exec_process: the container's own VM). */
int hull_vm_exec_in(const struct hull_exec_opts *o, const struct hull_state *st,
		    const struct hull_vm_target *t, const struct hull_process *p, int *status,
		    struct hull_err *err);
/* A free exec port of the VM whose state directory is dirfd, claimed (the lock in *lockfd)
 * and connected: the socket. */
int hull_vm_port_connect(int dirfd, pid_t vmm, int ports, int *lockfd, struct hull_err *err);
/* What an OPEN asks for: the process p (in the pod's container into, when not NULL; with a
 * terminal whose slave is tty, -1: none), or the start of the pod's container start. */
struct hull_vm_session_req {
	const struct hull_process *p;
	int tty;
	const char *into, *start;
};
/* Send the request and wait for the guest's answer to it (frames of an earlier session on the
 * port are skipped).  What came after the answer is left in buf (*len bytes) for the relay. */
int hull_vm_session_open(int sock, const struct hull_vm_session_req *q, unsigned char *buf,
			 size_t size, size_t *len, struct hull_err *err);

/* Pods (pod.c, pod_member.c; vm/README.md, "Pods"): CRI's annotations say what a container is
 * in its pod, containerd's and CRI-O's. */
#define HULL_ANNOT_CRI_TYPE	   "io.kubernetes.cri.container-type"
#define HULL_ANNOT_CRI_SANDBOX_ID  "io.kubernetes.cri.sandbox-id"
#define HULL_ANNOT_CRIO_TYPE	   "io.kubernetes.cri-o.ContainerType"
#define HULL_ANNOT_CRIO_SANDBOX_ID "io.kubernetes.cri-o.SandboxID"
#define HULL_CRI_SANDBOX	   "sandbox"
#define HULL_CRI_CONTAINER	   "container"
enum hull_vm_pod_role {
	HULL_VM_POD_NONE,    /* no pod: a VM of its own */
	HULL_VM_POD_SANDBOX, /* boots the pod's VM */
	HULL_VM_POD_MEMBER,  /* an app container, run in its sandbox's VM */
};
/* From annotations (a spec's or a state's); *sandbox_id (may be NULL) a member's sandbox. */
enum hull_vm_pod_role hull_vm_pod_role(const struct hull_kv *annots, size_t n,
				       const char **sandbox_id);
enum hull_vm_pod_role hull_vm_spec_pod_role(const struct hull_spec *spec, const char **sandbox_id);
/* The number of exec ports of a VM with these annotations. */
int hull_vm_exec_ports(const struct hull_kv *annots, size_t n);
/* In the sandbox's init, in its private mount namespace: the pod's share in the state
 * directory (dirfd, path dir), a shared mount. */
int hull_vm_pod_share_prepare(int dirfd, const char *dir, struct hull_err *err);
/* Whether the VM boots at create (a pod's sandbox created for a later start, without a
 * terminal or startContainer hooks, which need the start): the guest then waits for
 * HULL_CTL_START before it runs the workload. */
bool hull_vm_boots_at_create(const struct hull_init_ctx *ctx);
/* In the init of a VM booted at create, before it reports ready: the starter, a process that
 * holds exec.fifo (so the VM stays `created`), and at start (its byte read) closes it and
 * tells the guest to run the workload, retrying while the guest boots.  It dies with QEMU. */
int hull_vm_pod_starter(const struct hull_init_ctx *ctx, struct hull_err *err);
/* The sandbox sandbox_id under root: created or running, a VM pod's sandbox. */
int hull_vm_pod_sandbox(const char *root, const char *sandbox_id, struct hull_state **out,
			struct hull_err *err);
/* fn(arg) in a child that joined the mount namespace of pid; -1 when it failed. */
int hull_vm_in_mount_ns(pid_t pid, int (*fn)(void *arg), void *arg, struct hull_err *err);
/* The app container's side (pod_member.c): its table's operations. */
int hull_vm_member_prepare(const struct hull_init_ctx *ctx, struct hull_err *err);
__attribute__((noreturn)) void hull_vm_member_exec(const struct hull_init_ctx *ctx,
						   const char *state_json);
int hull_vm_member_exec_process(const struct hull_exec_opts *o, const struct hull_state *st,
				const struct hull_process *p, int *status, struct hull_err *err);
/* The cgroup2 writes of resources r (the sections a guest cgroup has: cpu, memory, pids,
 * unified) for an app container's guest cgroup. */
struct hull_cg_resources;
struct hull_cg_writes;
int hull_vm_pod_cgroup_writes(const struct hull_cg_resources *r, unsigned sections,
			      struct hull_cg_writes *ws, struct hull_err *err);
/* update of an app container: the resources r (sections given) in its guest cgroup. */
int hull_vm_member_update(const char *root, const struct hull_state *st,
			  const struct hull_cg_resources *r, unsigned sections,
			  struct hull_err *err);
/* pause (on) and resume of an app container: its guest cgroup frozen or thawed. */
int hull_vm_member_freeze(const char *root, const struct hull_state *st, bool on,
			  struct hull_err *err);
/* delete of an app container: its root out of the pod's share. */
void hull_vm_pod_member_cleanup(const char *state_dir, const struct hull_spec *spec);

/* relay.c: the host end of a session (a port's frames <-> local fds); never returns, ends as
 * the process in the guest did.  pre: bytes already read from the port. */
struct hull_vm_relay {
	int sock;	  /* the port */
	int in, out, err; /* stdin (-1: none), stdout, stderr; a terminal: its slave in all */
	bool tty;
	bool console; /* the main process's terminal: the end of the port is the end */
};
__attribute__((noreturn)) void hull_vm_relay(const struct hull_vm_relay *r,
					     const unsigned char *pre, size_t pre_len);
/* One frame, written whole (blocking). */
int hull_vm_send_frame(int sock, char type, const void *data, size_t len);

/* exec.c: a pty in raw mode (the guest's own line discipline does the work), rows x cols
 * when given; returns the master, the slave in *slave. */
int hull_vm_open_pty(unsigned int rows, unsigned int cols, int *slave, struct hull_err *err);

/* The main process's terminal (process.terminal): in the init before ready, the pty whose
 * master goes to the caller (console_fd); at start, its relay, returning the socket for the
 * hull.console port. */
int hull_vm_console_open(const struct hull_init_ctx *ctx, int *slave, struct hull_err *err);
int hull_vm_console_relay(int slave, struct hull_err *err);

/* Records of the guest's configuration files: "TAG\0FIELD\0..." (vm/README.md). */
struct hull_vm_buf {
	char *p;
	size_t len, cap;
};
void hull_vm_put(struct hull_vm_buf *b, const void *data, size_t n);
/* One record (vm/proto/records.h): its kind and exactly as many fields as the kind has (NULL is
 * written as ""). */
#define hull_vm_rec(b, kind, ...)                                                                  \
	hull_vm_rec_v((b), (kind), (const char *const[]){__VA_ARGS__},                             \
		      sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
void hull_vm_rec_v(struct hull_vm_buf *b, enum hull_rec_kind kind, const char *const *fields,
		   size_t n);
/* The process's records (arg, env, cwd, user, gid, rlimit, caps, nonewprivs): /hull/config
 * and exec requests.  Fails on a capability name libcap does not know. */
int hull_vm_process_records(struct hull_vm_buf *b, const struct hull_process *p,
			    struct hull_err *err);
/* The `seccomp` record: the filter's flags and its compiled BPF program in hex. */
struct hull_seccomp;
void hull_vm_seccomp_record(struct hull_vm_buf *b, const struct hull_seccomp *filter);

/* The guest's /hull/config (see vm/README.md) for this spec and the container's seccomp filter
 * (NULL: none): malloc'd, length in *len; NULL on error. */
char *hull_vm_guest_config(const struct hull_spec *spec, const struct hull_seccomp *filter,
			   size_t *len, struct hull_err *err);
/* dst = the base initramfs at src + a newc archive holding /hull/config. */
int hull_vm_write_initrd(int dirfd, const char *dst, const char *src, const char *cfg,
			 size_t cfg_len, struct hull_err *err);

/* Appends to the initramfs `name` (in dirfd) a newc archive holding one file (path inside
 * the guest without the leading slash; its directory must exist there already). */
int hull_vm_append_initrd(int dirfd, const char *name, const char *path, const char *data,
			  size_t len, struct hull_err *err);

/* net.c: the container's network namespace handed over to the VM. */
struct hull_vm_net {
	char **args; /* QEMU's -netdev/-device arguments */
	size_t n_args;
};
/* The spec must give the container a network namespace (no host network for a VM). */
int hull_vm_net_check(const struct hull_spec *spec, struct hull_err *err);
/* In the container's init at start, in its network namespace: a tap per Ethernet interface
 * that is up, joined to it with tc redirects, with vhost-net under KVM when /dev/vhost-net
 * opens; the guest's /hull/net appended to the
 * initramfs; the interfaces listed in <state>/vm-net.  The taps' fds stay open for QEMU. */
int hull_vm_net_attach(int dirfd, bool vhost, struct hull_vm_net *net, struct hull_err *err);
/* The -netdev argument of NIC i on tap: with vhost-net on vhostfd, or QEMU's own backend
 * (vhostfd -1). */
char *hull_vm_netdev_arg(size_t i, int tap, int vhostfd);
void hull_vm_net_free(struct hull_vm_net *net);
/* delete: the tc qdiscs left on the interfaces of a network namespace given by path. */
void hull_vm_net_cleanup(const char *state_dir, const struct hull_spec *spec);

/* Names inside the state directory (and vm-status: vm/host/preload.h). */
#define HULL_VM_INITRD "vm-initrd"
#define HULL_VM_CTL    "vm-ctl.sock"
#define HULL_VM_FS     "vm-fs.sock"
#define HULL_VM_NET    "vm-net"
#define HULL_VM_POD_FS "vm-pod.sock" /* virtiofsd of the pod's share */
/* the pod's share: a directory per app container (vm/proto/names.h) */
#define HULL_VM_POD_SHARE "vm-pod"
/* exec ports: vm-exec<N>.sock for hull.exec<N>, claimed by a lock on byte N of vm-exec.lock */
#define HULL_VM_EXEC_SOCK "vm-exec%d.sock"
#define HULL_VM_EXEC_LOCK "vm-exec.lock"

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
	bool pod_fs;	/* a pod's sandbox: the share's virtio-fs device (HULL_VM_POD_FS) */
	int exec_ports; /* 0: HULL_VM_EXEC_PORTS */
};

/* The QEMU command line, a NULL-terminated argv, malloc'd (hull_qemu_args_free).  It reads,
 * opens and prints nothing: everything it depends on is in its arguments. */
char **hull_qemu_args(const struct hull_vm_config *c, const struct hull_vm_host *h,
		      const struct hull_qemu_io *io);
void hull_qemu_args_free(char **argv);

#endif
