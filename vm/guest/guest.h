/* SPDX-License-Identifier: Apache-2.0 */
/* hull's guest init (PID 1 inside the microVM): shared declarations.  A standalone static
 * binary; it links nothing of the host runtime.  The protocol is in vm/README.md. */
#ifndef HULL_GUEST_H
#define HULL_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

struct guest_mount {
	char *dest, *type, *source, *data;
	unsigned long flags;
};

struct guest_rlimit {
	int resource;
	unsigned long long soft, hard;
};

/* The network the host handed over (/hull/net): NICs found by MAC. */
struct guest_nic {
	char *mac, *name;
	unsigned int mtu;
};
struct guest_addr {
	char *mac, *cidr;
};
struct guest_route {
	char *mac, *dst, *gw, *metric; /* gw, metric: "" when none */
};

/* A linux.sysctl entry: the guest kernel's own. */
struct guest_kv {
	char *key, *value;
};

/* The container's seccomp filter: a compiled BPF program from the host (libseccomp there). */
struct guest_seccomp {
	void *insns; /* struct sock_filter[len] */
	unsigned short len;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
};

/* The process's capability sets as masks (bit N: capability N). */
enum {
	GUEST_CAP_BOUNDING,
	GUEST_CAP_EFFECTIVE,
	GUEST_CAP_PERMITTED,
	GUEST_CAP_INHERITABLE,
	GUEST_CAP_AMBIENT,
	GUEST_CAP_SETS
};

/* /hull/config, written by the host into the container's own initramfs. */
struct guest_config {
	char **args, **env; /* NULL-terminated */
	char *cwd, *hostname, *domainname;
	uid_t uid;
	gid_t gid;
	gid_t *gids;
	size_t n_gids;
	int umask; /* -1: leave the default */
	bool root_readonly;
	struct guest_mount *mounts;
	size_t n_mounts;
	struct guest_rlimit *rlimits;
	size_t n_rlimits;
	struct guest_nic *nics;
	size_t n_nics;
	struct guest_addr *addrs;
	size_t n_addrs;
	struct guest_route *routes;
	size_t n_routes;
	struct guest_kv *sysctls;
	size_t n_sysctls;
	struct guest_kv *cgroups; /* a pod's app container: its guest cgroup's files */
	size_t n_cgroups;
	char **readonly_paths, **masked_paths; /* linux.readonlyPaths, linux.maskedPaths */
	size_t n_readonly_paths, n_masked_paths;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_caps; /* without: the process keeps the init's, inheritable and ambient cleared */
	unsigned long long caps[GUEST_CAP_SETS];
	bool no_new_privs;
	struct guest_seccomp *seccomp; /* NULL: none; an exec borrows the container's */
	bool terminal;		       /* /hull/config: the main process has a terminal */
	unsigned int pod_ports;	       /* the sandbox of a pod: its exec ports (0: no pod) */
	bool hold;		       /* booted at create: the workload waits for `start` */
	const char *container;	       /* exec request: start the pod's container of this id */
	const char *into;	       /* exec request: run in the pod's container of this id */
	const char *nonce;	       /* exec request: echoed in the answer */
	bool tty;		       /* exec request: a terminal of rows x cols */
	unsigned short rows, cols;     /* 0: unknown */
};

/* path, then the optional net_path (same format; written at start). */
int guest_config_load(const char *path, const char *net_path, struct guest_config *c,
		      struct hull_err *err);
/* Parse size bytes at buf (kept: the strings point into it): an exec request. */
int guest_config_parse(char *buf, size_t size, struct guest_config *c, struct hull_err *err);
void guest_config_free(struct guest_config *c);

/* security.c: the process's capabilities, no_new_privs and seccomp filter, in the container
 * executor's order (runtime/executor/process.c).  Each returns 0, or -1 with err filled. */
/* Before the uid change: bounding set, capabilities kept across it; the filter here when
 * no_new_privs is off (loading it needs CAP_SYS_ADMIN, which may be dropped next). */
int guest_security_before_user(const struct guest_config *c, struct hull_err *err);
/* After the uid change: effective/permitted/inheritable, ambient, no_new_privs. */
int guest_security_after_user(const struct guest_config *c, struct hull_err *err);
/* Just before execve: the filter when no_new_privs is on. */
int guest_security_last(const struct guest_config *c, struct hull_err *err);

/* mounts.c: the spec's mounts that are not binds (made on the host), the /dev links, the
 * masks (masks.c) and a read-only root last, in the root the caller is chrooted into.
 * own_dev: a tmpfs on /dev stays one, with the usual device nodes (a pod's app container),
 * else it becomes the guest's devtmpfs. */
int guest_mounts_apply(const struct guest_config *c, bool own_dev, struct hull_err *err);

/* masks.c: linux.sysctl, then linux.readonlyPaths and linux.maskedPaths, in the container's
 * root once its kernel file systems are mounted.  0, or -1 with err filled. */
int guest_masks_apply(const struct guest_config *c, struct hull_err *err);

