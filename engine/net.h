/* SPDX-License-Identifier: Apache-2.0 */
/* A container's networks (net.c, net_attach.c, net_etc.c, net_admin.c): none, the host's,
 * the default bridge network or user networks through CNI, each attachment recorded so that
 * every clean-up undoes it; the networks themselves (create, rm, prune). */
#ifndef HULL_ENGINE_NET_H
#define HULL_ENGINE_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/ctr.h"
#include "engine/prepare.h"
#include "lib/err.h"
#include "network/cni.h"
#include "network/netrecord.h"

/* docker's range for ports published without a host port (-P) */
#define HULL_NET_EPHEMERAL_FIRST 32768
#define HULL_NET_EPHEMERAL_LAST	 60999

/* The network a --network value means: the default bridge when none was given. */
const char *hull_net_mode(const char *network);
/* <root>/networks: the user networks' records */
char *hull_net_records_dir(const struct hull_engine *e);
/* Check the network flags of a run (--network, -p, --ip, --network-alias, --dns*,
 * --add-host); with an engine, the network must also exist and -p/--ip fit it. */
int hull_net_check(const struct hull_engine *e, const struct hull_run_opts *o,
		   struct hull_err *err);
/* Whether a container of that network mode gets a namespace made for it before it starts. */
bool hull_net_needs_netns(const char *network);
/* <runroot>/.netns/<id> (dot names are no container's), malloc'd */
char *hull_net_netns_path(const struct hull_engine *e, const char *id);
/* -P: each port the image exposes ("80/tcp") on a free host port of docker's ephemeral
 * range, appended to *ports as "HOSTPORT:PORT/PROTO". */
int hull_net_publish_all(const struct hull_engine *e, char *const *exposed, char ***ports,
			 struct hull_err *err);

/* Before the container starts: its namespace, on its network as eth0 (o: --ip, aliases),
 * ports published, its names served on a user network; c->network is then the network's
 * name and c->ip its address.  In two steps, so that the bundle is made while CNI's bridge
 * plugin runs: start (the namespace, the network's lock, the bridge plugin started), then
 * finish (c->ports final: the rest of the chain, the names, the record of it) or abort (all
 * undone; nothing pending is no error).  Nothing is left on failure. */
struct hull_net_pending {
	struct hull_network *net; /* NULL: nothing pending */
	int lock;
	char ifname[16];
	char *ip;
	struct hull_cni_call call;
};
int hull_net_up_start(const struct hull_engine *e, struct hull_ctr *c,
		      const struct hull_run_opts *o, struct hull_net_pending *p,
		      struct hull_err *err);
int hull_net_up_finish(const struct hull_engine *e, struct hull_ctr *c,
		       const struct hull_run_opts *o, struct hull_net_pending *p,
		       struct hull_err *err);
void hull_net_up_abort(const struct hull_engine *e, const struct hull_ctr *c,
		       struct hull_net_pending *p);
/* The container's /etc/hosts (its own name, --add-host) and resolv.conf (the network's
 * resolver or the host's, --dns*), in its directory; after hull_net_up_finish. */
int hull_net_etc_files(const struct hull_engine *e, const struct hull_ctr *c,
		       const struct hull_run_opts *o, const char *hostname, struct hull_err *err);
/* After it stopped (each clean-up calls this; a second time does nothing): every attachment
 * undone, the namespace removed. */
int hull_net_down(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err);

/* One network a container is on (<runroot>/.net/<id>/<network>.json). */
struct hull_net_attachment {
	struct hull_network *net; /* as it was when the container joined */
	char *ifname, *ip, *mac;
	char **aliases;
	char **ports; /* published through this interface (-p specs): what portmap's DEL needs */
	char *result; /* the CNI result (JSON) */
};
/* The container's attachments, eth0 first (free: the fields, then the array). */
int hull_net_attachments(const struct hull_engine *e, const char *id,
			 struct hull_net_attachment **out, size_t *n, struct hull_err *err);
void hull_net_attachments_free(struct hull_net_attachment *v, size_t n);
/* The networks to show of a container, as docker's inspect and ps do: its attachments while
 * it is on its networks; else (made, stopped) those of its config, with no interface or
 * address; host and none as themselves.  Free as hull_net_attachments'. */
int hull_net_listing(const struct hull_engine *e, const struct hull_ctr *c,
		     struct hull_net_attachment **out, size_t *n, struct hull_err *err);

/* After a rename: the container's names on its user networks' resolvers follow (best
 * effort: the rename stands either way). */
void hull_net_renamed(const struct hull_engine *e, const struct hull_ctr *c);

/* hull network connect/disconnect: another interface (eth1...) in a running container's
 * namespace, or one taken away. */
int hull_net_connect(const struct hull_engine *e, const struct hull_ctr *c, const char *network,
		     const char *ip, char *const *aliases, struct hull_err *err);
int hull_net_disconnect(const struct hull_engine *e, const struct hull_ctr *c, const char *network,
			struct hull_err *err);

/* What a container's networks are from one run to the next (net_config.c:
 * containers/<id>/networks.json), as docker keeps them in the container's config: the networks
 * it is on, in order (the first one is eth0, with the published ports), each with its --ip
 * and aliases, and its --dns*, --add-host settings.  Written when the container is made,
 * changed by hull network connect/disconnect. */
struct hull_net_link {
	char *network, *ip; /* ip: NULL for any */
	char **aliases;
};
struct hull_net_config {
	struct hull_net_link *links;
	size_t n;
	char **dns, **dns_search, **dns_options, **add_hosts;
};
/* (A container made before the file was kept: the network of its record.) */
int hull_net_config_load(const struct hull_engine *e, const struct hull_ctr *c,
			 struct hull_net_config *nc, struct hull_err *err);
int hull_net_config_save(const struct hull_engine *e, const char *id,
			 const struct hull_net_config *nc, struct hull_err *err);
void hull_net_config_free(struct hull_net_config *nc);
/* The config of a container just made from o (c->network set: to the network's name). */
int hull_net_config_made(const struct hull_engine *e, struct hull_ctr *c,
			 const struct hull_run_opts *o, struct hull_err *err);
/* One more network (EEXIST: on it already); one network less (1: it was not on it). */
int hull_net_config_link(const struct hull_engine *e, const struct hull_ctr *c, const char *network,
			 const char *ip, char *const *aliases, struct hull_err *err);
int hull_net_config_unlink(const struct hull_engine *e, const struct hull_ctr *c,
			   const char *network, struct hull_err *err);
/* At a start (but hull run's first: its prepare brought the network up with the bundle):
 * every network of the container's config up as hull run does it (c->network, c->ip set),
 * then its /etc/hosts and resolv.conf written for this start's address.  Nothing is left on
 * failure. */
int hull_net_up_config(const struct hull_engine *e, struct hull_ctr *c, const char *hostname,
		       struct hull_err *err);

/* hull network create/rm/prune. */
int hull_net_create(const struct hull_engine *e, const struct hull_network_opts *o,
		    struct hull_network **out, struct hull_err *err);
/* Refused while a container is on it; its bridge and address state go with it. */
int hull_net_remove(const struct hull_engine *e, const char *ref, struct hull_err *err);
/* The ids of the containers on a network (attached now). */
int hull_net_users(const struct hull_engine *e, const char *network, char ***ids,
		   struct hull_err *err);

#endif
