/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal rtnetlink client (vm/netlink.c) for the VM's network plumbing. */
#ifndef HULL_VM_NETLINK_H
#define HULL_VM_NETLINK_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>

/* One request: the header, its family header and attributes. */
struct hull_nl_req {
	struct nlmsghdr h;
	char data[2048];
};

typedef int (*hull_nl_cb)(const struct nlmsghdr *m, void *arg);

int hull_nl_open(void);
/* Start a request of this type with the family header hdr (len bytes). */
struct nlmsghdr *hull_nl_msg(struct hull_nl_req *r, int type, int flags, const void *hdr,
			     size_t len);
/* Append an attribute; a nest is an attribute closed later by hull_nl_end. */
struct rtattr *hull_nl_put(struct hull_nl_req *r, int type, const void *data, size_t len);
void hull_nl_end(struct hull_nl_req *r, struct rtattr *nest);
/* Send and wait for the acknowledgement: 0 or -errno. */
int hull_nl_request(int fd, struct hull_nl_req *r);
/* Send a get request; cb sees the answer.  0 or -errno. */
int hull_nl_get(int fd, struct hull_nl_req *r, hull_nl_cb cb, void *arg);
/* Send a dump request; cb sees every message.  0 or -errno (or cb's negative value). */
int hull_nl_dump(int fd, struct hull_nl_req *r, hull_nl_cb cb, void *arg);
/* Index the attributes a (len bytes) by type, up to max. */
void hull_nl_attrs(struct rtattr *a, size_t len, struct rtattr **tb, int max);

#endif
