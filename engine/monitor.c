/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "engine/attach_server.h"
#include "engine/events.h"
#include "engine/logfile.h"
#include "engine/ops.h"
#include "engine/restart_policy.h"
#include "engine/run.h"
#include "engine/runstate.h"
#include "engine/start.h"
#include "lib/timearg.h"
#include "lib/tty.h"
#include "lib/util.h"
#include "runtime/container.h"
#include "runtime/sync.h"

/* Signals the foreground monitor passes on to the workload, as docker's --sig-proxy does. */
static const int proxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct mon {
	const struct hull_monitor_opts *o;
	struct hull_ctr *c; /* the record as the current run started it */
	struct hull_attach_srv srv;
	int restarts;  /* by the restart policy, since the last start by the user */
	char *started; /* when the current run started */
	pid_t pid;     /* the container's init */
	int out, errp; /* read ends of its stdout/stderr (out is the pty master with a tty) */
	int in;	       /* write end of its stdin, -1 when it has none */
	int sfd;       /* signalfd */
	struct hull_logw log;
	struct hull_tty_mode tty; /* our terminal, raw while attached to a tty */
	int status;
	bool exited;
};

static int console_listen(char dir[64], char path[96], struct hull_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	/* sun_path is short; the container directory path is not */
	snprintf(dir, 64, "/tmp/hull-console-XXXXXX");
	if (!mkdtemp(dir))
		return hull_error(err, errno, "make a directory for the console socket");
	snprintf(path, 96, "%s/sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		hull_error(err, errno, "listen on %s", path);
		if (fd >= 0)
			close(fd);
		unlink(path);
		rmdir(dir);
		return -1;
	}
	return fd;
}

static void set_winsize(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Create and start the container with its stdio on pipes (or a pty). */
static int start(struct mon *m, struct hull_err *err)
{
	const struct hull_ctr *c = m->c;
	cleanup_free char *bundle = hull_ctr_dir(m->o->e, c->id);
	struct hull_create_opts co = {
		.root = m->o->e->runroot, .id = c->id, .bundle = bundle, .detach = true};
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, pi[2] = {-1, -1}, saved[3] = {-1, -1, -1};
	char sdir[64], spath[96];
	int lsock = -1, status, rc = -1;

	if (c->tty) {
		lsock = console_listen(sdir, spath, err);
		if (lsock < 0)
			return -1;
		co.console_socket = spath;
	} else if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		hull_error(err, errno, "make the stdio pipes");
		goto out;
	}
	if (c->interactive && !c->tty && pipe2(pi, O_CLOEXEC) < 0) {
		hull_error(err, errno, "make the stdin pipe");
		goto out;
	}
	/* the container inherits the runtime's stdio: lend it ours for the create */
	for (int i = 0; i < 3; i++)
		saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
	if (!c->tty) {
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		dup2(pi[0] >= 0 ? pi[0] : devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (devnull >= 0)
			close(devnull);
	}
	rc = hull_container_run(&co, &status, err);
	for (int i = 0; i < 3; i++)
		if (saved[i] >= 0) {
			dup2(saved[i], i);
			close(saved[i]);
		}
	if (rc < 0)
		goto out;
	{
		struct hull_state *st = NULL;
		if (hull_state_load(co.root, c->id, &st, err) < 0) {
			rc = -1;
			goto out;
		}
		m->pid = st->pid;
		hull_state_free(st);
	}
	if (c->tty) {
		int conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
		m->out = conn >= 0 ? hull_recv_fd(conn, err) : -1;
		if (conn < 0)
			hull_error(err, errno, "accept the console of `%s`", c->id);
		if (conn >= 0)
			close(conn);
		if (m->out < 0) {
			rc = -1;
			goto out;
		}
		m->in = c->interactive ? dup(m->out) : -1;
		if (m->o->attach && isatty(STDIN_FILENO))
			set_winsize(m->out);
	} else {
		m->out = po[0];
		m->errp = pe[0];
		m->in = pi[1];
		po[0] = pe[0] = pi[1] = -1;
	}
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
		if (pi[i] >= 0)
			close(pi[i]);
	}
	if (lsock >= 0) {
		close(lsock);
		unlink(spath);
		rmdir(sdir);
	}
	return rc;
}