/* net.c: lo up; each NIC of the config found by MAC and given its name, MTU, addresses and
 * routes.  Before the workload runs.  0, or -1 with err filled. */
int guest_net_setup(const struct guest_config *c, struct hull_err *err);

/* Dirty pages to the host before power-off, without a host-wide syncfs (writeback.c). */
void guest_writeback_prepare(void);
void guest_write_back(void);

#include "lib/exitcode.h"
#include "vm/proto/proto.h"

/* The virtio-serial ports the host made, opened by name. */
struct guest_ports {
	int ctl, status, in, out, err;
	int console;			  /* hull.console, with a terminal only */
	int exec[HULL_VM_EXEC_PORTS_MAX]; /* hull.exec0..N, -1 when absent */
	int n_exec;
};

/* workload.c: in a forked child, become the process described by c with fds 0-2 from
 * fd0..fd2 (a terminal when tty: fd0 is its slave); never returns.  Failures are written to
 * errfd (or stderr when -1) and end the child with 125, 126 or 127. */
__attribute__((noreturn)) void guest_become(const struct guest_config *c, int fd0, int fd1, int fd2,
					    bool tty, int errfd);

/* session.c: a stream of frames (proto.h) on one port: an exec, or the main process's
 * terminal. */
struct guest_session;
struct pollfd;
/* filter: the container's seccomp filter, which every exec on the port gets (NULL: none). */
struct guest_session *guest_session_new(int port, bool console, struct guest_seccomp *filter);
/* The console's process, forked on the slave guest_session_console_pty gave. */
void guest_session_attach(struct guest_session *s, pid_t pid);
/* The pty of a console session before its process runs: waits (a few seconds at most) for
 * the host's first frame, the window size.  -1 with err filled when there is no pty. */
int guest_session_console_pty(struct guest_session *s, int *slave, struct hull_err *err);
/* Fill up to 4 pollfds; returns how many. */
int guest_session_poll(struct guest_session *s, struct pollfd *p);
/* After poll: the pollfds guest_session_poll filled. */
void guest_session_handle(struct guest_session *s, const struct pollfd *p, int n);
/* A child was reaped: true when it was this session's process. */
bool guest_session_reaped(struct guest_session *s, pid_t pid, int wstatus);
/* Milliseconds until the session needs a look without an event (the end of an exec's
 * linger), -1: none. */
int guest_session_timeout(const struct guest_session *s);
/* A console session whose process ended: true once its output is all sent. */
bool guest_session_done(const struct guest_session *s);
/* The host side was not there at the last poll: look again (without blocking). */
void guest_session_recheck(struct guest_session *s);
bool guest_session_host(const struct guest_session *s);

/* pod.c: the app containers of a pod, in the sandbox's VM (vm/README.md, "Pods"). */
struct guest_pod_ctr;
/* Before the switch to the sandbox's root: the pod's share and the cgroup hierarchy mounted
 * on initramfs paths only the init sees. */
int guest_pod_init(struct hull_err *err);
/* A container to start: its configuration read from the share, its root taken from there,
 * its cgroup made; NULL with err filled.  Dropped by guest_pod_forget when it did not start. */
struct guest_pod_ctr *guest_pod_load(const char *id, struct hull_err *err);
void guest_pod_forget(struct guest_pod_ctr *ctr);
/* A started container by id, NULL when none runs. */
struct guest_pod_ctr *guest_pod_find(const char *id);
/* The container's configuration: its process, mounts, filter. */
struct guest_config *guest_pod_config(struct guest_pod_ctr *ctr);
/* fork, for the container's main process (start: new mount and pid namespaces, the child is
 * the namespace's pid 1) or for a process in it (in its pid namespace). */
pid_t guest_pod_fork(struct guest_pod_ctr *ctr, bool start);
/* In the child of guest_pod_fork: its cgroup, then (start) its root, mounts and masks, or (an
 * exec) the container's mount and cgroup namespaces.  -1 with err filled. */
int guest_pod_enter(struct guest_pod_ctr *ctr, bool start, struct hull_err *err);
/* Its main process runs as pid (in the init's pid namespace). */
void guest_pod_started(struct guest_pod_ctr *ctr, pid_t pid);
/* A file of the guest cgroup of container id (`update`): 0, or an errno. */
int guest_pod_cgroup_set(const char *id, const char *file, const char *value);
/* A child was reaped: a container whose main process it was is forgotten. */
void guest_pod_reaped(pid_t pid);

/* Print to the workload's stderr port (or /dev/kmsg before it exists), prefixed.  Errors are
 * carried up in a struct hull_err to the one place that prints them and picks the status:
 * main (init.c) before the workload runs, guest_become in a process that did not start. */
#define GUEST_LOG_PREFIX "hull-guest: "
void guest_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int guest_log_fd;

/* workload.c: run the process and stay its reaper until it exits; returns the status as the
 * host must report it (code, or 128+N), *signo set when it was killed by signal N; -1 with
 * err filled when the process could not be started. */
int guest_run(const struct guest_config *c, const struct guest_ports *p, int *signo,
	      struct hull_err *err);

#endif
