/* SPDX-License-Identifier: Apache-2.0 */
/* The workload: started as the child of the guest init, which stays its reaper, carries the
 * host's signals to it (ctl port) and returns its exit status. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm/guest/guest.h"
#include "vm/proto/control.h"
#include "vm/proto/names.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_path(char *const *env)
{
	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], "PATH=", 5))
			return env[i] + 5;
	return DEFAULT_PATH;
}

/* execvpe with the workload's own PATH, not the init's. */
static void exec_path(char *const *args, char *const *env)
{
	const char *path = env_path(env), *p = path;
	int saved = ENOENT;

	if (strchr(args[0], '/')) {
		execve(args[0], args, env);
		return;
	}
	while (*p) {
		char file[4096];
		size_t len = strcspn(p, ":");
		snprintf(file, sizeof(file), "%.*s%s%s", (int)len, p, len ? "/" : "", args[0]);
		execve(file, args, env);
		if (errno != ENOENT && errno != ENOTDIR)
			saved = errno;
		p += len + (p[len] == ':');
	}
	errno = saved;
}

/* Everything up to the exec, in container mode's order (runtime/executor/process.c): -1 with
 * err filled when the process cannot start. */
static int become(const struct guest_config *c, int fd0, int fd1, int fd2, bool tty,
		  struct hull_err *err)
{
	sigset_t none;
	size_t i;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (tty && ioctl(fd0, TIOCSCTTY, 0) < 0)
		return hull_error(err, errno, "make the terminal the controlling one");
	if (dup2(fd0, 0) < 0 || dup2(fd1, 1) < 0 || dup2(fd2, 2) < 0)
		return hull_error(err, errno, "set up stdio");
	/* a filter without no_new_privs first */
	if (guest_security_before_user(c, err) < 0)
		return -1;
	for (i = 0; i < c->n_rlimits; i++) {
		struct rlimit rl = {c->rlimits[i].soft, c->rlimits[i].hard};
		if (setrlimit(c->rlimits[i].resource, &rl) < 0)
			return hull_error(err, errno, "set rlimit %d", c->rlimits[i].resource);
	}
	if (c->has_oom_score_adj) {
		char v[16];
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC), n, e;
		n = snprintf(v, sizeof(v), "%d", c->oom_score_adj);
		e = fd < 0 || write(fd, v, (size_t)n) != n ? errno : 0;
		if (fd >= 0)
			close(fd);
		if (e)
			return hull_error(err, e, "oom_score_adj %d", c->oom_score_adj);
	}
	if (setgroups(c->n_gids, c->gids) < 0 || setgid(c->gid) < 0 || setuid(c->uid) < 0)
		return hull_error(err, errno, "set user %u:%u", c->uid, c->gid);
	if (guest_security_after_user(c, err) < 0)
		return -1;
	if (c->umask >= 0)
		umask((mode_t)c->umask);
	if (chdir(c->cwd) < 0)
		return hull_error(err, errno, "cwd `%s`", c->cwd);
	return guest_security_last(c, err);
}

__attribute__((noreturn)) void guest_become(const struct guest_config *c, int fd0, int fd1, int fd2,
					    bool tty, int errfd)
{
	struct hull_err err = {0};
	int code = HULL_EXIT_ERROR;

	if (become(c, fd0, fd1, fd2, tty, &err) == 0) {
		int e;
		exec_path(c->args, c->env ? c->env : (char *[]){NULL});
		e = errno;
		code = HULL_EXIT_FOR_EXEC_ERRNO(e);
		hull_error_go(&err, e, "exec `%s`", c->args[0]);
	}
	/* the one place a process that did not start says why and picks its status */
	if (errfd >= 0)
		(void)!write(errfd, err.msg, strlen(err.msg));
	else
		dprintf(2, GUEST_LOG_PREFIX "%s\n", err.msg);
	_exit(code);
}

/* How long an answer waits for the control port to take it (see ctl_reply). */
#define CTL_REPLY_WAIT_MS 2000

/* An answer on the control port.  A request can arrive before the guest has processed the
 * host's "port open" (virtio-serial sends it on the control queue, the data on the port's):
 * until then a write would block (EAGAIN here), and an answer dropped leaves the host
 * waiting.  So it waits a little for the port to take it. */