static void raw_mode(struct mon *m)
{
	if (m->o->attach && m->c->tty)
		hull_tty_raw(STDIN_FILENO, true, &m->tty);
}

static void relay(struct mon *m, int fd, enum hull_stream s)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		close(fd);
		if (fd == m->out)
			m->out = -1;
		else
			m->errp = -1;
		return;
	}
	hull_logw_write(&m->log, s, buf, (size_t)n);
	hull_attach_srv_send(&m->srv, s == HULL_STDOUT ? HULL_FRAME_STDOUT : HULL_FRAME_STDERR, buf,
			     (size_t)n);
	if (m->o->attach)
		hull_write_all(s == HULL_STDOUT ? STDOUT_FILENO : STDERR_FILENO, buf, (size_t)n);
}

static void feed_stdin(struct mon *m, bool *stdin_open)
{
	char buf[65536];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n > 0 && m->in >= 0) {
		hull_write_all(m->in, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	*stdin_open = false;
	/* EOF: the workload sees its stdin close (a tty keeps its master open) */
	if (!m->c->tty && m->in >= 0) {
		close(m->in);
		m->in = -1;
	}
}

static void on_signal(struct mon *m)
{
	struct signalfd_siginfo si;
	int st;
	pid_t p;

	while (read(m->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGWINCH) {
			if (m->c->tty && m->out >= 0)
				set_winsize(m->out);
		} else if (si.ssi_signo != SIGCHLD && m->pid > 0 && !m->exited) {
			kill(m->pid, (int)si.ssi_signo);
		}
	}
	/* the init, and whatever got reparented to us on its way */
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p != m->pid)
			continue;
		m->exited = true;
		m->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
}

/* A frame from attached client i: input for the container, or its terminal's size. */
static void client_input(struct mon *m, size_t i)
{
	unsigned char buf[HULL_ATTACH_FRAME_MAX + 1];
	ssize_t n = recv(m->srv.clients[i], buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		hull_attach_srv_drop(&m->srv, i);
		return;
	}
	if (buf[0] == HULL_FRAME_STDIN && m->in >= 0) {
		hull_write_all(m->in, buf + 1, (size_t)n - 1);
	} else if (buf[0] == HULL_FRAME_STDIN_EOF && !m->c->tty && m->in >= 0) {
		close(m->in);
		m->in = -1;
	} else if (buf[0] == HULL_FRAME_RESIZE && m->c->tty && m->out >= 0 &&
		   n == 1 + 2 * sizeof(uint16_t)) {
		uint16_t rc[2];
		struct winsize ws = {0};
		memcpy(rc, buf + 1, sizeof(rc));
		ws.ws_row = rc[0];
		ws.ws_col = rc[1];
		ioctl(m->out, TIOCSWINSZ, &ws);
	}
}

enum { P_SIG, P_OUT, P_ERR, P_STDIN, P_LISTEN, P_CLIENTS };

