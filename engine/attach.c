/* SPDX-License-Identifier: Apache-2.0 */
/* The client side of the attach socket (engine/attach.h): `hull attach`, `hull start -a`. */
#include "engine/attach.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/tty.h"
#include "lib/util.h"
#include "runtime/container.h"

/* the signals an attached client passes on, as docker's --sig-proxy */
static const int proxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

int hull_detach_keys_parse(const char *s, struct hull_detach_keys *k, struct hull_err *err)
{
	cleanup_free char *copy = xstrdup(s);
	char *save = NULL;

	memset(k, 0, sizeof(*k));
	if (!*s)
		return 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned char key;
		if (strlen(t) == 1) {
			key = (unsigned char)t[0];
		} else if (strlen(t) == 6 && !strncasecmp(t, "ctrl-", 5)) {
			char c = t[5];
			if (isalpha((unsigned char)c))
				key = (unsigned char)(tolower((unsigned char)c) - 'a' + 1);
			else if (strchr("@[\\]^_", c))
				key = (unsigned char)(c - '@');
			else
				goto bad;
		} else {
			goto bad;
		}
		if (k->len == HULL_DETACH_KEYS_MAX)
			return hull_error(err, EINVAL, "invalid detach keys `%s`: at most %d keys",
					  s, HULL_DETACH_KEYS_MAX);
		k->seq[k->len++] = key;
		continue;
	bad:
		return hull_error(err, EINVAL,
				  "invalid detach keys `%s`: `%s` is neither one character nor "
				  "ctrl-<a-z, @, [, \\, ], ^ or _>",
				  s, t);
	}
	if (!k->len)
		return hull_error(err, EINVAL, "invalid detach keys `%s`", s);
	return 0;
}

bool hull_detach_feed(struct hull_detach_keys *k, const unsigned char *in, size_t n,
		      unsigned char *out, size_t *out_n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = in[i];
		if (k->len && c != k->seq[k->matched] && k->matched) {
			/* not the sequence after all: what was held back goes on */
			memcpy(out + o, k->seq, k->matched);
			o += k->matched;
			k->matched = 0;
		}
		if (k->len && c == k->seq[k->matched]) {
			if (++k->matched == k->len) {
				k->matched = 0;
				*out_n = o;
				return true;
			}
			continue;
		}
		out[o++] = c;
	}
	*out_n = o;
	return false;
}

int hull_attach_connect(const struct hull_engine *e, const char *id, struct hull_err *err)
{
	cleanup_free char *dir = hull_ctr_dir(e, id);
	cleanup_close int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (dfd < 0)
		return hull_error(err, errno, "open %s", dir);
	/* the container directory's path may be longer than sun_path */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, HULL_ATTACH_SOCKET);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hull_error(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e2 = errno;
		close(fd);
		if (e2 == ENOENT || e2 == ECONNREFUSED)
			return hull_error(err, e2,
					  "container %.12s has no monitor to attach to (it is not "
					  "running, or its monitor was killed)",
					  id);
		return hull_error(err, e2, "connect to the monitor of %.12s", id);
	}
	return fd;
}

