/* SPDX-License-Identifier: Apache-2.0 */
/* engine/-private: one network attachment of a container, made and undone (net_attach.c). */
#ifndef HULL_ENGINE_NET_ATTACH_H
#define HULL_ENGINE_NET_ATTACH_H

#include "engine/net.h"

/* ip is a host address of n's range, not its gateway. */
int hull_net_check_ip(const struct hull_network *n, const char *ip, struct hull_err *err);
/* Put c's namespace on network (a name or id) as ifname, with ports (-p specs, eth0 only);
 * its names served on a user network; the attachment recorded.  *out filled (free it with
 * hull_net_attachments_free(out, 1)).  Nothing is left on failure. */
int hull_net_attach(const struct hull_engine *e, const struct hull_ctr *c, const char *network,
		    const char *ifname, const char *ip, char *const *aliases, char *const *ports,
		    struct hull_net_attachment *out, struct hull_err *err);
/* The same in two steps (hull_net_up_start/finish): start loads and locks the network and
 * starts the bridge plugin; finish (ports final) or abort must follow. */
int hull_net_attach_start(const struct hull_engine *e, const struct hull_ctr *c,
			  const char *network, const char *ifname, const char *ip,
			  struct hull_net_pending *p, struct hull_err *err);
int hull_net_attach_finish(const struct hull_engine *e, const struct hull_ctr *c,
			   char *const *aliases, char *const *ports, struct hull_net_pending *p,
			   struct hull_net_attachment *out, struct hull_err *err);
void hull_net_attach_abort(const struct hull_engine *e, const struct hull_ctr *c,
			   struct hull_net_pending *p);
/* Undo one attachment (each step runs even if one fails; the first error is returned). */
int hull_net_detach(const struct hull_engine *e, const struct hull_ctr *c,
		    const struct hull_net_attachment *a, struct hull_err *err);
/* The container's network lock (net.c), taken: the fd; -2 when the container's directory
 * is gone; -1 with err. */
int hull_net_lock(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err);
/* After connect or disconnect (left: the gateway of the network just left, or NULL): a
 * running container's resolv.conf names the resolver of its first user network that has
 * one, or the host's nameservers, as docker rebuilds it; a file written with --dns flags (or
 * changed by anyone) is left alone (net_etc.c). */
int hull_net_resolv_follow(const struct hull_engine *e, const struct hull_ctr *c, const char *left,
			   struct hull_err *err);
/* <runroot>/.net/<id>: the container's attachments */
char *hull_net_attach_dir(const struct hull_engine *e, const char *id);
/* <runroot>/.dns, the resolver's configuration directory */
char *hull_net_dns_dir(const struct hull_engine *e);

#endif
