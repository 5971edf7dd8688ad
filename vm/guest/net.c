/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's network, before the workload runs: lo up, and each NIC the host handed over
 * (/hull/net: the interface of the container's network namespace, same MAC) found by its MAC,
 * given that interface's name, MTU, addresses and routes.  rtnetlink (../netlink.c), as there
 * is no ip(8) here. */
#include <net/if.h> /* before the linux/ headers, which step back for it */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm/guest/guest.h"
#include "vm/proto/names.h"
#include "vm/proto/netlink.h"

struct find {
	unsigned char mac[ETH_ALEN];
	int index;
};

static int link_cb(const struct nlmsghdr *m, void *arg)
{
	struct find *f = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(m);
	struct rtattr *tb[IFLA_MAX + 1];

	if (m->nlmsg_type != RTM_NEWLINK)
		return 0;
	hull_nl_attrs(IFLA_RTA(ifi), IFLA_PAYLOAD(m), tb, IFLA_MAX);
	if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) == ETH_ALEN &&
	    !memcmp(RTA_DATA(tb[IFLA_ADDRESS]), f->mac, ETH_ALEN))
		f->index = ifi->ifi_index;
	return 0;
}

/* virtio_net registers its devices as it probes them: give it a moment. */
static int find_nic(int nl, const char *mac, struct hull_err *err)
{
	struct find f = {.index = 0};
	unsigned int b[ETH_ALEN];

	if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return hull_error(err, 0, "bad MAC address `%s`", mac);
	for (int i = 0; i < ETH_ALEN; i++)
		f.mac[i] = (unsigned char)b[i];
	for (int tries = 0; tries < 500; tries++) {
		struct ifinfomsg h = {.ifi_family = AF_UNSPEC};
		struct hull_nl_req r;
		struct timespec ts = {0, 10 * 1000000L};
		hull_nl_msg(&r, RTM_GETLINK, 0, &h, sizeof(h));
		if (hull_nl_dump(nl, &r, link_cb, &f) == 0 && f.index)
			return f.index;
		nanosleep(&ts, NULL);
	}
	return hull_error(err, ENODEV, "no network interface with the MAC address %s", mac);
}

static int set_link(int nl, int index, const char *name, unsigned int mtu, bool up)
{
	struct ifinfomsg h = {.ifi_family = AF_UNSPEC, .ifi_index = index};
	struct hull_nl_req r;
	if (up)
		h.ifi_flags = h.ifi_change = IFF_UP;
	hull_nl_msg(&r, RTM_NEWLINK, 0, &h, sizeof(h));
	if (name && *name)
		hull_nl_put(&r, IFLA_IFNAME, name, strlen(name) + 1);
	if (mtu)
		hull_nl_put(&r, IFLA_MTU, &mtu, sizeof(mtu));
	return hull_nl_request(nl, &r);
}

/* "ADDR/PLEN" -> family, address, prefix length. */
static int parse_cidr(const char *s, int *family, unsigned char addr[16], unsigned int *plen)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof(ip))
		return -1;
	memcpy(ip, s, n);
	ip[n] = 0;
	*family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(*family, ip, addr) != 1)
		return -1;
	*plen = slash ? (unsigned int)strtoul(slash + 1, NULL, 10)
		      : (*family == AF_INET ? 32 : 128);
	return 0;
}

static int add_addr(int nl, int index, const char *cidr, struct hull_err *err)
{
	struct ifaddrmsg h = {.ifa_index = (unsigned int)index, .ifa_scope = RT_SCOPE_UNIVERSE};
	unsigned char a[16];
	unsigned int plen;
	int family, e;
	struct hull_nl_req r;

	if (parse_cidr(cidr, &family, a, &plen) < 0)
		return hull_error(err, 0, "bad address `%s`", cidr);
	h.ifa_family = (unsigned char)family;
	h.ifa_prefixlen = (unsigned char)plen;
	/* the host's interface passed duplicate address detection already */
	if (family == AF_INET6)
		h.ifa_flags = IFA_F_NODAD;
	hull_nl_msg(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &h, sizeof(h));
	if (family == AF_INET)
		hull_nl_put(&r, IFA_LOCAL, a, 4);
	hull_nl_put(&r, IFA_ADDRESS, a, family == AF_INET ? 4 : 16);
	e = hull_nl_request(nl, &r);
	if (e < 0 && e != -EEXIST)
		return hull_error(err, -e, "add the address %s", cidr);
	return 0;
}

