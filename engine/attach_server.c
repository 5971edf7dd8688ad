/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/attach_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/util.h"

/* how long a client may keep the monitor waiting before it is dropped */
#define SEND_TIMEOUT_S 5
#define CLIENT_SNDBUF  (1 << 20)

int hull_attach_srv_open(struct hull_attach_srv *s, const struct hull_engine *e, const char *id,
			 struct hull_err *err)
{
	cleanup_free char *dir = hull_ctr_dir(e, id);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(s, 0, sizeof(*s));
	s->lfd = -1;
	s->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return hull_error(err, errno, "open %s", dir);
	unlinkat(s->dirfd, HULL_ATTACH_SOCKET, 0);
	/* the container directory's path may be longer than sun_path */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", s->dirfd,
		 HULL_ATTACH_SOCKET);
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->lfd, HULL_ATTACH_MAX_CLIENTS) < 0) {
		hull_error(err, errno, "listen on %s/%s", dir, HULL_ATTACH_SOCKET);
		hull_attach_srv_close(s);
		return -1;
	}
	return 0;
}

void hull_attach_srv_add(struct hull_attach_srv *s, int fd)
{
	struct timeval tv = {.tv_sec = SEND_TIMEOUT_S};
	int sz = CLIENT_SNDBUF;

	if (s->n == HULL_ATTACH_MAX_CLIENTS) {
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	s->clients[s->n++] = fd;
}

void hull_attach_srv_accept(struct hull_attach_srv *s)
{
	int fd;

	while (s->lfd >= 0 && (fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		hull_attach_srv_add(s, fd);
}

void hull_attach_srv_drop(struct hull_attach_srv *s, size_t i)
{
	if (i >= s->n)
		return;
	close(s->clients[i]);
	s->clients[i] = s->clients[--s->n];
}

void hull_attach_srv_send(struct hull_attach_srv *s, enum hull_attach_frame type, const void *buf,
			  size_t n)
{
	const char *p = buf;

	do {
		size_t len = n > HULL_ATTACH_FRAME_MAX ? HULL_ATTACH_FRAME_MAX : n;
		unsigned char t = (unsigned char)type;
		for (size_t i = 0; i < s->n;) {
			struct iovec iov[2] = {{&t, 1}, {(void *)p, len}};
			struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
			ssize_t r;
			while ((r = sendmsg(s->clients[i], &mh, MSG_NOSIGNAL)) < 0 &&
			       errno == EINTR)
				;
			if (r < 0)
				hull_attach_srv_drop(s, i);
			else
				i++;
		}
		p += len;
		n -= len;
	} while (n > 0);
}

void hull_attach_srv_end(struct hull_attach_srv *s, int status)
{
	char code[16];

	snprintf(code, sizeof(code), "%d", status);
	hull_attach_srv_send(s, HULL_FRAME_EXIT, code, strlen(code));
	while (s->n)
		hull_attach_srv_drop(s, s->n - 1);
}

void hull_attach_srv_close(struct hull_attach_srv *s)
{
	while (s->n)
		hull_attach_srv_drop(s, s->n - 1);
	if (s->lfd >= 0) {
		close(s->lfd);
		s->lfd = -1;
	}
	if (s->dirfd >= 0) {
		unlinkat(s->dirfd, HULL_ATTACH_SOCKET, 0);
		close(s->dirfd);
		s->dirfd = -1;
	}
}
