/* SPDX-License-Identifier: Apache-2.0 */
/* Deleting an interface by name: one rtnetlink RTM_DELLINK request and its acknowledgement. */
#include "network/link.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"

int hull_link_delete(const char *name, struct hull_err *err)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
		char attrs[64];
	} req;
	char buf[512];
	struct rtattr *rta;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	size_t len = strlen(name) + 1;
	cleanup_close int fd = -1;
	ssize_t n;

	if (len > IFNAMSIZ)
		return hull_error(err, EINVAL, "interface name `%s` is too long", name);
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.i));
	req.h.nlmsg_type = RTM_DELLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.i.ifi_family = AF_UNSPEC;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.h.nlmsg_len));
	rta->rta_type = IFLA_IFNAME;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), name, len);
	req.h.nlmsg_len = NLMSG_ALIGN(req.h.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return hull_error(err, errno, "netlink socket");
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return hull_error(err, errno, "delete interface %s", name);
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return hull_error(err, errno, "delete interface %s", name);
	if ((size_t)n >= NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR) {
		int e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		if (e && e != ENODEV)
			return hull_error(err, e, "delete interface %s", name);
	}
	return 0;
}
