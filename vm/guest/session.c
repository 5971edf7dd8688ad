/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A session on one virtio port: an exec (hull.execN: an OPEN frame starts the process) or the
 * main process's terminal (hull.console).  Frames are in proto.h; the process's stdio are
 * pipes, or a pty from the guest's devpts.  Everything is non-blocking: the init serves every
 * session, the control port and the reaping from one loop (workload.c).
 *
 * A port whose host end is closed reports POLLHUP at once and blocks writes, so a session
 * notes whether its host is there; an exec whose host went away (its relay was killed) is
 * killed, as a process whose runtime side is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vm/guest/guest.h"
#include "vm/proto/status.h"

struct guest_session {
	int port;
	struct guest_seccomp *filter; /* the container's, for every exec */
	bool console, host, done;
	pid_t pid;     /* the process, 0 when idle */
	bool exited;   /* reaped: send what is left, then the exit */
	bool draining; /* the exit sent: passing on what background children write, until
			* the end of the output or linger_end (HULL_EXEC_LINGER_MS) */
	struct timespec linger_end;
	int wstatus;
	int in, out, err; /* our ends; a tty has in == out (the master), err -1 */
	bool tty;
	unsigned char rbuf[HULL_FRAME_HDR + HULL_FRAME_MAX];
	size_t rlen;
	unsigned char *pend; /* input the process has not taken yet */
	size_t plen, poff;
	bool pend_eof;
	unsigned char wbuf[HULL_FRAME_HDR + HULL_FRAME_MAX]; /* one frame for the port */
	size_t wlen;
};

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

struct guest_session *guest_session_new(int port, bool console, struct guest_seccomp *filter)
{
	struct guest_session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->port = port;
	s->filter = filter;
	s->console = console;
	s->in = s->out = s->err = -1;
	set_nonblock(port);
	return s;
}

bool guest_session_host(const struct guest_session *s)
{
	return s->host;
}

void guest_session_recheck(struct guest_session *s)
{
	struct pollfd p = {s->port, POLLIN, 0};
	if (poll(&p, 1, 0) >= 0)
		s->host = !(p.revents & POLLHUP);
}

/* The frame in wbuf to the port; kept while the port is full. */
static void send_now(struct guest_session *s)
{
	ssize_t n;
	if (!s->wlen)
		return;
	n = write(s->port, s->wbuf, s->wlen);
	if (n > 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		s->wlen = 0; /* written whole (a frame is one buffer), or nobody to take it */
}

static void queue(struct guest_session *s, char type, const void *data, size_t len)
{
	hull_frame_header(s->wbuf, type, (uint32_t)len);
	if (len && data != s->wbuf + HULL_FRAME_HDR)
		memcpy(s->wbuf + HULL_FRAME_HDR, data, len);
	s->wlen = HULL_FRAME_HDR + len;
	send_now(s);
}

static void queue_text(struct guest_session *s, char type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void queue_text(struct guest_session *s, char type, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	queue(s, type, buf, (size_t)n);
}

static void close_io(struct guest_session *s)
{
	if (s->in >= 0 && s->in != s->out)
		close(s->in);
	if (s->out >= 0)
		close(s->out);
	if (s->err >= 0)
		close(s->err);
	s->in = s->out = s->err = -1;
	free(s->pend);
	s->pend = NULL;
	s->plen = s->poff = 0;
	s->pend_eof = false;
}

/* Forget the process: a new request supersedes it, or its host is gone. */
static void reset(struct guest_session *s)
{
	if (s->pid > 0 && !s->exited) {
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
	}
	close_io(s);
	s->pid = 0;
	s->exited = false;
	s->draining = false;
	s->tty = false;
	s->wlen = 0;
}

/* Milliseconds from now to t (negative once past). */
static long ms_until(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
}

/* A pty on the guest's devpts (the container's /dev/pts when it mounts one): the master, the
 * slave in *slave; -1 with err filled. */
#define NO_PTY "open a terminal in the guest (is devpts mounted on /dev/pts?)"
static int open_pty(unsigned short rows, unsigned short cols, int *slave, struct hull_err *err)
{
	int unlock = 0, m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return hull_error(err, errno, NO_PTY);
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0) {
		hull_error(err, errno, NO_PTY ": unlock it");
		close(m);
		return -1;
	}
	*slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		hull_error(err, errno, NO_PTY ": open its slave");
		close(m);
		return -1;
	}
	if (rows && cols) {
		struct winsize ws = {.ws_row = rows, .ws_col = cols};
		ioctl(m, TIOCSWINSZ, &ws);
	}
	return m;
}

