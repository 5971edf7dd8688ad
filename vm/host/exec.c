/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec into a VM container, and the main process's terminal.  An exec claims one of the VM's
 * exec ports (hull.exec<N>: QEMU listens on vm-exec<N>.sock in the state directory) with an
 * OFD lock on byte N of vm-exec.lock, sends the process as an OPEN frame, and once the guest
 * answers that it runs, forks the relay (relay.c) that carries the session and holds the lock
 * until it ends.  Frames: vm/proto/proto.h; the design: vm/README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/tty.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/container.h"
#include "runtime/foreground.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"
#include "vm/proto/proto.h"
#include "vm/host/host.h"

/* A guest still booting answers once its init runs: allow for a slow (TCG) boot. */
#define OPEN_TIMEOUT_MS 60000
/* How long an exec waits for a free port when all are taken. */
#define CLAIM_TIMEOUT_MS 30000

int hull_vm_open_pty(unsigned int rows, unsigned int cols, int *slave, struct hull_err *err)
{
	int unlock = 0, m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (m < 0)
		return hull_error(err, errno, "open /dev/ptmx");
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0) {
		hull_error(err, errno, "unlock the pty");
		close(m);
		return -1;
	}
	*slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		hull_error(err, errno, "open the pty's slave");
		close(m);
		return -1;
	}
	/* raw: the guest's pty echoes and cooks; doing it here too would do it twice */
	hull_tty_raw(*slave, false, NULL);
	if (rows && cols) {
		struct winsize ws = {.ws_row = (unsigned short)rows,
				     .ws_col = (unsigned short)cols};
		ioctl(m, TIOCSWINSZ, &ws);
	}
	return m;
}

static void close_others(const int *keep, size_t n)
{
	for (int fd = 3; fd < 4096; fd++) {
		bool k = false;
		for (size_t i = 0; i < n; i++)
			k = k || keep[i] == fd;
		if (!k)
			close(fd);
	}
}

int hull_vm_console_open(const struct hull_init_ctx *ctx, int *slave, struct hull_err *err)
{
	const struct hull_process *p = ctx->spec->process;
	char name[64] = "";
	int m = hull_vm_open_pty(p->console_height, p->console_width, slave, err);

	if (m < 0)
		return -1;
	ptsname_r(m, name, sizeof(name));
	if (hull_send_fd(ctx->console_fd, m, name, err) < 0) {
		close(m);
		close(*slave);
		return -1;
	}
	close(m);
	return 0;
}

int hull_vm_console_relay(int slave, struct hull_err *err)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return hull_error(err, errno, "socketpair for the terminal");
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return hull_error(err, errno, "fork the terminal's relay");
	}
	if (pid == 0) {
		/* nothing of the init may stay open here (the sync socket's end tells run that
		 * QEMU started); the end of the port (QEMU gone) ends the relay */
		struct hull_vm_relay r = {.sock = sv[1],
					  .in = slave,
					  .out = slave,
					  .err = slave,
					  .tty = true,
					  .console = true};
		int keep[] = {sv[1], slave};
		close_others(keep, ARRAY_SIZE(keep));
		for (int fd = 0; fd < 3; fd++)
			if (fd != sv[1] && fd != slave)
				close(fd);
		hull_vm_relay(&r, NULL, 0);
	}
	close(sv[1]);
	close(slave);
	fcntl(sv[0], F_SETFD, 0); /* QEMU is exec'd with it */
	return sv[0];
}

/* The pty's size as it is now (consoleSize, or what the caller set on the master), for the
 * guest's side of it; nothing without a terminal. */
static void tty_size_record(struct hull_vm_buf *b, int tty)
{
	struct winsize ws = {0};
	char rows[16], cols[16];

	if (tty < 0)
		return;
	ioctl(tty, TIOCGWINSZ, &ws);
	snprintf(rows, sizeof(rows), "%u", ws.ws_row);
	snprintf(cols, sizeof(cols), "%u", ws.ws_col);
	hull_vm_rec(b, HULL_REC_TTY, rows, cols);
}

/* The OPEN frame's payload: the process in /hull/config's records (vm/README.md), or the
 * pod's container to start. */
static char *request(const struct hull_vm_session_req *q, const char *nonce, size_t *len,
		     struct hull_err *err)
{
	struct hull_vm_buf b = {0};
	int tty = q->tty;

