/* hull's guest init (PID 1 inside the microVM): shared declarations.  A standalone static
 * binary; it links nothing of the host runtime.  The protocol is in vm/README.md. */
#ifndef HULL_GUEST_H
#define HULL_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

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
};

/* path, then the optional net_path (same format; written at start). */
int guest_config_load(const char *path, const char *net_path, struct guest_config *c);

/* net.c: lo up; each NIC of the config found by MAC and given its name, MTU, addresses and
 * routes.  Before the workload runs. */
int guest_net_setup(const struct guest_config *c);

/* Dirty pages to the host before power-off, without a host-wide syncfs (writeback.c). */
void guest_writeback_prepare(void);
void guest_write_back(void);

/* The virtio-serial ports the host made, opened by name. */
struct guest_ports {
	int ctl, status, in, out, err;
};

/* Print to the workload's stderr port (or /dev/kmsg before it exists). */
void guest_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int guest_log_fd;

/* workload.c: run the process and stay its reaper until it exits; returns the status as the
 * host must report it (code, or 128+N), *signo set when it was killed by signal N. */
int guest_run(const struct guest_config *c, const struct guest_ports *p, int *signo);

#endif
