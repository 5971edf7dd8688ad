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
#include <unistd.h>

#include "engine/events.h"
#include "engine/logfile.h"
#include "engine/ops.h"
#include "lib/tty.h"
#include "lib/util.h"
#include "runtime/container.h"
#include "runtime/sync.h"

/* Signals the foreground monitor passes on to the workload, as docker's --sig-proxy does. */
static const int proxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct mon {
	const struct hull_monitor_opts *o;
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
	const struct hull_ctr *c = m->o->c;
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
	if (m->o->attach && m->o->c->tty)
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
	if (!m->o->c->tty && m->in >= 0) {
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
			if (m->o->c->tty && m->out >= 0)
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

static void loop(struct mon *m)
{
	bool stdin_open = m->o->attach && m->o->c->interactive;
	int drain_ms = 200;

	for (;;) {
		struct pollfd p[4] = {{.fd = m->sfd, .events = POLLIN},
				      {.fd = m->out, .events = POLLIN},
				      {.fd = m->errp, .events = POLLIN},
				      {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN}};
		int n;

		if (m->exited && m->out < 0 && m->errp < 0)
			break;
		/* once the init is gone, what still holds its pipes gets a moment, not forever */
		n = poll(p, 4, m->exited ? drain_ms : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && m->exited)
			break;
		if (p[0].revents)
			on_signal(m);
		if (p[1].revents)
			relay(m, m->out, HULL_STDOUT);
		if (p[2].revents)
			relay(m, m->errp, HULL_STDERR);
		if (p[3].revents)
			feed_stdin(m, &stdin_open);
	}
}

int hull_monitor_run(const struct hull_monitor_opts *o, int *status, struct hull_err *err)
{
	struct mon m = {.o = o, .out = -1, .errp = -1, .in = -1, .sfd = -1};
	cleanup_free char *logpath = hull_ctr_path(o->e, o->c->id, "ctr.log");
	struct hull_err cerr = {0};
	sigset_t set, old;

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
	if (m.sfd < 0 || hull_logw_open(&m.log, logpath, err) < 0) {
		if (m.sfd < 0)
			hull_error(err, errno, "signalfd");
		goto fail;
	}
	if (start(&m, err) < 0) {
		hull_logw_close(&m.log);
		goto fail;
	}
	hull_event_emit(o->e, o->c, "start", NULL);
	if (o->ready_fd >= 0) {
		hull_write_all(o->ready_fd, "ok", 2);
		close(o->ready_fd);
	}
	raw_mode(&m);
	loop(&m);
	hull_tty_restore(STDIN_FILENO, &m.tty);
	hull_logw_close(&m.log);
	if (m.out >= 0)
		close(m.out);
	if (m.errp >= 0)
		close(m.errp);
	if (m.in >= 0)
		close(m.in);
	close(m.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	*status = m.status;
	{
		char code[32];
		const char *attrs[] = {code, NULL};
		snprintf(code, sizeof(code), "exitCode=%d", m.status);
		hull_event_emit(o->e, o->c, "die", attrs);
	}
	if (hull_ctr_record_exit(o->e, o->c->id, m.status, &cerr) < 0 ||
	    hull_ctr_cleanup(o->e, o->c, &cerr) < 0 ||
	    (o->c->auto_remove && hull_ctr_remove(o->e, o->c->id, true, &cerr) < 0))
		fprintf(stderr, "hull: cleaning up after %.12s: %s\n", o->c->id, cerr.msg);
	return 0;
fail:
	if (m.sfd >= 0)
		close(m.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return -1;
}

int hull_monitor_spawn(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	int ready[2];
	pid_t pid;
	char msg[HULL_ERR_MAX + 8];
	ssize_t n;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return hull_error(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(ready[0]);
		close(ready[1]);
		return hull_error(err, errno, "fork the monitor");
	}
	if (pid == 0) {
		struct hull_monitor_opts o = {.e = e, .c = c, .ready_fd = ready[1]};
		struct hull_err merr = {0};
		int status, devnull;

		close(ready[0]);
		setsid();
		/* the second fork leaves the monitor without a parent waiting on it */
		if (fork() != 0)
			_exit(0);
		devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		if (devnull > 2)
			close(devnull);
		{
			struct hull_ctr self = *c;
			self.monitor_pid = getpid();
			hull_ctr_save(e, &self, NULL);
		}
		if (hull_monitor_run(&o, &status, &merr) < 0) {
			char buf[16];
			snprintf(buf, sizeof(buf), "err %d ", merr.errnum);
			hull_write_all(ready[1], buf, strlen(buf));
			hull_write_all(ready[1], merr.msg, strlen(merr.msg));
			_exit(1);
		}
		_exit(0);
	}
	close(ready[1]);
	waitpid(pid, NULL, 0);
	n = hull_read_all(ready[0], msg, sizeof(msg) - 1);
	close(ready[0]);
	msg[n > 0 ? n : 0] = '\0';
	if (!strcmp(msg, "ok"))
		return 0;
	if (hull_has_prefix(msg, "err ")) {
		int errnum = atoi(msg + 4);
		const char *text = strchr(msg + 4, ' ');
		hull_error(err, 0, "%s", text ? text + 1 : "");
		err->errnum = errnum;
		return -1;
	}
	return hull_error(err, 0, "the monitor of %.12s exited before the container started",
			  c->id);
}
