/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VM's network: what was set up in the container's network namespace (by CNI, podman, a
 * hook or a user) moves into the guest.  For each Ethernet interface that is up (a veth,
 * typically) the container's init, still in that namespace, creates a tap and joins the two
 * with tc: an ingress qdisc on each and a u32 match-all filter whose mirred action redirects
 * every frame to the other's egress.  The guest NIC gets the interface's MAC, addresses, MTU
 * and routes (records in /hull/net), so it owns the traffic; the namespace's own stack no
 * longer sees any.  This is what Kata calls "tcfilter"; macvtap would do too, but it needs a
 * character device of a dynamic major (the container's device cgroup would have to allow it),
 * a link that outlives the fd, and a MAC of its own.  The tap vanishes with QEMU's fd; the
 * ingress qdisc on the veth is listed in <state>/vm-net and removed by delete.
 */
#include <net/if.h> /* before the linux/ headers, which step back for it */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "vm/proto/names.h"
#include "vm/proto/netlink.h"
#include "vm/host/host.h"

struct nic {
	int index, tap, tap_index;
	char name[IFNAMSIZ], mac[18];
	unsigned int mtu;
	bool redirected;
};

struct nics {
	struct nic *v;
	size_t n;
};

int hull_vm_net_check(const struct hull_spec *spec, struct hull_err *err)
{
	/* the VM would take the host's interfaces over: refused, as Kata does */
	if (!hull_spec_namespace(spec, CLONE_NEWNET))
		return hull_error(err, EINVAL,
				  "vm isolation needs a network namespace: the VM cannot share "
				  "the host's network (add {\"type\": \"network\"} to "
				  "linux.namespaces, or join one by path)");
	return 0;
}

static int link_cb(const struct nlmsghdr *m, void *arg)
{
	struct nics *l = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(m);
	struct rtattr *tb[IFLA_MAX + 1];
	const unsigned char *a;
	struct nic *n;

	if (m->nlmsg_type != RTM_NEWLINK)
		return 0;
	hull_nl_attrs(IFLA_RTA(ifi), IFLA_PAYLOAD(m), tb, IFLA_MAX);
	if (ifi->ifi_type != ARPHRD_ETHER || !(ifi->ifi_flags & IFF_UP) ||
	    (ifi->ifi_flags & IFF_LOOPBACK) || !tb[IFLA_IFNAME] || !tb[IFLA_ADDRESS] ||
	    RTA_PAYLOAD(tb[IFLA_ADDRESS]) != ETH_ALEN)
		return 0;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	n = &l->v[l->n++];
	memset(n, 0, sizeof(*n));
	n->index = ifi->ifi_index;
	n->tap = -1;
	snprintf(n->name, sizeof(n->name), "%s", (const char *)RTA_DATA(tb[IFLA_IFNAME]));
	a = RTA_DATA(tb[IFLA_ADDRESS]);
	snprintf(n->mac, sizeof(n->mac), "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3],
		 a[4], a[5]);
	n->mtu = tb[IFLA_MTU] ? *(unsigned int *)RTA_DATA(tb[IFLA_MTU]) : 1500;
	return 0;
}

struct walk {
	const struct nic *nic;
	struct hull_vm_buf *b, *gw; /* routes with a gateway go last: theirs must be reachable */
};

static void addr_str(int family, const void *a, unsigned int plen, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	inet_ntop(family, a, ip, sizeof(ip));
	snprintf(out, len, "%s/%u", ip, plen);
}

static int addr_cb(const struct nlmsghdr *m, void *arg)
{
	const struct walk *w = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(m);
	struct rtattr *tb[IFA_MAX + 1];
	const struct rtattr *a;
	char s[INET6_ADDRSTRLEN + 8];

	if (m->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != w->nic->index)
		return 0;
	/* the guest makes its own link-local address, the same one: the MAC is the same */
	if (ifa->ifa_family == AF_INET6 && ifa->ifa_scope == RT_SCOPE_LINK)
		return 0;
	hull_nl_attrs(IFA_RTA(ifa), IFA_PAYLOAD(m), tb, IFA_MAX);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	addr_str(ifa->ifa_family, RTA_DATA(a), ifa->ifa_prefixlen, s, sizeof(s));
	hull_vm_rec(w->b, HULL_REC_ADDR, w->nic->mac, s);
	return 0;
}

static int route_cb(const struct nlmsghdr *m, void *arg)
{
	const struct walk *w = arg;
	const struct rtmsg *rt = NLMSG_DATA(m);
	struct rtattr *tb[RTA_MAX + 1];
	static const unsigned char any[16];
	char dst[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN] = "", metric[16] = "";
	unsigned int table = rt->rtm_table;

	if (m->nlmsg_type != RTM_NEWROUTE || rt->rtm_type != RTN_UNICAST ||
	    (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6))
		return 0;
	hull_nl_attrs(RTM_RTA(rt), RTM_PAYLOAD(m), tb, RTA_MAX);
	if (tb[RTA_TABLE])
		table = *(unsigned int *)RTA_DATA(tb[RTA_TABLE]);
	/* the guest's kernel makes the prefix routes of the addresses itself */
	if (table != RT_TABLE_MAIN || rt->rtm_protocol == RTPROT_KERNEL || !tb[RTA_OIF] ||
	    *(int *)RTA_DATA(tb[RTA_OIF]) != w->nic->index)
		return 0;
	addr_str(rt->rtm_family, tb[RTA_DST] ? RTA_DATA(tb[RTA_DST]) : any, rt->rtm_dst_len, dst,
		 sizeof(dst));
	if (tb[RTA_GATEWAY])
		inet_ntop(rt->rtm_family, RTA_DATA(tb[RTA_GATEWAY]), gw, sizeof(gw));
	if (tb[RTA_PRIORITY])
		snprintf(metric, sizeof(metric), "%u", *(unsigned int *)RTA_DATA(tb[RTA_PRIORITY]));
	hull_vm_rec(*gw ? w->gw : w->b, HULL_REC_ROUTE, w->nic->mac, dst, gw, metric);
	return 0;
}

static int dump(int nl, int type, int family, hull_nl_cb cb, void *arg)
{
	struct hull_nl_req r;
	if (type == RTM_GETLINK) {
		struct ifinfomsg h = {.ifi_family = AF_UNSPEC};
		hull_nl_msg(&r, type, 0, &h, sizeof(h));
	} else if (type == RTM_GETADDR) {
		struct ifaddrmsg h = {.ifa_family = (unsigned char)family};
		hull_nl_msg(&r, type, 0, &h, sizeof(h));
	} else {
		struct rtmsg h = {.rtm_family = (unsigned char)family};
		hull_nl_msg(&r, type, 0, &h, sizeof(h));
	}
	return hull_nl_dump(nl, &r, cb, arg);
}

/* The guest's records for one interface: nic, then its addresses, then its routes. */
static int describe(int nl, const struct nic *n, struct hull_vm_buf *b, struct hull_err *err)
{
	struct hull_vm_buf gw = {0};
	struct walk w = {n, b, &gw};
	char mtu[16];
	int r;

	snprintf(mtu, sizeof(mtu), "%u", n->mtu);
	hull_vm_rec(b, HULL_REC_NIC, n->mac, n->name, mtu);
	r = dump(nl, RTM_GETADDR, AF_UNSPEC, addr_cb, &w);
	if (r == 0)
		r = dump(nl, RTM_GETROUTE, AF_INET, route_cb, &w);
	if (r == 0)
		r = dump(nl, RTM_GETROUTE, AF_INET6, route_cb, &w);
	if (r == 0)
		hull_vm_put(b, gw.p, gw.len);
	free(gw.p);
	return r < 0 ? hull_error(err, -r, "read the addresses and routes of `%s`", n->name) : 0;
}

static int make_tap(int nl, struct nic *n, struct hull_err *err)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR};
	struct ifinfomsg h = {.ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
	struct hull_nl_req r;
	int e;

	/* not close-on-exec: QEMU gets it; without TUNSETPERSIST the tap ends with its last fd */
	n->tap = open("/dev/net/tun", O_RDWR);
	if (n->tap < 0)
		return hull_error(err, errno, "open /dev/net/tun for the tap of `%s`", n->name);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "hulltap%%d");
	if (ioctl(n->tap, TUNSETIFF, &ifr) < 0)
		return hull_error(err, errno, "create a tap for `%s`", n->name);
	n->tap_index = (int)if_nametoindex(ifr.ifr_name);
	h.ifi_index = n->tap_index;
	hull_nl_msg(&r, RTM_NEWLINK, 0, &h, sizeof(h));
	hull_nl_put(&r, IFLA_MTU, &n->mtu, sizeof(n->mtu));
	e = hull_nl_request(nl, &r);
	if (e < 0)
		return hull_error(err, -e, "set up the tap `%s` (MTU %u)", ifr.ifr_name, n->mtu);
	return 0;
}