/* The process of an OPEN request, forked on pipes or a pty; the pid once its exec happened.
 * -1 with the reason in err: the exec did not happen.  ctr: a container of the pod to start
 * (start) or to run the process in; NULL: the VM's own container. */
static pid_t start_process(struct guest_session *s, struct guest_config *c,
			   struct guest_pod_ctr *ctr, bool start, struct hull_err *err)
{
	int ep[2] = {-1, -1}, io[6] = {-1, -1, -1, -1, -1, -1}, slave = -1;
	char msg[HULL_ERR_MAX];
	pid_t pid = -1;
	ssize_t n;

	if (c->tty) {
		int m = open_pty(c->rows, c->cols, &slave, err);
		if (m < 0)
			goto out;
		s->in = s->out = m;
	} else if (pipe2(io, O_CLOEXEC) < 0 || pipe2(io + 2, O_CLOEXEC) < 0 ||
		   pipe2(io + 4, O_CLOEXEC) < 0) {
		hull_error(err, errno, "pipes");
		goto out;
	} else {
		s->in = io[1];
		s->out = io[2];
		s->err = io[4];
		io[1] = io[2] = io[4] = -1;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		hull_error(err, errno, "pipe");
		goto out;
	}
	pid = ctr ? guest_pod_fork(ctr, start) : fork();
	if (pid == 0) {
		struct hull_err e = {0};
		if (ctr && guest_pod_enter(ctr, start, &e) < 0) {
			(void)!write(ep[1], e.msg, strlen(e.msg));
			_exit(HULL_EXIT_ERROR);
		}
		if (c->tty)
			guest_become(c, slave, slave, slave, true, ep[1]);
		guest_become(c, io[0], io[3], io[5], false, ep[1]);
	}
	close(ep[1]);
	ep[1] = -1;
	if (pid < 0) {
		hull_error(err, errno, "fork");
		goto out;
	}
	/* the pipe closes at the exec; anything in it is why the exec did not happen */
	do
		n = read(ep[0], msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		msg[n] = 0;
		waitpid(pid, NULL, 0);
		pid = -1;
		hull_error(err, 0, "%s", msg);
	}
out:
	for (int i = 0; i < 6; i++)
		if (io[i] >= 0)
			close(io[i]);
	if (slave >= 0)
		close(slave);
	if (ep[0] >= 0)
		close(ep[0]);
	if (pid < 0)
		close_io(s);
	return pid;
}

static void open_request(struct guest_session *s, const unsigned char *payload, size_t len)
{
	struct hull_err err = {0};
	struct guest_config c, *proc = &c;
	struct guest_pod_ctr *ctr = NULL;
	char *buf = malloc(len + 1);
	pid_t pid;

	reset(s);
	if (!buf)
		return;
	memcpy(buf, payload, len);
	buf[len] = 0;
	if (guest_config_parse(buf, len, &c, &err) < 0) {
		hull_error_wrap(&err, "an invalid exec request");
		queue_text(s, HULL_F_ERROR, HULL_ERROR_FMT, HULL_NONCE_NONE, err.msg);
		free(buf);
		return;
	}
	if (!c.nonce)
		c.nonce = HULL_NONCE_NONE;
	/* OCI: an exec gets the container's filter, which the host sent once in /hull/config */
	if (c.seccomp) {
		queue_text(s, HULL_F_ERROR, HULL_ERROR_FMT, c.nonce,
			   "an exec request carries no seccomp filter");
		goto out;
	}
	c.seccomp = s->filter;
	/* a pod's container: its main process (the process is in its config), or a process in
	 * it, which gets that container's filter */
	if (c.container) {
		ctr = guest_pod_load(c.container, &err);
		proc = ctr ? guest_pod_config(ctr) : NULL;
		/* its terminal, when the host asked for one (process.terminal) */
		if (proc) {
			proc->tty = c.tty;
			proc->rows = c.rows;
			proc->cols = c.cols;
		}
	} else if (c.into) {
		ctr = guest_pod_find(c.into);
		if (!ctr)
			hull_error(&err, ESRCH, "no container `%s` runs in the pod", c.into);
		else
			c.seccomp = guest_pod_config(ctr)->seccomp;
	}
	pid = (c.container || c.into) && !ctr ? -1
					      : start_process(s, proc, ctr, !!c.container, &err);
	c.seccomp = NULL; /* the container's, not ours to free */
	if (pid < 0) {
		if (c.container && ctr)
			guest_pod_forget(ctr);
		queue_text(s, HULL_F_ERROR, HULL_ERROR_FMT, c.nonce, err.msg);
		goto out;
	}
	if (c.container)
		guest_pod_started(ctr, pid);
	s->pid = pid;
	s->tty = proc->tty;
	set_nonblock(s->out);
	if (s->in != s->out)
		set_nonblock(s->in);
	if (s->err >= 0)
		set_nonblock(s->err);
	queue_text(s, HULL_F_STARTED, HULL_STARTED_FMT, c.nonce, pid);
out:
	guest_config_free(&c);
	free(buf);
}