static void ctl_reply(int fd, const char *reply, size_t n)
{
	for (int waited = 0; waited < CTL_REPLY_WAIT_MS; waited += 10) {
		/* (poll would not wait: a port without its host reports POLLHUP at once) */
		struct timespec ts = {0, 10000000L};
		if (write(fd, reply, n) >= 0 || (errno != EAGAIN && errno != EINTR))
			return;
		nanosleep(&ts, NULL);
	}
	guest_log("a control answer was not taken: %.*s", (int)n, reply);
}

/* One request per line from the host (vm/proto/control.h), one answer each. */
static void serve_ctl(int fd, pid_t pid)
{
	static char buf[2 * HULL_CTL_MAX];
	static size_t len;
	ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
	char *nl;

	if (n <= 0)
		return;
	len += (size_t)n;
	buf[len] = 0;
	while ((nl = strchr(buf, '\n'))) {
		int sig = 0, e = 0;
		bool all = false;
		char reply[HULL_CTL_MAX], *id, *file, *value;
		*nl = 0;
		if (hull_ctl_cgroup_parse(buf, &id, &file, &value) == 0)
			e = guest_pod_cgroup_set(id, file, value);
		else if (!strcmp(buf, HULL_CTL_START))
			e = 0; /* started already: a starter that missed the answer asks again */
		else if (hull_ctl_kill_parse(buf, &sig, &all) < 0)
			e = EINVAL;
		else if ((all ? kill(-1, sig) : kill(pid, sig)) < 0)
			e = errno;
		n = hull_ctl_reply_format(reply, sizeof(reply), e);
		ctl_reply(fd, reply, (size_t)n);
		len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len + 1);
	}
	if (len == sizeof(buf) - 1)
		len = 0; /* a line that long is no request */
}

/* Whether a port's host end is there (a closed one reports POLLHUP at once). */
static bool host_there(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP);
}

/* A port whose host end is absent cannot be polled for its coming (it reports POLLHUP at
 * once); the kernel sends SIGIO when a host end opens, so the loop wakes then, and looks
 * again at this interval in any case. */
#define ABSENT_RECHECK_MS 1000

static void async_ports(const struct guest_ports *p)
{
	int fds[HULL_VM_EXEC_PORTS_MAX + 2] = {p->ctl, p->console};
	for (int i = 0; i < p->n_exec; i++)
		fds[i + 2] = p->exec[i];
	for (size_t i = 0; i < (size_t)p->n_exec + 2; i++) {
		if (fds[i] < 0)
			continue;
		fcntl(fds[i], F_SETOWN, getpid());
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_ASYNC);
	}
}

/* A VM booted at create (`hold`): the workload waits until the host's `start` request on the
 * control port (any other request is answered EAGAIN: before start the host sends its
 * signals to the VMM itself). */
static void wait_start(int ctl)
{
	char buf[HULL_CTL_MAX];
	size_t len = 0;

	for (;;) {
		struct pollfd p = {ctl, POLLIN, 0};
		struct timespec ts = {0, 50000000L};
		char *nl;
		ssize_t n = 0;
		if (poll(&p, 1, ABSENT_RECHECK_MS) > 0 && (p.revents & POLLIN))
			n = read(ctl, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			/* no host end (it reports POLLHUP at once): look again soon */
			nanosleep(&ts, NULL);
			continue;
		}
		len += (size_t)n;
		buf[len] = 0;
		while ((nl = strchr(buf, '\n'))) {
			char reply[HULL_CTL_MAX];
			bool start;
			int r;
			*nl = 0;
			start = !strcmp(buf, HULL_CTL_START);
			r = hull_ctl_reply_format(reply, sizeof(reply), start ? 0 : EAGAIN);
			ctl_reply(ctl, reply, (size_t)r);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
			if (start)
				return;
		}
		if (len == sizeof(buf) - 1)
			len = 0;
	}
}

#define MAX_SESSIONS (HULL_VM_EXEC_PORTS_MAX + 1)
/* How long the terminal's last output may take to reach the host once the process ended. */
#define CONSOLE_DRAIN_MS 5000

