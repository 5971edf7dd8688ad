/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal rtnetlink client for the VM's network plumbing (net.c): build one request, send it,
 * read its acknowledgement or walk a dump.  Only what net.c needs. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vm/proto/netlink.h"

int hull_nl_open(void)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

struct nlmsghdr *hull_nl_msg(struct hull_nl_req *r, int type, int flags, const void *hdr,
			     size_t len)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_type = (unsigned short)type;
	r->h.nlmsg_flags = (unsigned short)(flags | NLM_F_REQUEST);
	r->h.nlmsg_len = NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(&r->h), hdr, len);
	return &r->h;
}

struct rtattr *hull_nl_put(struct hull_nl_req *r, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)&r->h + NLMSG_ALIGN(r->h.nlmsg_len));
	size_t total = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(RTA_LENGTH(len));
	if (total > sizeof(*r))
		return NULL; /* the callers' messages are small and fixed: never reached */
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = (unsigned int)total;
	return a;
}

void hull_nl_end(struct hull_nl_req *r, struct rtattr *nest)
{
	if (nest)
		nest->rta_len = (unsigned short)((char *)&r->h + r->h.nlmsg_len - (char *)nest);
}

/* Send, then read until the answer to this request is complete: its ACK, or NLMSG_DONE of a
 * dump (each message of which goes to cb).  Returns 0 or -errno. */
static int talk(int fd, struct nlmsghdr *h, hull_nl_cb cb, void *arg)
{
	static unsigned int seq;
	char buf[32768];
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	h->nlmsg_seq = ++seq;
	if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *m;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (m = (struct nlmsghdr *)buf; NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n)) {
			if (m->nlmsg_seq != h->nlmsg_seq)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(m);
				return e->error;
			}
			if (cb) {
				int r = cb(m, arg);
				if (r < 0)
					return r;
			}
		}
	}
}

int hull_nl_request(int fd, struct hull_nl_req *r)
{
	r->h.nlmsg_flags |= NLM_F_ACK;
	return talk(fd, &r->h, NULL, NULL);
}

int hull_nl_get(int fd, struct hull_nl_req *r, hull_nl_cb cb, void *arg)
{
	r->h.nlmsg_flags |= NLM_F_ACK;
	return talk(fd, &r->h, cb, arg);
}

int hull_nl_dump(int fd, struct hull_nl_req *r, hull_nl_cb cb, void *arg)
{
	r->h.nlmsg_flags |= NLM_F_DUMP;
	return talk(fd, &r->h, cb, arg);
}

void hull_nl_attrs(struct rtattr *a, size_t len, struct rtattr **tb, int max)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type <= max)
			tb[a->rta_type] = a;
}