static void flush_stdin(struct guest_session *s)
{
	while (s->in >= 0 && s->poff < s->plen) {
		ssize_t n = write(s->in, s->pend + s->poff, s->plen - s->poff);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			s->poff = s->plen; /* the process closed its input */
			break;
		}
		s->poff += (size_t)n;
	}
	free(s->pend);
	s->pend = NULL;
	s->plen = s->poff = 0;
	/* the end of the input: a pipe closes; a terminal has no end to pass on */
	if (s->pend_eof && !s->tty && s->in >= 0) {
		close(s->in);
		s->in = -1;
	}
	s->pend_eof = false;
}

static void frame(struct guest_session *s, char type, const unsigned char *data, size_t len)
{
	char text[64]; /* WINSIZE and SIGNAL: a few digits */
	snprintf(text, sizeof(text), "%.*s", (int)(len < sizeof(text) - 1 ? len : sizeof(text) - 1),
		 (const char *)data);
	switch (type) {
	case HULL_F_OPEN:
		if (!s->console)
			open_request(s, data, len);
		break;
	case HULL_F_STDIN:
		/* a terminal takes input before its process runs, as a pty does */
		if ((!s->pid && !s->console) || s->exited || s->in < 0)
			break;
		if (!len) {
			s->pend_eof = true;
		} else {
			s->pend = malloc(len);
			if (!s->pend)
				break;
			memcpy(s->pend, data, len);
			s->plen = len;
		}
		flush_stdin(s);
		break;
	case HULL_F_WINSIZE: {
		unsigned int rows, cols;
		struct winsize ws = {0};
		if (s->tty && s->out >= 0 && sscanf(text, HULL_WINSIZE_FMT, &rows, &cols) == 2) {
			ws.ws_row = (unsigned short)rows;
			ws.ws_col = (unsigned short)cols;
			ioctl(s->out, TIOCSWINSZ, &ws);
		}
		break;
	}
	case HULL_F_SIGNAL: {
		int sig;
		if (s->pid > 0 && !s->exited && sscanf(text, HULL_SIGNAL_FMT, &sig) == 1)
			kill(s->pid, sig);
		break;
	}
	default:
		break;
	}
}

/* The frames read so far, in order; stops while the process has input to take. */
static void process_input(struct guest_session *s)
{
	while (s->rlen && !s->plen) {
		char type;
		uint32_t len;
		long r = hull_frame_parse(s->rbuf, s->rlen, &type, &len);
		size_t skip = 1;
		if (r == 0)
			break;
		if (r < 0) {
			/* the rest of a frame from a host that died: skip to the next magic */
			while (skip < s->rlen && s->rbuf[skip] != HULL_FRAME_MAGIC0)
				skip++;
		} else {
			frame(s, type, s->rbuf + HULL_FRAME_HDR, len);
			skip = (size_t)r;
		}
		memmove(s->rbuf, s->rbuf + skip, s->rlen - skip);
		s->rlen -= skip;
	}
}

