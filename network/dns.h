/* SPDX-License-Identifier: Apache-2.0 */
/* Name resolution between the containers of a user network: Debian's aardvark-dns (podman's
 * resolver) serves each network's names on its gateway address, port 53 (dns.c). */
#ifndef HULL_NETWORK_DNS_H
#define HULL_NETWORK_DNS_H

#include <stdbool.h>

#include "lib/err.h"
#include "network/netrecord.h"

/* The resolver's binary ($HULL_AARDVARK_DNS, else podman's place for it), or NULL when it
 * is not installed (containers then get the host's resolvers, as on the default network). */
const char *hull_dns_server(void);

/* dir: the resolver's configuration directory (<runroot>/.dns), one file per network.
 * Serve names (the container's name, short id, aliases) for ip on net: the entry is added
 * and the resolver started, or told to reload; it answers on the gateway before this
 * returns. */
int hull_dns_add(const char *dir, const struct hull_network *net, const char *id, const char *ip,
		 char *const *names, struct hull_err *err);
/* Forget the container's entry on the network (none there is no error); the network's file
 * goes with its last entry, and the resolver with the last file. */
int hull_dns_remove(const char *dir, const char *network, const char *id, struct hull_err *err);
/* The resolver's pid, 0 when none runs for dir (for tests and `hull info`). */
int hull_dns_pid(const char *dir);

#endif
