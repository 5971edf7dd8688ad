/* SPDX-License-Identifier: Apache-2.0 */
/* A container's /etc/resolv.conf from the host's and the --dns flags (resolv.c). */
#ifndef HULL_NETWORK_RESOLV_H
#define HULL_NETWORK_RESOLV_H

#include <stdbool.h>

#include "lib/err.h"

struct hull_resolv_opts {
	char *const *dns;	  /* --dns: replaces every nameserver */
	char *const *dns_search;  /* --dns-search: replaces the search list ("." clears it) */
	char *const *dns_options; /* --dns-option: replaces the options */
	const char *resolver;	  /* the network's own DNS server (its gateway), or NULL */
	bool host_network;	  /* --network host: the host's nameservers as they are */
};

/* host: the host's resolv.conf text.  Nameservers: --dns, else the network's resolver, else
 * the host's without loopback ones (unreachable from the container's namespace), else
 * 8.8.8.8 and 8.8.4.4, as docker does.  The result is malloc'd. */
char *hull_resolv_conf(const char *host, const struct hull_resolv_opts *o);
/* Check a --dns value (an IP address) and a --dns-search domain. */
int hull_resolv_check(const struct hull_resolv_opts *o, struct hull_err *err);

#endif