	hull_vm_rec(&b, HULL_REC_NONCE, nonce);
	if (q->start) {
		hull_vm_rec(&b, HULL_REC_CONTAINER, q->start);
		tty_size_record(&b, tty);
		*len = b.len;
		return b.p;
	}
	if (q->into)
		hull_vm_rec(&b, HULL_REC_INTO, q->into);
	/* no seccomp record: the guest gives an exec the container's filter, as OCI wants */
	if (hull_vm_process_records(&b, q->p, err) < 0) {
		free(b.p);
		return NULL;
	}
	tty_size_record(&b, tty);
	*len = b.len;
	return b.p;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A free exec port of ports: its number, the lock held through *lockfd. */
static int claim_port(int dirfd, int ports, int *lockfd, struct hull_err *err)
{
	long deadline = now_ms() + CLAIM_TIMEOUT_MS;

	*lockfd = openat(dirfd, HULL_VM_EXEC_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*lockfd < 0)
		return hull_error(err, errno, "open `%s`", HULL_VM_EXEC_LOCK);
	do {
		for (int i = 0; i < ports; i++) {
			struct flock fl = {
				.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = i, .l_len = 1};
			if (fcntl(*lockfd, F_OFD_SETLK, &fl) == 0)
				return i;
			if (errno != EAGAIN && errno != EACCES)
				return hull_error(err, errno, "lock `%s`", HULL_VM_EXEC_LOCK);
		}
		usleep(100000);
	} while (now_ms() < deadline);
	return hull_error(err, EBUSY, "all %d exec channels of the VM are in use", ports);
}

int hull_vm_port_connect(int dirfd, pid_t vmm, int ports, int *lockfd, struct hull_err *err)
{
	char name[32];
	int port = claim_port(dirfd, ports, lockfd, err), sock;

	if (port < 0)
		return -1;
	snprintf(name, sizeof(name), HULL_VM_EXEC_SOCK, port);
	sock = hull_vm_connect(dirfd, name, vmm, OPEN_TIMEOUT_MS, err);
	if (sock < 0) {
		close(*lockfd);
		*lockfd = -1;
	}
	return sock;
}

/* The errno of a guest's failed exec, from its message "exec `X`: <strerror>" (the guest's
 * libc and ours word them alike, the guest in lowercase as runc does): hull exec's 127 and
 * 126 depend on it. */
static int exec_errno(const char *msg)
{
	static const int known[] = {ENOENT, ENOTDIR, EACCES, ENOEXEC, EPERM};
	size_t len = strlen(msg);

	if (!hull_has_prefix(msg, "exec `"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		const char *s = strerror(known[i]);
		size_t n = strlen(s);
		if (len > n + 2 && !strcasecmp(msg + len - n, s) &&
		    !strncmp(msg + len - n - 2, ": ", 2))
			return known[i];
	}
	return 0;
}

/* Send the request and wait for the guest's answer to it (frames of an earlier session on the
 * port are skipped).  What came after the answer is left in buf (*len bytes) for the relay. */
int hull_vm_session_open(int sock, const struct hull_vm_session_req *q, unsigned char *buf,
			 size_t size, size_t *len, struct hull_err *err)
{
	unsigned long long r = 0;
	char nonce[32];
	size_t req_len, off = 0;
	cleanup_free char *req = NULL;
	long deadline = now_ms() + OPEN_TIMEOUT_MS;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned long long)now_ms() ^ (unsigned long long)getpid() << 32;
	snprintf(nonce, sizeof(nonce), "%llx", r);
	req = request(q, nonce, &req_len, err);
	if (!req)
		return -1;
	if (req_len > HULL_FRAME_MAX)
		return hull_error(err, E2BIG, "the process (args and env) is too large for the VM");
	if (hull_vm_send_frame(sock, HULL_F_OPEN, req, req_len) < 0)
		return hull_error(err, errno, "send the process to the VM");
	*len = 0;
	for (;;) {
		char type;
		uint32_t flen;
		long f = hull_frame_parse(buf + off, *len - off, &type, &flen);
		if (f < 0) {
			off++;
			continue;
		}
		if (f > 0) {
			const char *data = (const char *)buf + off + HULL_FRAME_HDR, *answer;
			off += (size_t)f;
			if ((type != HULL_F_STARTED && type != HULL_F_ERROR) ||
			    !(answer = hull_answer_for(nonce, data, flen)))
				continue;
			/* (the message is in buf: taken before buf moves) */
			if (type == HULL_F_ERROR) {
				hull_error(err, 0, "%.*s", (int)(flen - (size_t)(answer - data)),
					   answer);
				err->errnum = exec_errno(err->msg);
				return -1;
			}
			memmove(buf, buf + off, *len - off);
			*len -= off;
			return 0;
		}
		memmove(buf, buf + off, *len - off);
		*len -= off;
		off = 0;
		{
			struct pollfd pf = {sock, POLLIN, 0};
			long left = deadline - now_ms();
			ssize_t n;
			int pr = left > 0 ? poll(&pf, 1, (int)left) : 0;
			if (pr < 0 && errno == EINTR)
				continue;
			if (pr <= 0)
				return hull_error(err, pr < 0 ? errno : ETIMEDOUT,
						  "no answer from the guest on its exec channel");
			n = read(sock, buf + *len, size - *len);
			if (n <= 0)
				return hull_error(err, n < 0 ? errno : ECONNRESET,
						  "the VM closed its exec channel");
			*len += (size_t)n;
		}
	}
}

struct exec_fds {
	int dirfd, lockfd, sock, master, slave, console;
};

static void close_fds(struct exec_fds *f)
{
	int *all[] = {&f->dirfd, &f->lockfd, &f->sock, &f->master, &f->slave, &f->console};
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (*all[i] >= 0) {
			close(*all[i]);
			*all[i] = -1;
		}
}

int hull_vm_exec_process(const struct hull_exec_opts *o, const struct hull_state *st,
			 const struct hull_process *p, int *status, struct hull_err *err)
{
	cleanup_free char *dir = hull_state_dir(o->root, o->id);
	struct hull_vm_target t = {.dir = dir,
				   .vmm = st->pid,
				   .ports = hull_vm_exec_ports(st->annotations, st->n_annotations)};
	return hull_vm_exec_in(o, st, &t, p, status, err);
}

int hull_vm_exec_in(const struct hull_exec_opts *o, const struct hull_state *st,
		    const struct hull_vm_target *t, const struct hull_process *p, int *status,
		    struct hull_err *err)
{
	struct exec_fds f = {-1, -1, -1, -1, -1, -1};
	static unsigned char buf[2 * (HULL_FRAME_HDR + HULL_FRAME_MAX)];
	struct hull_tty_proxy *tty = NULL;
	struct hull_cgroups cg = {0};
	struct hull_vm_session_req q = {.p = p, .tty = -1, .into = t->into};
	size_t len = 0;
	pid_t pid;