static int send_frame(int fd, enum hull_attach_frame type, const void *buf, size_t n)
{
	unsigned char t = (unsigned char)type;
	struct iovec iov[2] = {{&t, 1}, {(void *)buf, n}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = n ? 2 : 1};

	while (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static void send_size(int fd)
{
	struct winsize ws;
	uint16_t rc[2];

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	rc[0] = ws.ws_row;
	rc[1] = ws.ws_col;
	send_frame(fd, HULL_FRAME_RESIZE, rc, sizeof(rc));
}

struct client {
	const struct hull_engine *e;
	const struct hull_ctr *c;
	const struct hull_attach_opts *o;
	struct hull_detach_keys keys;
	bool stdin_open, done;
	enum hull_attach_end end;
	int status;
};

/* a frame from the monitor; false when the connection ended */
static bool from_monitor(struct client *cl, struct hull_err *err)
{
	static unsigned char buf[HULL_ATTACH_FRAME_MAX + 2];
	ssize_t n = recv(cl->o->fd, buf, HULL_ATTACH_FRAME_MAX + 1, 0);

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0) {
		hull_error(err, n < 0 ? errno : EPIPE,
			   "the monitor of container %s went away before the container ended",
			   cl->c->name);
		return false;
	}
	switch (buf[0]) {
	case HULL_FRAME_STDOUT:
		hull_write_all(STDOUT_FILENO, buf + 1, (size_t)n - 1);
		break;
	case HULL_FRAME_STDERR:
		hull_write_all(STDERR_FILENO, buf + 1, (size_t)n - 1);
		break;
	case HULL_FRAME_EXIT:
		buf[n] = '\0';
		cl->status = atoi((char *)buf + 1);
		cl->end = HULL_ATTACH_EXITED;
		cl->done = true;
		break;
	default:
		break;
	}
	return true;
}

static void from_stdin(struct client *cl)
{
	unsigned char in[HULL_ATTACH_FRAME_MAX - HULL_DETACH_KEYS_MAX];
	unsigned char out[HULL_ATTACH_FRAME_MAX];
	ssize_t n = read(STDIN_FILENO, in, sizeof(in));
	size_t on = 0;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		cl->stdin_open = false;
		send_frame(cl->o->fd, HULL_FRAME_STDIN_EOF, NULL, 0);
		return;
	}
	/* as docker: the detach keys only on a terminal */
	if (cl->c->tty && hull_detach_feed(&cl->keys, in, (size_t)n, out, &on)) {
		if (on)
			send_frame(cl->o->fd, HULL_FRAME_STDIN, out, on);
		cl->end = HULL_ATTACH_DETACHED;
		cl->done = true;
		return;
	}
	if (!cl->c->tty) {
		memcpy(out, in, (size_t)n);
		on = (size_t)n;
	}
	if (on)
		send_frame(cl->o->fd, HULL_FRAME_STDIN, out, on);
}

static void on_signal(struct client *cl, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGWINCH)
			send_size(cl->o->fd);
		else
			hull_container_kill(cl->e->runroot, cl->c->id, (int)si.ssi_signo, false,
					    NULL);
	}
}

int hull_attach(const struct hull_engine *e, const struct hull_ctr *c,
		const struct hull_attach_opts *o, enum hull_attach_end *end, int *status,
		struct hull_err *err)
{
	struct client cl = {.e = e, .c = c, .o = o, .stdin_open = o->stdin};
	struct hull_tty_mode mode = {0};
	sigset_t set, old;
	int sfd, rc = 0;

	if (hull_detach_keys_parse(o->detach_keys ? o->detach_keys : HULL_DETACH_KEYS_DEFAULT,
				   &cl.keys, err) < 0) {
		close(o->fd);
		return -1;
	}
	sigemptyset(&set);
	if (c->tty)
		sigaddset(&set, SIGWINCH);
	else if (o->sig_proxy)
		for (size_t i = 0; i < ARRAY_SIZE(proxied); i++)
			sigaddset(&set, proxied[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (c->tty && isatty(STDIN_FILENO)) {
		send_size(o->fd);
		if (o->stdin)
			hull_tty_raw(STDIN_FILENO, true, &mode);
	}
	while (!cl.done) {
		struct pollfd p[3] = {{.fd = o->fd, .events = POLLIN},
				      {.fd = cl.stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
				      {.fd = sfd, .events = POLLIN}};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = hull_error(err, errno, "poll");
			break;
		}
		if (p[0].revents && !from_monitor(&cl, err)) {
			rc = -1;
			break;
		}
		if (!cl.done && p[1].revents)
			from_stdin(&cl);
		if (p[2].revents)
			on_signal(&cl, sfd);
	}
	hull_tty_restore(STDIN_FILENO, &mode);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(o->fd);
	*end = cl.end;
	*status = cl.status;
	return rc;
}
