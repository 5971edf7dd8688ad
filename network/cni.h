/* SPDX-License-Identifier: Apache-2.0 */
/* hull's bridge networks, set up by the CNI plugins (cni.c), and published ports. */
#ifndef HULL_NETWORK_CNI_H
#define HULL_NETWORK_CNI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"
#include "network/netrecord.h"

/* -p [HOSTIP:]HOSTPORT:CONTAINERPORT[/PROTO] */
struct hull_port {
	char host_ip[46]; /* "" = every address */
	unsigned short host_port, container_port;
	char proto[5]; /* tcp, udp, sctp */
};
int hull_port_parse(const char *spec, struct hull_port *p, struct hull_err *err);
/* docker's form: "0.0.0.0:8080->80/tcp" */
void hull_port_format(const struct hull_port *p, char *buf, size_t n);

struct hull_cni {
	const char *plugin_dir; /* NULL: $HULL_CNI_PATH, /usr/lib/cni, /opt/cni/bin */
	const char *state_dir;	/* host-local's allocations (under the runtime state root) */
};

/* One attachment of a container to a network: its interface in the namespace. */
struct hull_cni_join {
	const struct hull_network *net; /* a bridge network */
	const char *id;			/* the container's: host-local's key, with ifname */
	const char *netns;		/* a bound namespace, or "" when it is gone (detach) */
	const char *ifname;		/* eth0, eth1... */
	const char *ip;			/* a fixed IPv4 address in the subnet, or NULL */
	const struct hull_port *ports;	/* published (portmap), on the first network only */
	size_t n_ports;
};

/* Put the namespace (bound, with loopback up) on the network, in two steps so the caller can
 * work while the bridge plugin runs: start runs the bridge plugin's ADD without waiting;
 * finish waits for it and runs the rest of the chain (j->ports may be filled in between).
 * After a start, finish must be called.  *result: the chain's result (JSON, malloc'd), which
 * the detach needs.  Nothing is left on failure. */
struct hull_cni_call {
	pid_t pid;
	int out;
};
int hull_cni_attach_start(const struct hull_cni *n, const struct hull_cni_join *j,
			  struct hull_cni_call *call, struct hull_err *err);
int hull_cni_attach_finish(const struct hull_cni *n, const struct hull_cni_join *j,
			   struct hull_cni_call *call, char **result, struct hull_err *err);
/* Undo an attach: every plugin runs (in reverse) even if one fails; the first error is
 * returned. */
int hull_cni_detach(const struct hull_cni *n, const struct hull_cni_join *j, const char *result,
		    struct hull_err *err);
/* The first IPv4 address of a result, without its prefix length. */
int hull_cni_result_ipv4(const char *result, char *buf, size_t n);

#endif
