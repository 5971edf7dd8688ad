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
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

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

__attribute__((noreturn)) static void child(const struct guest_config *c,
					    const struct guest_ports *p)
{
	sigset_t none;
	size_t i;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (dup2(p->in, 0) < 0 || dup2(p->out, 1) < 0 || dup2(p->err, 2) < 0)
		_exit(125);
	for (i = 0; i < c->n_rlimits; i++) {
		struct rlimit rl = {c->rlimits[i].soft, c->rlimits[i].hard};
		if (setrlimit(c->rlimits[i].resource, &rl) < 0) {
			dprintf(2, "hull-guest: set rlimit %d: %s\n", c->rlimits[i].resource,
				strerror(errno));
			_exit(125);
		}
	}
	if (setgroups(c->n_gids, c->gids) < 0 || setgid(c->gid) < 0 || setuid(c->uid) < 0) {
		dprintf(2, "hull-guest: set user %u:%u: %s\n", c->uid, c->gid, strerror(errno));
		_exit(125);
	}
	if (c->umask >= 0)
		umask((mode_t)c->umask);
	if (chdir(c->cwd) < 0) {
		dprintf(2, "hull-guest: cwd `%s`: %s\n", c->cwd, strerror(errno));
		_exit(125);
	}
	exec_path(c->args, c->env ? c->env : (char *[]){NULL});
	dprintf(2, "hull-guest: exec `%s`: %s\n", c->args[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* One request per line from the host: "kill SIGNO ALL" -> "ok" or "error ERRNO". */
static void serve_ctl(int fd, pid_t pid)
{
	static char buf[256];
	static size_t len;
	ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
	char *nl;

	if (n <= 0)
		return;
	len += (size_t)n;
	buf[len] = 0;
	while ((nl = strchr(buf, '\n'))) {
		int sig = 0, all = 0, r = -1;
		char reply[32];
		*nl = 0;
		if (sscanf(buf, "kill %d %d", &sig, &all) == 2)
			r = all ? kill(-1, sig) : kill(pid, sig);
		else
			errno = EINVAL;
		n = snprintf(reply, sizeof(reply), r < 0 ? "error %d\n" : "ok\n", errno);
		(void)!write(fd, reply, (size_t)n);
		len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len + 1);
	}
	if (len == sizeof(buf) - 1)
		len = 0; /* a line that long is no request */
}

int guest_run(const struct guest_config *c, const struct guest_ports *p, int *signo)
{
	sigset_t chld;
	int sfd, wstatus = 0;
	bool host_there = true;
	pid_t pid;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	pid = fork();
	if (pid < 0) {
		guest_log("fork the workload: %s", strerror(errno));
		return 125;
	}
	if (pid == 0)
		child(c, p);
	for (;;) {
		struct pollfd fds[2] = {{sfd, POLLIN, 0}, {p->ctl, POLLIN, 0}};
		struct signalfd_siginfo si;
		pid_t w;
		int st;

		/* while no host is connected the port reports POLLHUP at once: look again later */
		if (poll(fds, host_there ? 2 : 1, host_there ? -1 : 100) < 0 && errno != EINTR)
			break;
		if (fds[1].revents & POLLIN)
			serve_ctl(p->ctl, pid);
		host_there = !(fds[1].revents & POLLHUP) || (fds[1].revents & POLLIN);
		if (!host_there && !(fds[0].revents & POLLIN))
			continue;
		while (read(sfd, &si, sizeof(si)) > 0)
			;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			if (w == pid) {
				wstatus = st;
				pid = -1;
			}
		if (pid < 0)
			break;
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
