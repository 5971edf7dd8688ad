/* hull's default bridge network, set up by the CNI plugins (cni.c), and published ports. */
#ifndef HULL_NETWORK_CNI_H
#define HULL_NETWORK_CNI_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/* The network every `hull run --network bridge` container joins. */
#define HULL_NET_NAME	 "hull"
#define HULL_NET_BRIDGE	 "hull0"
#define HULL_NET_SUBNET	 "10.89.0.0/24"
#define HULL_NET_GATEWAY "10.89.0.1"

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

/* Put the network namespace netns (bound, with loopback up) on the network, its interface
 * eth0, with ports published on the host.  *result: the chain's result (JSON, malloc'd),
 * which the detach needs.  Nothing is left on failure. */
int hull_cni_attach(const struct hull_cni *n, const char *id, const char *netns,
		    const struct hull_port *ports, size_t n_ports, char **result,
		    struct hull_err *err);
/* Undo an attach: every plugin runs (in reverse) even if one fails; the first error is
 * returned.  netns may be gone already (after a reboot): "" then. */
int hull_cni_detach(const struct hull_cni *n, const char *id, const char *netns, const char *result,
		    const struct hull_port *ports, size_t n_ports, struct hull_err *err);
/* The first IPv4 address of a result, without its prefix length. */
int hull_cni_result_ipv4(const char *result, char *buf, size_t n);

#endif
