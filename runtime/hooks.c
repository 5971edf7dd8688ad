/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/hooks.h"
#include "lib/exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/signals.h"
#include "lib/util.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait for the hook, killing it when it outlives its timeout (0 = no limit). */
static int wait_hook(pid_t pid, int timeout, int *status, bool *timed_out)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	long long deadline = now_ms() + timeout * 1000LL;

	*timed_out = false;
	if (timeout > 0 && pfd >= 0) {
		for (;;) {
			struct pollfd p = {pfd, POLLIN, 0};
			long long left = deadline - now_ms();
			int r;
			if (left <= 0) {
				/* the whole group: a shell hook's children must not outlive it */
				kill(-pid, SIGKILL);
				*timed_out = true;
				break;
			}
			r = poll(&p, 1, (int)left);
			if (r > 0)
				break;
			if (r < 0 && errno != EINTR)
				break;
		}
	}
	if (pfd >= 0)
		close(pfd);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int run_one(const struct hull_hook *h, const char *phase, const char *state,
		   struct hull_err *err)
{
	int in[2], status;
	bool timed_out;
	pid_t pid;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	char *const default_args[] = {h->path, NULL};

	if (pipe2(in, O_CLOEXEC) < 0)
		return hull_error(err, errno, "%s hook `%s`: pipe", phase, h->path);
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return hull_error(err, errno, "%s hook `%s`: fork", phase, h->path);
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(in[0], 0);
		syscall(SYS_close_range, 3, ~0U, 0);
		/* without `env` a hook gets the runtime's environment, as runc's do; an empty
		 * `env` is an empty environment */
		execve(h->path, h->args && h->args[0] ? h->args : default_args,
		       h->env ? h->env : environ);
		dprintf(2, "%s hook `%s`: exec: %s\n", phase, h->path, strerror(errno));
		_exit(HULL_EXIT_NOT_FOUND);
	}
	close(in[0]);
	/* a hook that does not read its stdin must not kill us with SIGPIPE */
	sigaction(SIGPIPE, &ign, &old);
	hull_write_all(in[1], state, strlen(state));
	close(in[1]);
	sigaction(SIGPIPE, &old, NULL);
	if (wait_hook(pid, h->timeout, &status, &timed_out) < 0)
		return hull_error(err, errno, "%s hook `%s`: wait", phase, h->path);
	if (timed_out)
		return hull_error(err, ETIMEDOUT, "%s hook `%s`: timed out after %d s", phase,
				  h->path, h->timeout);
	if (WIFSIGNALED(status)) {
		const char *name = hull_signal_name(WTERMSIG(status));
		return hull_error(err, EINTR, "%s hook `%s` killed by signal %s", phase, h->path,
				  name ? name : "?");
	}
	if (WEXITSTATUS(status) != 0)
		return hull_error(err, 0, "%s hook `%s` exited with status %d", phase, h->path,
				  WEXITSTATUS(status));
	return 0;
}

int hull_hooks_run(const struct hull_hook_list *list, const char *phase, const char *state_json,
		   struct hull_err *err)
{
	size_t i;
	for (i = 0; list && i < list->n; i++)
		if (run_one(&list->hooks[i], phase, state_json ? state_json : "{}", err) < 0)
			return -1;
	return 0;
}
