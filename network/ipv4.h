/* SPDX-License-Identifier: Apache-2.0 */
/* IPv4 addresses and subnets as the network commands take them ("10.1.2.0/24"): parsed,
 * compared and printed, host byte order throughout (ipv4.c). */
#ifndef HULL_NETWORK_IPV4_H
#define HULL_NETWORK_IPV4_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

#define HULL_IPV4_LEN 16 /* "255.255.255.255" and its NUL */

struct hull_cidr {
	uint32_t addr; /* the network's own address: no bits past the prefix */
	int prefix;    /* 0..32 */
};

/* A dotted quad. */
int hull_ipv4_parse(const char *s, uint32_t *out, struct hull_err *err);
void hull_ipv4_format(uint32_t a, char buf[HULL_IPV4_LEN]);
/* "A.B.C.D/N" whose host bits are zero (the error names the subnet that was meant).  what
 * names the flag in the message ("--subnet"). */
int hull_cidr_parse(const char *s, const char *what, struct hull_cidr *out, struct hull_err *err);
/* "A.B.C.D/N", malloc'd */
char *hull_cidr_format(const struct hull_cidr *c);
bool hull_cidr_contains(const struct hull_cidr *c, uint32_t a);
bool hull_cidr_overlap(const struct hull_cidr *a, const struct hull_cidr *b);
/* The first and the last address a host may have (neither the network's nor broadcast). */
uint32_t hull_cidr_first(const struct hull_cidr *c);
uint32_t hull_cidr_last(const struct hull_cidr *c);

#endif
