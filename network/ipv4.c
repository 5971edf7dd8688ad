/* SPDX-License-Identifier: Apache-2.0 */
/* IPv4 addresses and subnets for the network commands (ipv4.h). */
#include "network/ipv4.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static uint32_t mask(int prefix)
{
	return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int hull_ipv4_parse(const char *s, uint32_t *out, struct hull_err *err)
{
	struct in_addr a;

	/* inet_pton takes nothing but four decimal parts: no "10.1", no octal */
	if (inet_pton(AF_INET, s, &a) != 1)
		return hull_error(err, EINVAL, "`%s` is not an IPv4 address", s);
	*out = ntohl(a.s_addr);
	return 0;
}

void hull_ipv4_format(uint32_t a, char buf[HULL_IPV4_LEN])
{
	snprintf(buf, HULL_IPV4_LEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
		 a & 255);
}

int hull_cidr_parse(const char *s, const char *what, struct hull_cidr *out, struct hull_err *err)
{
	cleanup_free char *addr = xstrdup(s);
	char *slash = strchr(addr, '/'), *end;
	char want[HULL_IPV4_LEN];
	unsigned long p;
	uint32_t a = 0;

	if (!slash)
		return hull_error(err, EINVAL, "%s `%s`: expected an IPv4 subnet A.B.C.D/N", what,
				  s);
	*slash = 0;
	if (hull_ipv4_parse(addr, &a, err) < 0)
		return hull_error_wrap(err, "%s `%s`", what, s);
	errno = 0;
	p = strtoul(slash + 1, &end, 10);
	if (errno || *end || !slash[1] || p > 32)
		return hull_error(err, EINVAL, "%s `%s`: the prefix length is not 0 to 32", what,
				  s);
	if (a & ~mask((int)p)) {
		hull_ipv4_format(a & mask((int)p), want);
		return hull_error(err, EINVAL, "%s `%s` has host bits set (the subnet is %s/%lu)",
				  what, s, want, p);
	}
	out->addr = a;
	out->prefix = (int)p;
	return 0;
}

char *hull_cidr_format(const struct hull_cidr *c)
{
	char a[HULL_IPV4_LEN];
	hull_ipv4_format(c->addr, a);
	return hull_strfmt("%s/%d", a, c->prefix);
}

bool hull_cidr_contains(const struct hull_cidr *c, uint32_t a)
{
	return (a & mask(c->prefix)) == c->addr;
}

bool hull_cidr_overlap(const struct hull_cidr *a, const struct hull_cidr *b)
{
	int p = a->prefix < b->prefix ? a->prefix : b->prefix;
	return (a->addr & mask(p)) == (b->addr & mask(p));
}

uint32_t hull_cidr_first(const struct hull_cidr *c)
{
	return c->prefix >= 31 ? c->addr : c->addr + 1;
}

uint32_t hull_cidr_last(const struct hull_cidr *c)
{
	uint32_t bcast = c->addr | ~mask(c->prefix);
	return c->prefix >= 31 ? bcast : bcast - 1;
}
