/* SPDX-License-Identifier: Apache-2.0 */
/* hull's networks: the three docker has built in (bridge, host, none) and the user's bridge
 * networks, each a record <dir>/<name>/network.json (dir: <root>/networks), written
 * atomically; the directory's name is the network's, so names are unique (netrecord.c). */
#ifndef HULL_NETWORK_NETRECORD_H
#define HULL_NETWORK_NETRECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/json.h"

/* The built-in networks, as docker names them. */
#define HULL_NET_DEFAULT	 "bridge" /* hull run's default: 10.89.0.0/24 on hull0, NAT'd */
#define HULL_NET_HOST		 "host"
#define HULL_NET_NONE		 "none"
#define HULL_NET_DEFAULT_BRIDGE	 "hull0"
#define HULL_NET_DEFAULT_SUBNET	 "10.89.0.0/24"
#define HULL_NET_DEFAULT_GATEWAY "10.89.0.1"

struct hull_network {
	char *name;
	char *id;     /* 64 hex digits */
	char *driver; /* "bridge", or "host"/"null" for the built-ins of those names */
	char *bridge; /* the Linux bridge: hull0, or br-<id12> as docker names them */
	char *subnet, *gateway;
	char *ip_range; /* NULL: the whole subnet */
	bool internal;	/* no way out: no default route, no masquerade */
	bool builtin;
	struct hull_kv *labels;
	size_t n_labels;
	char *created; /* RFC 3339 */
};

/* What `hull network create` was given (NULL: chosen). */
struct hull_network_opts {
	const char *name, *subnet, *gateway, *ip_range, *driver;
	bool internal;
	char *const *labels; /* KEY=VALUE */
};

/* Check the options, choose what was not given (a free 10.89.N.0/24 subnet, its .1 as
 * gateway), claim the name and write the record.  *out: the new network. */
int hull_network_create(const char *dir, const struct hull_network_opts *o,
			struct hull_network **out, struct hull_err *err);
/* A name, a full id or a unique id prefix; the built-ins by name. */
int hull_network_load(const char *dir, const char *ref, struct hull_network **out,
		      struct hull_err *err);
/* The built-ins first, then the user's networks by name. */
int hull_network_list(const char *dir, struct hull_network ***out, size_t *n, struct hull_err *err);
/* Remove the record of a user network (the caller checked nothing uses it). */
int hull_network_remove(const char *dir, const struct hull_network *n, struct hull_err *err);
/* A lock on a user network (<dir>/<name>/lock): shared while a container joins it, exclusive
 * while it is removed.  The fd, or -1 with err (ENOENT: no such network). */
int hull_network_lock(const char *dir, const char *name, bool exclusive, struct hull_err *err);
/* Whether the network puts containers on a bridge through CNI (not host, not none). */
bool hull_network_is_bridge(const struct hull_network *n);

/* A network as JSON (the record's form; hull keeps a copy with each attachment so that the
 * detach needs no record), and back. */
char *hull_network_json(const struct hull_network *n);
int hull_network_parse(yajl_val j, struct hull_network **out, struct hull_err *err);

void hull_network_free(struct hull_network *n);
void hull_network_list_free(struct hull_network **v, size_t n);

#endif
