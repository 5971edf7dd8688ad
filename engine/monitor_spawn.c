/* SPDX-License-Identifier: Apache-2.0 */
/* hull_monitor_spawn (engine/monitor.h): a detached monitor, and the report of its start. */
#include "engine/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

int hull_monitor_spawn(const struct hull_engine *e, const struct hull_ctr *c, int client_fd,
		       struct hull_err *err)
{
	int ready[2];
	pid_t pid;
	char msg[HULL_ERR_MAX + 8];
	ssize_t n;

	if (pipe2(ready, O_CLOEXEC) < 0) {
		hull_error(err, errno, "pipe");
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		close(ready[0]);
		close(ready[1]);
		hull_error(err, errno, "fork the monitor");
		goto fail;
	}
	if (pid == 0) {
		struct hull_monitor_opts o = {
			.e = e, .c = c, .ready_fd = ready[1], .client_fd = client_fd};
		struct hull_err merr = {0};
		int status, devnull, lo, hi;

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
		/* nothing of the caller's stays open in the monitor (the other end of the attach
		 * connection least of all: the monitor would never see the client leave) */
		lo = ready[1] < client_fd ? ready[1] : client_fd;
		hi = ready[1] < client_fd ? client_fd : ready[1];
		if (lo < 0) {
			lo = hi;
			hi = -1;
		}
		close_range(3, (unsigned)lo - 1, 0);
		if (hi >= 0) {
			close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
			close_range((unsigned)hi + 1, ~0U, 0);
		} else {
			close_range((unsigned)lo + 1, ~0U, 0);
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
	if (client_fd >= 0)
		close(client_fd);
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
fail:
	if (client_fd >= 0)
		close(client_fd);
	return -1;
}