int guest_run(const struct guest_config *c, const struct guest_ports *p, int *signo,
	      struct hull_err *err)
{
	struct guest_session *sess[MAX_SESSIONS], *con = NULL;
	size_t n_sess = 0, i;
	sigset_t chld;
	int sfd, wstatus = 0, slave = -1;
	bool ctl_there = true;
	struct timespec ended = {0};
	pid_t pid;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigaddset(&chld, SIGIO);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (c->hold)
		wait_start(p->ctl);
	async_ports(p);
	if (c->terminal) {
		con = p->console >= 0 ? guest_session_new(p->console, true, NULL) : NULL;
		if (!con)
			return hull_error(err, p->console < 0 ? ENODEV : ENOMEM,
					  "no terminal for the process: port %s",
					  HULL_PORT_CONSOLE);
		if (guest_session_console_pty(con, &slave, err) < 0)
			return hull_error_wrap(err, "no terminal for the process");
	}
	pid = fork();
	if (pid < 0)
		return hull_error(err, errno, "fork the workload");
	if (pid == 0) {
		if (slave >= 0)
			guest_become(c, slave, slave, slave, true, -1);
		guest_become(c, p->in, p->out, p->err, false, -1);
	}
	if (con) {
		close(slave);
		guest_session_attach(con, pid);
		sess[n_sess++] = con;
	}
	for (i = 0; i < (size_t)p->n_exec; i++)
		if (p->exec[i] >= 0 &&
		    (sess[n_sess] = guest_session_new(p->exec[i], false, c->seccomp)))
			n_sess++;
	for (;;) {
		struct pollfd fds[2 + MAX_SESSIONS * 4];
		int first[MAX_SESSIONS], cnt[MAX_SESSIONS], n = 0, timeout = -1;
		struct signalfd_siginfo si;
		pid_t w;
		int st;

		fds[n++] = (struct pollfd){sfd, POLLIN, 0};
		if (ctl_there)
			fds[n++] = (struct pollfd){p->ctl, POLLIN, 0};
		else
			timeout = ABSENT_RECHECK_MS;
		for (i = 0; i < n_sess; i++) {
			first[i] = n;
			cnt[i] = guest_session_poll(sess[i], fds + n);
			n += cnt[i];
			/* an absent host end cannot be waited for: look again soon */
			int t = guest_session_host(sess[i]) ? -1 : ABSENT_RECHECK_MS;
			if (t >= 0 && (timeout < 0 || t < timeout))
				timeout = t;
			t = guest_session_timeout(sess[i]);
			if (t >= 0 && (timeout < 0 || t < timeout))
				timeout = t;
		}
		if (pid < 0 && (timeout < 0 || timeout > 100))
			timeout = 100;
		if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		if (ctl_there) {
			if (fds[1].revents & POLLIN)
				serve_ctl(p->ctl, pid);
			/* a closed host end reads as the end of the data, POLLIN with POLLHUP */
			ctl_there = !(fds[1].revents & POLLHUP);
		} else {
			ctl_there = host_there(p->ctl);
		}
		for (i = 0; i < n_sess; i++) {
			guest_session_handle(sess[i], fds + first[i], cnt[i]);
			if (!guest_session_host(sess[i]))
				guest_session_recheck(sess[i]);
		}
		while (read(sfd, &si, sizeof(si)) > 0)
			;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			if (w == pid) {
				wstatus = st;
				pid = -1;
				clock_gettime(CLOCK_MONOTONIC, &ended);
			}
			for (i = 0; i < n_sess; i++)
				if (guest_session_reaped(sess[i], w, st))
					break;
			guest_pod_reaped(w);
		}
		if (pid < 0) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (!con || guest_session_done(con) ||
			    (now.tv_sec - ended.tv_sec) * 1000 +
					    (now.tv_nsec - ended.tv_nsec) / 1000000 >
				    CONSOLE_DRAIN_MS)
				break;
		}
	}
	/* like a pid namespace losing its init: nothing the workload left may go on */
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
	if (WIFSIGNALED(wstatus)) {
		*signo = WTERMSIG(wstatus);
		return 128 + *signo;
	}
	return WEXITSTATUS(wstatus);
}