/* One read of the process's output into a frame; false when nothing is there now. */
static bool pump_output(struct guest_session *s, bool err)
{
	int *fd = err ? &s->err : &s->out;
	ssize_t n;
	if (*fd < 0 || s->wlen)
		return false;
	n = read(*fd, s->wbuf + HULL_FRAME_HDR, HULL_FRAME_MAX);
	if (n > 0) {
		queue(s, err ? HULL_F_STDERR : HULL_F_STDOUT, s->wbuf + HULL_FRAME_HDR, (size_t)n);
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	/* the end, or EIO: a pty whose slave is closed everywhere */
	if (s->in == *fd)
		s->in = -1;
	close(*fd);
	*fd = -1;
	return false;
}

/* After the exit: what background children still write to the process's stdout and
 * stderr goes on to the host until both end or the linger is over; then DONE, and the
 * session is idle (a child still writing then gets EPIPE, as from a reader that went away). */
static void drain(struct guest_session *s)
{
	if (s->wlen || ((s->out >= 0 || s->err >= 0) && ms_until(&s->linger_end) > 0))
		return;
	queue(s, HULL_F_DONE, NULL, 0);
	close_io(s);
	s->pid = 0;
	s->exited = false;
	s->draining = false;
}

/* The process was reaped: pass on what it wrote (what is there now: a background child
 * keeping the pipe open does not hold the exit back), then its exit, then drain. */
static void finish(struct guest_session *s)
{
	if (s->draining) {
		drain(s);
		return;
	}
	while (!s->wlen && (pump_output(s, false) || pump_output(s, true)))
		;
	if (s->wlen)
		return;
	if (s->console) {
		s->done = true;
		return;
	}
	{
		char st[HULL_STATUS_MAX];
		int n = WIFSIGNALED(s->wstatus)
				? hull_status_format(st, sizeof(st), 0, WTERMSIG(s->wstatus))
				: hull_status_format(st, sizeof(st), WEXITSTATUS(s->wstatus), 0);
		queue(s, HULL_F_EXIT, st, (size_t)n);
	}
	/* the input ends with the process (a terminal's master is also its output) */
	if (s->in >= 0 && s->in != s->out)
		close(s->in);
	s->in = -1;
	free(s->pend);
	s->pend = NULL;
	s->plen = s->poff = 0;
	s->draining = true;
	clock_gettime(CLOCK_MONOTONIC, &s->linger_end);
	s->linger_end.tv_sec += HULL_EXEC_LINGER_MS / 1000;
	s->linger_end.tv_nsec += (HULL_EXEC_LINGER_MS % 1000) * 1000000L;
	if (s->linger_end.tv_nsec >= 1000000000L) {
		s->linger_end.tv_sec++;
		s->linger_end.tv_nsec -= 1000000000L;
	}
	drain(s);
}

int guest_session_timeout(const struct guest_session *s)
{
	long ms;
	if (!s->draining || (s->out < 0 && s->err < 0))
		return -1;
	ms = ms_until(&s->linger_end);
	return ms < 0 ? 0 : (int)ms + 1;
}

int guest_session_poll(struct guest_session *s, struct pollfd *p)
{
	int n = 0;
	if (s->host)
		p[n++] = (struct pollfd){
			s->port, (short)((s->plen ? 0 : POLLIN) | (s->wlen ? POLLOUT : 0)), 0};
	if (s->pid && s->plen && s->in >= 0)
		p[n++] = (struct pollfd){s->in, POLLOUT, 0};
	if (s->pid && (!s->exited || s->draining) && !s->wlen) {
		if (s->out >= 0)
			p[n++] = (struct pollfd){s->out, POLLIN, 0};
		if (s->err >= 0)
			p[n++] = (struct pollfd){s->err, POLLIN, 0};
	}
	return n;
}

void guest_session_handle(struct guest_session *s, const struct pollfd *p, int n)
{
	for (int i = 0; i < n; i++) {
		short ev = p[i].revents;
		if (!ev)
			continue;
		if (p[i].fd == s->port) {
			if (ev & POLLOUT)
				send_now(s);
			ssize_t r = -1;
			if (ev & POLLIN) {
				r = read(s->port, s->rbuf + s->rlen, sizeof(s->rbuf) - s->rlen);
				if (r > 0)
					s->rlen += (size_t)r;
				process_input(s);
			}
			/* a port reads its end (0) when its host end is closed */
			if ((ev & POLLHUP) && r <= 0) {
				/* the host end went away */
				s->host = false;
				s->rlen = 0;
				if (!s->console)
					reset(s);
				return;
			}
		} else if (p[i].fd == s->in && s->plen) {
			flush_stdin(s);
			process_input(s);
		} else if (p[i].fd == s->out || p[i].fd == s->err) {
			pump_output(s, p[i].fd == s->err);
		}
	}
	if (s->exited)
		finish(s);
}

bool guest_session_reaped(struct guest_session *s, pid_t pid, int wstatus)
{
	if (!s->pid || s->pid != pid || s->exited)
		return false;
	s->exited = true;
	s->wstatus = wstatus;
	finish(s);
	return true;
}

bool guest_session_done(const struct guest_session *s)
{
	return s->done;
}

void guest_session_attach(struct guest_session *s, pid_t pid)
{
	s->pid = pid;
}

int guest_session_console_pty(struct guest_session *s, int *slave, struct hull_err *err)
{
	int m = open_pty(0, 0, slave, err);
	struct pollfd p = {s->port, POLLIN, 0};

	if (m < 0)
		return -1;
	s->in = s->out = m;
	s->tty = true;
	s->host = true;
	/* the host's relay sends the window size first: the process starts with it */
	for (;;) {
		char type;
		uint32_t len;
		if (hull_frame_parse(s->rbuf, s->rlen, &type, &len) != 0 ||
		    poll(&p, 1, 5000) <= 0 || !(p.revents & POLLIN))
			break;
		ssize_t r = read(s->port, s->rbuf + s->rlen, sizeof(s->rbuf) - s->rlen);
		if (r <= 0)
			break;
		s->rlen += (size_t)r;
	}
	process_input(s);
	set_nonblock(m);
	return 0;
}