static int ingress(int nl, int index, bool add)
{
	struct tcmsg t = {.tcm_family = AF_UNSPEC,
			  .tcm_ifindex = index,
			  .tcm_parent = TC_H_INGRESS,
			  .tcm_handle = TC_H_MAKE(TC_H_INGRESS, 0)};
	struct hull_nl_req r;
	hull_nl_msg(&r, add ? RTM_NEWQDISC : RTM_DELQDISC, add ? NLM_F_CREATE | NLM_F_EXCL : 0, &t,
		    sizeof(t));
	hull_nl_put(&r, TCA_KIND, "ingress", sizeof("ingress"));
	return hull_nl_request(nl, &r);
}

/* Every frame arriving on `from` leaves through `to`: tc's `u32 match u8 0 0 action mirred
 * egress redirect` (this kernel may lack cls_matchall). */
static int redirect(int nl, int from, int to)
{
	struct tcmsg t = {.tcm_family = AF_UNSPEC,
			  .tcm_ifindex = from,
			  .tcm_parent = TC_H_MAKE(TC_H_INGRESS, 0),
			  .tcm_info = TC_H_MAKE(1u << 16, htons(ETH_P_ALL))};
	struct tc_mirred p = {
		.action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR, .ifindex = (unsigned int)to};
	char sel[sizeof(struct tc_u32_sel) + sizeof(struct tc_u32_key)] = {0};
	struct tc_u32_sel s = {.flags = TC_U32_TERMINAL, .nkeys = 1};
	struct rtattr *opt, *acts, *act, *aopt;
	struct hull_nl_req r;

	memcpy(sel, &s, sizeof(s)); /* one key, all zero: mask 0 matches every frame */
	hull_nl_msg(&r, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, &t, sizeof(t));
	hull_nl_put(&r, TCA_KIND, "u32", sizeof("u32"));
	opt = hull_nl_put(&r, TCA_OPTIONS, NULL, 0);
	hull_nl_put(&r, TCA_U32_SEL, sel, sizeof(sel));
	acts = hull_nl_put(&r, TCA_U32_ACT, NULL, 0);
	act = hull_nl_put(&r, 1, NULL, 0);
	hull_nl_put(&r, TCA_ACT_KIND, "mirred", sizeof("mirred"));
	aopt = hull_nl_put(&r, TCA_ACT_OPTIONS, NULL, 0);
	hull_nl_put(&r, TCA_MIRRED_PARMS, &p, sizeof(p));
	hull_nl_end(&r, aopt);
	hull_nl_end(&r, act);
	hull_nl_end(&r, acts);
	hull_nl_end(&r, opt);
	return hull_nl_request(nl, &r);
}

