/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/util.h"

static int send_msg(int fd, int type, int value, const char *payload, int passfd,
		    struct hull_err *err)
{
	struct {
		int type, value;
	} hdr = {type, value};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	size_t len = payload ? strlen(payload) : 0;
	struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)payload, len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};

	if (len > HULL_SYNC_MAX)
		return hull_error(err, EMSGSIZE, "sync message too large");
	if (passfd >= 0) {
		struct cmsghdr *c;
		memset(u.buf, 0, sizeof(u.buf));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &passfd, sizeof(int));
	}
	while (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return hull_error(err, errno, "send to the container init");
	return 0;
}

int hull_sync_send(int fd, int type, int value, const char *payload, struct hull_err *err)
{
	return send_msg(fd, type, value, payload, -1, err);
}

int hull_sync_send_fd(int fd, int type, int passfd, struct hull_err *err)
{
	return send_msg(fd, type, 0, NULL, passfd, err);
}

int hull_sync_recv(int fd, struct hull_sync_msg *m, struct hull_err *err)
{
	struct {
		int type, value;
	} hdr;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {m->data, sizeof(m->data) - 1}};
	struct msghdr mh = {.msg_iov = iov,
			    .msg_iovlen = 2,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	ssize_t n;

	m->fd = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hull_error(err, errno, "receive from the container init");
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&m->fd, CMSG_DATA(c), sizeof(int));
	if (n == 0)
		return hull_error(err, EPIPE, "the container init exited during set-up");
	if ((size_t)n < sizeof(hdr)) {
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
		return hull_error(err, EPROTO, "short message from the container init");
	}
	m->type = hdr.type;
	m->value = hdr.value;
	m->len = (size_t)n - sizeof(hdr);
	m->data[m->len] = '\0';
	return 0;
}

int hull_sync_expect(int fd, int type, struct hull_sync_msg *m, struct hull_err *err)
{
	if (hull_sync_recv(fd, m, err) < 0)
		return -1;
	if (m->type == SYNC_ERROR) {
		/* the init's own message already carries its errno text */
		hull_error(err, 0, "%s", m->data);
		if (err)
			err->errnum = m->value;
		return -1;
	}
	if (m->type != type)
		return hull_error(err, EPROTO, "unexpected message %d from the container init",
				  m->type);
	return 0;
}

int hull_send_fd(int sock, int fd, const char *name, struct hull_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	const char *payload = name && *name ? name : "fd";
	struct iovec iov = {(void *)payload, strlen(payload)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	memset(u.buf, 0, sizeof(u.buf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return hull_error(err, errno, "send the terminal to the console socket");
	return 0;
}

int hull_recv_fd(int sock, struct hull_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char name[4096];
	struct iovec iov = {name, sizeof(name)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hull_error(err, errno, "receive the terminal");
	c = CMSG_FIRSTHDR(&mh);
	if (n == 0 || !c || c->cmsg_type != SCM_RIGHTS)
		return hull_error(err, EPROTO, "no terminal received");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}