	*status = 0;
	if (st->status != HULL_RUNNING) {
		return hull_error(err, EINVAL,
				  "the VM of container `%s` runs once it is started: exec into a "
				  "%s VM container is not possible",
				  st->id, hull_status_name(st->status));
	}
	if (p->terminal && !o->console_socket && o->detach)
		return hull_error(err, EINVAL, "a terminal with --detach needs --console-socket");
	if (!p->terminal && o->console_socket)
		return hull_error(err, EINVAL, "--console-socket given without a terminal (--tty)");
	if (o->preserve_fds)
		return hull_error(err, ENOTSUP, "--preserve-fds: fds cannot be passed into a VM");
	f.dirfd = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f.dirfd < 0)
		return hull_error(err, errno, "open `%s`", t->dir);
	f.sock = hull_vm_port_connect(f.dirfd, t->vmm, t->ports, &f.lockfd, err);
	if (f.sock < 0)
		goto fail;
	if (p->terminal) {
		f.master = hull_vm_open_pty(p->console_height, p->console_width, &f.slave, err);
		if (f.master < 0)
			goto fail;
		if (o->console_socket) {
			char name[64] = "";
			ptsname_r(f.master, name, sizeof(name));
			f.console = hull_console_connect(o->console_socket, err);
			if (f.console < 0 || hull_send_fd(f.console, f.master, name, err) < 0)
				goto fail;
			close(f.master);
			f.master = -1;
		}
	}
	if (p->terminal && f.master >= 0) {
		/* proxied from our own terminal: the process starts with its size */
		struct winsize ws;
		if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
			ioctl(f.master, TIOCSWINSZ, &ws);
	}
	q.tty = f.slave;
	if (hull_vm_session_open(f.sock, &q, buf, sizeof(buf), &len, err) < 0)
		goto fail;
	pid = fork();
	if (pid < 0) {
		hull_error(err, errno, "fork the exec's relay");
		goto fail;
	}
	if (pid == 0) {
		struct hull_vm_relay r = {.sock = f.sock, .in = 0, .out = 1, .err = 2};
		int keep[] = {f.sock, f.lockfd, f.slave};
		if (p->terminal)
			r.in = r.out = r.err = f.slave, r.tty = true;
		close_others(keep, ARRAY_SIZE(keep));
		hull_vm_relay(&r, buf, len);
	}
	/* the relay holds the port and its lock now; it is the exec's process for ps and kill */
	if (hull_cgroups_discover(&cg, err) < 0 ||
	    (st->cgroup_path && *st->cgroup_path &&
	     hull_cgroup_join(&cg, st->cgroup_path, pid, err) < 0)) {
		hull_cgroups_free(&cg);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	hull_cgroups_free(&cg);
	{
		int master = f.master;
		f.master = -1;
		close_fds(&f);
		f.master = master;
	}
	if (o->pid_file) {
		char pidbuf[32];
		snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
		if (hull_write_file_replace(o->pid_file, pidbuf, strlen(pidbuf), 0644, err) < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			goto fail;
		}
	}
	if (o->detach) {
		close_fds(&f);
		return 0;
	}
	hull_forward_signals(pid);
	if (f.master >= 0) {
		tty = hull_tty_proxy_start(f.master, err);
		if (!tty) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			hull_forward_signals(0);
			goto fail;
		}
	}
	*status = hull_foreground_wait(pid, tty);
	hull_forward_signals(0);
	close_fds(&f);
	return 0;
fail:
	close_fds(&f);
	return -1;
}
