/* SPDX-License-Identifier: Apache-2.0 */
/* hull top.  At the container level the workload's processes are host processes: run the host's
 * ps and keep its header and the rows whose PID column is one of the container's (runtime's
 * pid list, read from its cgroup).  At the vm level they live in the guest: ps runs there,
 * through the runtime's exec. */
#include "engine/top.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/ops.h"
#include "lib/exitcode.h"
#include "lib/util.h"
#include "runtime/container.h"

#define PS_OUTPUT_MAX (8 << 20)

static char **ps_argv(char *const *ps_args)
{
	char **v = NULL;
	hull_strv_push(&v, "ps");
	if (!ps_args || !*ps_args)
		hull_strv_push(&v, "-ef");
	for (char *const *a = ps_args; a && *a; a++)
		hull_strv_push(&v, *a);
	return v;
}

/* The whole output of ps run on the host. */
static int run_ps(char **argv, char **out, struct hull_err *err)
{
	int p[2], st;
	pid_t pid;
	size_t len = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return hull_error(err, errno, "pipe for ps");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return hull_error(err, errno, "fork ps");
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execvp("ps", argv);
		dprintf(STDERR_FILENO, "hull top: exec ps: %s\n", strerror(errno));
		_exit(HULL_EXIT_NOT_FOUND);
	}
	close(p[1]);
	*out = xzalloc(1);
	for (;;) {
		char buf[8192];
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || len + (size_t)n > PS_OUTPUT_MAX)
			break;
		*out = xrealloc(*out, len + (size_t)n + 1);
		memcpy(*out + len, buf, (size_t)n);
		len += (size_t)n;
		(*out)[len] = '\0';
	}
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return hull_error(err, 0, "ps %s failed (status %d)", argv[1] ? argv[1] : "",
				  WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

/* Which whitespace-separated column of the header is PID. */
static int pid_column(const char *header)
{
	cleanup_free char *h = xstrdup(header);
	char *save = NULL;
	int i = 0;
	for (char *w = strtok_r(h, " \t", &save); w; w = strtok_r(NULL, " \t", &save), i++)
		if (!strcmp(w, "PID"))
			return i;
	return -1;
}

static bool row_is_ours(const char *line, int col, const pid_t *pids, size_t n)
{
	cleanup_free char *l = xstrdup(line);
	char *save = NULL, *w = strtok_r(l, " \t", &save);
	for (int i = 0; w && i < col; i++)
		w = strtok_r(NULL, " \t", &save);
	if (!w)
		return false;
	for (size_t i = 0; i < n; i++)
		if (atol(w) == (long)pids[i])
			return true;
	return false;
}

static int top_in_guest(const struct hull_engine *e, const struct hull_ctr *c, char **argv,
			struct hull_err *err)
{
	struct hull_exec_opts xo = {.root = e->runroot, .id = c->id, .args = argv};
	int status = 0;

	if (hull_container_exec(&xo, &status, err) < 0)
		return -1;
	if (status != 0)
		return hull_error(err, 0, "ps in the guest of %s failed (status %d)", c->name,
				  status);
	return 0;
}

int hull_ctr_top(const struct hull_engine *e, const struct hull_ctr *c, char *const *ps_args,
		 struct hull_err *err)
{
	char **argv = ps_argv(ps_args);
	cleanup_free char *out = NULL;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	pid_t pid;
	int col, rc = -1;
	enum hull_status s = hull_ctr_status(e, c, &pid);

	if (s != HULL_RUNNING && s != HULL_PAUSED) {
		hull_error(err, ESRCH, "container %s is not running", c->name);
		goto out;
	}
	if (c->isolation && !strcmp(c->isolation, "vm")) {
		rc = top_in_guest(e, c, argv, err);
		goto out;
	}
	if (hull_container_pids(e->runroot, c->id, &pids, &n, err) < 0 ||
	    run_ps(argv, &out, err) < 0)
		goto out;
	{
		char *save = NULL, *line = strtok_r(out, "\n", &save);
		col = line ? pid_column(line) : -1;
		if (col < 0) {
			hull_error(err, EINVAL, "ps %s printed no PID column", argv[1]);
			goto out;
		}
		printf("%s\n", line);
		while ((line = strtok_r(NULL, "\n", &save)))
			if (row_is_ours(line, col, pids, n))
				printf("%s\n", line);
	}
	rc = 0;
out:
	hull_strv_free(argv);
	return rc;
}