static int add_route(int nl, int index, const struct guest_route *rt, struct hull_err *err)
{
	struct rtmsg h = {.rtm_table = RT_TABLE_MAIN,
			  .rtm_protocol = RTPROT_BOOT,
			  .rtm_type = RTN_UNICAST,
			  .rtm_scope = *rt->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK};
	unsigned char dst[16], gw[16];
	unsigned int plen, gplen, metric;
	int family, gfamily, e;
	struct hull_nl_req r;

	if (parse_cidr(rt->dst, &family, dst, &plen) < 0 ||
	    (*rt->gw && (parse_cidr(rt->gw, &gfamily, gw, &gplen) < 0 || gfamily != family)))
		return hull_error(err, 0, "bad route `%s` via `%s`", rt->dst, rt->gw);
	h.rtm_family = (unsigned char)family;
	h.rtm_dst_len = (unsigned char)plen;
	for (int onlink = 0; onlink < 2; onlink++) {
		h.rtm_flags = onlink ? RTNH_F_ONLINK : 0;
		hull_nl_msg(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &h, sizeof(h));
		if (plen)
			hull_nl_put(&r, RTA_DST, dst, family == AF_INET ? 4 : 16);
		if (*rt->gw)
			hull_nl_put(&r, RTA_GATEWAY, gw, family == AF_INET ? 4 : 16);
		hull_nl_put(&r, RTA_OIF, &index, sizeof(index));
		if (*rt->metric) {
			metric = (unsigned int)strtoul(rt->metric, NULL, 10);
			hull_nl_put(&r, RTA_PRIORITY, &metric, sizeof(metric));
		}
		e = hull_nl_request(nl, &r);
		/* a gateway no route of this link reaches (the host had it `onlink`): it is on
		 * this link all the same, the host's interface had no other */
		if (e != -ENETUNREACH || !*rt->gw)
			break;
	}
	if (e < 0 && e != -EEXIST)
		return hull_error(err, -e, "add the route to %s%s%s", rt->dst,
				  *rt->gw ? " via " : "", rt->gw);
	return 0;
}

static int setup_nic(int nl, const struct guest_config *c, const struct guest_nic *n,
		     struct hull_err *err)
{
	int index = find_nic(nl, n->mac, err), e;
	size_t i;

	if (index <= 0)
		return -1;
	/* renamed while it is down; a clash of names keeps the kernel's */
	e = set_link(nl, index, n->name, n->mtu, false);
	if (e == -EEXIST || e == -EBUSY)
		e = set_link(nl, index, NULL, n->mtu, false);
	if (e == 0)
		e = set_link(nl, index, NULL, 0, true);
	if (e < 0)
		return hull_error(err, -e, "set up the interface %s (%s, MTU %u)", n->name, n->mac,
				  n->mtu);
	for (i = 0; i < c->n_addrs; i++)
		if (!strcmp(c->addrs[i].mac, n->mac) &&
		    add_addr(nl, index, c->addrs[i].cidr, err) < 0)
			return -1;
	/* in the host's order: link routes first, then those through a gateway */
	for (i = 0; i < c->n_routes; i++)
		if (!strcmp(c->routes[i].mac, n->mac) &&
		    add_route(nl, index, &c->routes[i], err) < 0)
			return -1;
	return 0;
}

int guest_net_setup(const struct guest_config *c, struct hull_err *err)
{
	int nl = hull_nl_open(), ret = 0, e;
	size_t i;

	if (nl < 0)
		return hull_error(err, errno, "open an rtnetlink socket");
	e = set_link(nl, (int)if_nametoindex("lo"), NULL, 0, true);
	if (e < 0)
		ret = hull_error(err, -e, "bring up lo");
	for (i = 0; ret == 0 && i < c->n_nics; i++)
		if (setup_nic(nl, c, &c->nics[i], err) < 0)
			ret = -1;
	close(nl);
	return ret < 0 ? hull_error_wrap(err, "the guest's network (/%s)", HULL_GUEST_NET) : 0;
}