static int connect_nic(int nl, struct nic *n, struct hull_err *err)
{
	int e = ingress(nl, n->index, true);
	if (e == -EEXIST)
		return hull_error(err, EEXIST,
				  "`%s` already has an ingress qdisc: its traffic cannot be "
				  "redirected to the VM",
				  n->name);
	if (e < 0)
		return hull_error(err, -e, "add an ingress qdisc to `%s`", n->name);
	n->redirected = true;
	e = ingress(nl, n->tap_index, true);
	if (e == 0)
		e = redirect(nl, n->tap_index, n->index);
	if (e == 0)
		e = redirect(nl, n->index, n->tap_index);
	if (e < 0)
		return hull_error(err, -e, "redirect the traffic of `%s` to its tap", n->name);
	return 0;
}

static void nics_free(struct nics *l, bool undo, int nl)
{
	for (size_t i = 0; i < l->n; i++) {
		if (undo && l->v[i].redirected)
			ingress(nl, l->v[i].index, false);
		if (undo && l->v[i].tap >= 0)
			close(l->v[i].tap);
	}
	free(l->v);
}

void hull_vm_net_free(struct hull_vm_net *net)
{
	for (size_t i = 0; i < net->n_args; i++)
		free(net->args[i]);
	free(net->args);
	net->args = NULL;
	net->n_args = 0;
}

static void add_arg(struct hull_vm_net *net, char *s)
{
	net->args = xrealloc(net->args, (net->n_args + 1) * sizeof(*net->args));
	net->args[net->n_args++] = s;
}

char *hull_vm_netdev_arg(size_t i, int tap, int vhostfd)
{
	if (vhostfd >= 0)
		return hull_strfmt("tap,id=net%zu,fd=%d,vhost=on,vhostfd=%d", i, tap, vhostfd);
	return hull_strfmt("tap,id=net%zu,fd=%d,vhost=off", i, tap);
}

/* vhost-net for a NIC: only under KVM (the kernel's virtio-net backend signals the guest
 * through KVM's irqfd and ioeventfd; TCG keeps QEMU's own backend), and only when the device
 * opens here (the VMM's cgroup allows it, executor.c).  Inherited by QEMU: no close-on-exec.
 * -1: QEMU's own path. */