static void loop(struct mon *m)
{
	bool stdin_open = m->o->attach && m->c->interactive;
	int drain_ms = 200;

	for (;;) {
		struct pollfd p[P_CLIENTS + HULL_ATTACH_MAX_CLIENTS] = {
			[P_SIG] = {.fd = m->sfd, .events = POLLIN},
			[P_OUT] = {.fd = m->out, .events = POLLIN},
			[P_ERR] = {.fd = m->errp, .events = POLLIN},
			[P_STDIN] = {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
			[P_LISTEN] = {.fd = m->exited ? -1 : m->srv.lfd, .events = POLLIN}};
		size_t nc = m->srv.n;
		int n;

		for (size_t i = 0; i < nc; i++)
			p[P_CLIENTS + i] =
				(struct pollfd){.fd = m->srv.clients[i], .events = POLLIN};
		if (m->exited && m->out < 0 && m->errp < 0)
			break;
		/* once the init is gone, what still holds its pipes gets a moment, not forever */
		n = poll(p, P_CLIENTS + nc, m->exited ? drain_ms : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && m->exited)
			break;
		if (p[P_SIG].revents)
			on_signal(m);
		if (p[P_OUT].revents)
			relay(m, m->out, HULL_STDOUT);
		if (p[P_ERR].revents)
			relay(m, m->errp, HULL_STDERR);
		if (p[P_STDIN].revents)
			feed_stdin(m, &stdin_open);
		/* from the last client down: a drop moves the last one into its slot */
		for (size_t i = nc; i > 0; i--)
			if (p[P_CLIENTS + i - 1].revents && i - 1 < m->srv.n)
				client_input(m, i - 1);
		if (p[P_LISTEN].revents)
			hull_attach_srv_accept(&m->srv);
	}
}
static bool other_monitor(const struct hull_ctr *c)
{
	return c->monitor_pid != getpid() && hull_ctr_monitor_alive(c);
}

/* Under the start lock: the record as it is now, the container brought up (rootfs, network)
 * and started.  1: not started, the user stopped it (a restart's start only). */
static int run_start(struct mon *m, bool first, struct hull_err *err)
{
	const struct hull_engine *e = m->o->e;
	struct hull_ctr *cur = NULL;
	int lock = hull_ctr_lock(e, m->o->c->id, err), rc = -1;
	pid_t pid;

	if (lock < 0)
		return -1;
	if (hull_ctr_load(e, m->o->c->id, &cur, err) < 0)
		goto out;
	if (first) {
		enum hull_status s = hull_ctr_status(e, cur, &pid);
		if (other_monitor(cur) || s == HULL_RUNNING || s == HULL_PAUSED ||
		    s == HULL_CREATED) {
			hull_error(err, EALREADY, "container %s is running already", cur->name);
			goto out;
		}
		/* a start by the user: the policy holds again */
		hull_ctr_clear_stopped(e, cur->id);
	} else if (hull_ctr_stopped_by_user(e, cur->id)) {
		rc = 1;
		goto out;
	}
	cur->monitor_pid = getpid();
	if (hull_ctr_bring_up(e, cur, err) < 0)
		goto out;
	hull_ctr_free(m->c);
	m->c = steal_pointer(&cur);
	m->pid = 0;
	m->out = m->errp = m->in = -1;
	m->exited = false;
	m->status = 0;
	if (start(m, err) < 0) {
		/* as docker: the start's failure is the exit status (127, 126, 125) */
		hull_ctr_record_exit(e, m->c->id, hull_start_failure_status(err), NULL);
		hull_ctr_cleanup(e, m->c, NULL);
		goto out;
	}
	{
		free(m->started);
		m->started = hull_now_rfc3339();
		hull_ctr_save_run(e, m->c->id, m->started, m->restarts, false, NULL);
	}
	hull_event_emit(e, m->c, "start", NULL);
	rc = 0;
out:
	hull_ctr_free(cur);
	hull_ctr_unlock(lock);
	return rc;
}

/* The run ended: its status recorded, what it held released, attached clients told. */
static void run_end(struct mon *m)
{
	const struct hull_engine *e = m->o->e;
	struct hull_err cerr = {0};
	char code[32];
	const char *attrs[] = {code, NULL};

	if (m->out >= 0)
		close(m->out);
	if (m->errp >= 0)
		close(m->errp);
	if (m->in >= 0)
		close(m->in);
	m->out = m->errp = m->in = -1;
	snprintf(code, sizeof(code), "exitCode=%d", m->status);
	hull_event_emit(e, m->c, "die", attrs);
	if (hull_ctr_record_exit(e, m->c->id, m->status, &cerr) < 0 ||
	    hull_ctr_cleanup(e, m->c, &cerr) < 0)
		fprintf(stderr, "hull: cleaning up after %.12s: %s\n", m->c->id, cerr.msg);
	hull_attach_srv_end(&m->srv, m->status);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The restart policy: whether to start again, after the back-off (false: the monitor ends). */
static bool restart_wait(struct mon *m, long ran_ms, int *delay_ms)
{
	const struct hull_engine *e = m->o->e;
	struct hull_restart_policy pol;
	struct hull_ctr *now = NULL;
	struct timespec t0;
	bool want;

	/* hull update --restart may have changed the policy; rm -f, removed the container */
	if (hull_ctr_load(e, m->c->id, &now, NULL) < 0)
		return false;
	want = hull_restart_policy_parse(now->restart_policy, &pol, NULL) == 0 &&
	       hull_restart_wanted(&pol, m->status, m->restarts,
				   hull_ctr_stopped_by_user(e, m->c->id));
	hull_ctr_free(now);
	if (!want)
		return false;
	*delay_ms = hull_restart_delay_ms(*delay_ms, ran_ms);
	m->restarts++;
	hull_ctr_save_run(e, m->c->id, m->started, m->restarts, true, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < *delay_ms) {
		struct pollfd p = {.fd = m->sfd, .events = POLLIN};
		if (poll(&p, 1, 50) > 0)
			on_signal(m);
		if (hull_ctr_stopped_by_user(e, m->c->id))
			return false;
	}
	return true;
}

int hull_monitor_run(const struct hull_monitor_opts *o, int *status, struct hull_err *err)
{
	struct mon m = {.o = o,
			.out = -1,
			.errp = -1,
			.in = -1,
			.sfd = -1,
			.srv = {.lfd = -1, .dirfd = -1}};
	cleanup_free char *logpath = hull_ctr_path(o->e, o->c->id, "ctr.log");
	struct timespec t0;
	sigset_t set, old;
	int delay_ms = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	if (o->attach)
		for (size_t i = 0; i < sizeof(proxied) / sizeof(proxied[0]); i++)
			sigaddset(&set, proxied[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	m.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	/* processes of the container that outlive a middle process come back to us */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (m.sfd < 0) {
		hull_error(err, errno, "signalfd");
		goto fail;
	}
	if (hull_logw_open(&m.log, logpath, err) < 0)
		goto fail;
	if (hull_attach_srv_open(&m.srv, o->e, o->c->id, err) < 0) {
		hull_logw_close(&m.log);
		goto fail;
	}
	if (o->client_fd >= 0)
		hull_attach_srv_add(&m.srv, o->client_fd);
	if (run_start(&m, true, err) < 0) {
		hull_attach_srv_close(&m.srv);
		hull_logw_close(&m.log);
		goto fail;
	}
	if (o->ready_fd >= 0) {
		hull_write_all(o->ready_fd, "ok", 2);
		close(o->ready_fd);
	}
	raw_mode(&m);
	for (;;) {
		struct hull_err rerr = {0};
		clock_gettime(CLOCK_MONOTONIC, &t0);
		loop(&m);
		run_end(&m);
		/* a foreground monitor's caller gets the status: its policy is the caller's */
		if (o->attach || !restart_wait(&m, ms_since(&t0), &delay_ms))
			break;
		if (run_start(&m, false, &rerr) != 0) {
			if (rerr.msg[0])
				fprintf(stderr, "hull: restarting %.12s: %s\n", m.c->id, rerr.msg);
			break;
		}
	}
	if (m.restarts)
		hull_ctr_save_run(o->e, m.c->id, m.started, m.restarts, false, NULL);
	hull_attach_srv_close(&m.srv);
	hull_tty_restore(STDIN_FILENO, &m.tty);
	hull_logw_close(&m.log);
	close(m.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	*status = m.status;
	if (m.c->auto_remove) {
		struct hull_err cerr = {0};
		if (hull_ctr_remove(o->e, m.c->id, true, &cerr) < 0)
			fprintf(stderr, "hull: removing %.12s: %s\n", m.c->id, cerr.msg);
	}
	hull_ctr_free(m.c);
	free(m.started);
	return 0;
fail:
	hull_ctr_free(m.c);
	free(m.started);
	if (m.sfd >= 0)
		close(m.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return -1;
}
