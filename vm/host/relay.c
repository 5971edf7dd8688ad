/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host end of a session (vm/proto/proto.h): a process that copies between local fds (the
 * caller's stdio, or the slave of the pty the caller holds the master of) and one virtio-serial
 * port of the VM.  For an exec it is the process the caller sees: its pid is the exec's pid,
 * the signals it gets go to the process in the guest, and it ends as that process ended.
 * Killing it closes the port, and the guest kills the process.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "vm/proto/proto.h"
#include "vm/host/host.h"
#include "vm/proto/status.h"

static const int relayed[] = {SIGHUP,  SIGINT,	SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
			      SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM, SIGWINCH};

int hull_vm_send_frame(int sock, char type, const void *data, size_t len)
{
	unsigned char buf[HULL_FRAME_HDR + HULL_FRAME_MAX];
	if (len > HULL_FRAME_MAX)
		return errno = EMSGSIZE, -1;
	hull_frame_header(buf, type, (uint32_t)len);
	if (len)
		memcpy(buf + HULL_FRAME_HDR, data, len);
	return hull_write_all(sock, buf, HULL_FRAME_HDR + len) < 0 ? -1 : 0;
}

/* Frames for the port, written as the port takes them: a relay blocked on a full port would
 * stop reading it, and the guest, whose process waits for its output to be read, would stop
 * taking input: each side waiting for the other. */
struct outq {
	unsigned char *p;
	size_t len, cap;
};

#define OUTQ_HIGH (4 * HULL_FRAME_MAX) /* stop reading input above this */

static void enqueue(struct outq *q, char type, const void *data, size_t len)
{
	if (q->len + HULL_FRAME_HDR + len > q->cap) {
		q->cap = (q->len + HULL_FRAME_HDR + len) * 2;
		q->p = xrealloc(q->p, q->cap);
	}
	hull_frame_header(q->p + q->len, type, (uint32_t)len);
	if (len)
		memcpy(q->p + q->len + HULL_FRAME_HDR, data, len);
	q->len += HULL_FRAME_HDR + len;
}

static int flush(int sock, struct outq *q)
{
	while (q->len) {
		ssize_t n = send(sock, q->p, q->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		memmove(q->p, q->p + n, q->len - (size_t)n);
		q->len -= (size_t)n;
	}
	return 0;
}

/* The window size of the pty as a WINSIZE frame (nothing while it is 0x0). */
static void enqueue_winsize(struct outq *q, int tty)
{
	struct winsize ws;
	char text[32];
	if (ioctl(tty, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return;
	snprintf(text, sizeof(text), HULL_WINSIZE_FMT, ws.ws_row, ws.ws_col);
	enqueue(q, HULL_F_WINSIZE, text, strlen(text));
}

/* End as the process in the guest ended: by its signal (no core), or with its code. */
__attribute__((noreturn)) static void end_as(int code, int sig)
{
	if (sig > 0 && sig < NSIG) {
		struct rlimit none = {0, 0};
		sigset_t set;
		setrlimit(RLIMIT_CORE, &none);
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	_exit(code & 0xff);
}

/* How the process in the guest ended (EXIT), and whether its output is all here (DONE). */
struct ending {
	bool exited, done;
	int code, sig;
};

/* Handle the whole frames at the start of buf; returns how many bytes they took. */
static size_t frames(const struct hull_vm_relay *r, const unsigned char *buf, size_t n,
		     struct ending *e)
{
	size_t off = 0;
	while (off < n) {
		char type, text[HULL_STATUS_MAX];
		uint32_t len;
		long f = hull_frame_parse(buf + off, n - off, &type, &len);
		const unsigned char *data = buf + off + HULL_FRAME_HDR;
		int v;
		if (f == 0)
			break;
		if (f < 0) {
			off++; /* not a frame: resynchronise on the next magic */
			continue;
		}
		off += (size_t)f;
		switch (type) {
		case HULL_F_STDOUT:
		case HULL_F_STDERR:
			/* a reader that went away loses the output, the process goes on */
			(void)hull_write_all(type == HULL_F_STDERR && !r->tty ? r->err : r->out,
					     data, len);
			break;
		case HULL_F_EXIT:
			snprintf(text, sizeof(text), "%.*s",
				 (int)(len < sizeof(text) - 1 ? len : sizeof(text) - 1), data);
			e->exited = true;
			e->code = 255;
			e->sig = 0;
			switch (hull_status_parse(text, &v)) {
			case HULL_STATUS_SIGNALED:
				e->code = 0, e->sig = v;
				break;
			case HULL_STATUS_EXITED:
				e->code = v;
				break;
			default:
				break;
			}
			break;
		case HULL_F_DONE:
			e->done = true;
			break;
		default:
			break; /* an answer to a request of an earlier session on this port */
		}
	}
	return off;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The exit is known and the output may go on (vm/proto/proto.h, HULL_EXEC_LINGER_MS): the
 * caller gets the status now from our pid, while a forked drainer keeps the port (and its
 * lock) and goes on copying the output to the same stdout and stderr until DONE, the port's
 * end, or a little more than the guest's linger.  A caller's pipe then stays open while
 * there is output to come, as it does for a container's background children. */
__attribute__((noreturn)) static void exit_and_drain(const struct hull_vm_relay *r,
						     unsigned char *buf, size_t size, size_t len,
						     const struct ending *e)
{
	long deadline = now_ms() + HULL_EXEC_LINGER_MS + 2000;
	struct ending more = *e;

	if (e->done || fork() != 0)
		end_as(e->code, e->sig);
	while (!more.done) {
		struct pollfd p = {r->sock, POLLIN, 0};
		long left = deadline - now_ms();
		ssize_t n;
		size_t i;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 ||
		    (n = read(r->sock, buf + len, size - len)) <= 0)
			break;
		len += (size_t)n;
		i = frames(r, buf, len, &more);
		memmove(buf, buf + i, len - i);
		len -= i;
	}
	_exit(0);
}

__attribute__((noreturn)) void hull_vm_relay(const struct hull_vm_relay *r,
					     const unsigned char *pre, size_t pre_len)
{
	static unsigned char buf[2 * (HULL_FRAME_HDR + HULL_FRAME_MAX)];
	size_t len = 0, i;
	bool in_open = r->in >= 0;
	struct outq q = {0};
	struct ending e = {0};
	sigset_t set;
	int sfd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(relayed); i++)
		sigaddset(&set, relayed[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (r->tty) {
		/* the controlling process of the pty: a resize of the master reaches us as
		 * SIGWINCH, the caller hanging up as SIGHUP */
		setsid();
		ioctl(r->out, TIOCSCTTY, 0);
		enqueue_winsize(&q, r->out);
	} else {
		setsid(); /* signals reach us only by pid, once: not also through a group */
	}
	if (pre_len) {
		memcpy(buf, pre, pre_len);
		len = pre_len;
		i = frames(r, buf, len, &e);
		memmove(buf, buf + i, len - i);
		len -= i;
		if (e.exited)
			exit_and_drain(r, buf, sizeof(buf), len, &e);
	}
	for (;;) {
		struct pollfd p[3] = {{r->sock, (short)(POLLIN | (q.len ? POLLOUT : 0)), 0},
				      {sfd, POLLIN, 0},
				      {r->in, POLLIN, 0}};
		bool reading = in_open && q.len < OUTQ_HIGH;
		ssize_t n;

		if (flush(r->sock, &q) < 0)
			break;
		p[0].events = (short)(POLLIN | (q.len ? POLLOUT : 0));
		if (poll(p, reading ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(r->sock, buf + len, sizeof(buf) - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
			i = frames(r, buf, len, &e);
			memmove(buf, buf + i, len - i);
			len -= i;
			if (e.exited)
				exit_and_drain(r, buf, sizeof(buf), len, &e);
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				char text[16];
				if (si.ssi_signo == SIGWINCH) {
					if (r->tty)
						enqueue_winsize(&q, r->out);
				} else {
					snprintf(text, sizeof(text), HULL_SIGNAL_FMT,
						 (int)si.ssi_signo);
					enqueue(&q, HULL_F_SIGNAL, text, strlen(text));
				}
			}
		}
		if (reading && p[2].revents) {
			unsigned char data[HULL_FRAME_MAX];
			n = read(r->in, data, sizeof(data));
			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0) {
				enqueue(&q, HULL_F_STDIN, data, (size_t)n);
			} else {
				/* the end of the input (a pty: the caller closed the master) */
				in_open = false;
				if (!r->tty)
					enqueue(&q, HULL_F_STDIN, NULL, 0);
			}
		}
	}
	/* the port closed without an exit: the VM is gone, and the process with it */
	if (r->console)
		_exit(0);
	end_as(0, SIGKILL);
}