static int open_vhost(bool vhost)
{
	return vhost ? open("/dev/vhost-net", O_RDWR) : -1;
}

int hull_vm_net_attach(int dirfd, bool vhost, struct hull_vm_net *net, struct hull_err *err)
{
	cleanup_close int nl = hull_nl_open();
	struct nics l = {0};
	struct hull_vm_buf recs = {0}, list = {0};
	size_t i;
	int e;

	memset(net, 0, sizeof(*net));
	if (nl < 0)
		return hull_error(err, errno, "open an rtnetlink socket");
	e = dump(nl, RTM_GETLINK, AF_UNSPEC, link_cb, &l);
	if (e < 0) {
		hull_error(err, -e, "list the network interfaces");
		goto fail;
	}
	if (!l.n) /* only loopback: the guest has its own */
		return 0;
	for (i = 0; i < l.n; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "%d %s\n", l.v[i].index, l.v[i].name);
		hull_vm_put(&list, line, (size_t)n);
		if (describe(nl, &l.v[i], &recs, err) < 0)
			goto fail;
	}
	/* listed before anything is changed, so that delete undoes even a half-done attach */
	{
		cleanup_close int fd =
			openat(dirfd, HULL_VM_NET, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || hull_write_all(fd, list.p, list.len) != (ssize_t)list.len) {
			hull_error(err, errno, "write %s", HULL_VM_NET);
			goto fail;
		}
	}
	for (i = 0; i < l.n; i++)
		if (make_tap(nl, &l.v[i], err) < 0 || connect_nic(nl, &l.v[i], err) < 0)
			goto fail;
	if (hull_vm_append_initrd(dirfd, HULL_VM_INITRD, HULL_GUEST_NET, recs.p, recs.len, err) < 0)
		goto fail;
	for (i = 0; i < l.n; i++) {
		add_arg(net, xstrdup("-netdev"));
		add_arg(net, hull_vm_netdev_arg(i, l.v[i].tap, open_vhost(vhost)));
		add_arg(net, xstrdup("-device"));
		add_arg(net, hull_strfmt("virtio-net-device,netdev=net%zu,mac=%s", i, l.v[i].mac));
	}
	nics_free(&l, false, nl);
	free(recs.p);
	free(list.p);
	return 0;
fail:
	nics_free(&l, true, nl);
	/* undone: delete must not touch a qdisc that was there before (EEXIST) */
	unlinkat(dirfd, HULL_VM_NET, 0);
	hull_vm_net_free(net);
	free(recs.p);
	free(list.p);
	return -1;
}

static int name_cb(const struct nlmsghdr *m, void *arg)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(m);
	struct rtattr *tb[IFLA_MAX + 1];
	if (m->nlmsg_type != RTM_NEWLINK)
		return 0;
	hull_nl_attrs(IFLA_RTA(ifi), IFLA_PAYLOAD(m), tb, IFLA_MAX);
	if (tb[IFLA_IFNAME])
		snprintf(arg, IFNAMSIZ, "%s", (const char *)RTA_DATA(tb[IFLA_IFNAME]));
	return 0;
}

/* In a child, so that the runtime itself never changes namespace (poststop hooks follow). */
void hull_vm_net_cleanup(const char *state_dir, const struct hull_spec *spec)
{
	const struct hull_namespace *ns = spec ? hull_spec_namespace(spec, CLONE_NEWNET) : NULL;
	cleanup_free char *path = hull_strfmt("%s/%s", state_dir, HULL_VM_NET), *text = NULL;
	char *line, *save = NULL;
	int nsfd, nl;
	pid_t pid;

	/* a namespace of the container's own ended with its processes, and the qdiscs with it */
	if (!ns || !ns->path || hull_read_file(path, &text, NULL, NULL) < 0)
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (pid > 0) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return;
	}
	nsfd = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0 || (nl = hull_nl_open()) < 0)
		_exit(0); /* the namespace is gone, and its interfaces with it */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char want[IFNAMSIZ] = "", have[IFNAMSIZ] = "";
		struct ifinfomsg h = {.ifi_family = AF_UNSPEC};
		struct hull_nl_req r;
		if (sscanf(line, "%d %15s", &h.ifi_index, want) != 2)
			continue;
		/* the same interface, not another one that took its index */
		hull_nl_msg(&r, RTM_GETLINK, 0, &h, sizeof(h));
		if (hull_nl_get(nl, &r, name_cb, have) == 0 && !strcmp(have, want))
			ingress(nl, h.ifi_index, false);
	}
	_exit(0);
}
