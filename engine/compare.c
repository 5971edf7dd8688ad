/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hull compare: the same workload at both isolation levels, measured alike.  Each run is a
 * real `hull run --rm` (engine/run.c, in a child whose stdio we read: what a user gets,
 * clean-up included) under a cgroup parent of its own;
 * the figures are read from that parent after the run, because its counters (CPU time, the
 * memory peak, block I/O) include the container's cgroup, which `--rm` has removed by then.
 * For a VM container that cgroup holds QEMU and virtiofsd, and the guest RAM is charged to it
 * as the guest touches it: the host's cost of each level.
 */
#include "engine/compare.h"
#include "lib/exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/run.h"
#include "engine/usage.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"

#define KEEP_BYTES 4096

const struct hull_compare_fact hull_compare_facts[] = {
	{"kernel", "the host's, shared", "a guest kernel of its own"},
	{"system calls", "reach the host kernel (seccomp filter)",
	 "reach the guest kernel; the host sees QEMU's"},
	{"processes", "own pid namespace, visible from the host", "inside the guest; one QEMU"},
	{"root file system", "overlayfs, pivot_root", "virtio-fs share (virtiofsd)"},
	{"network", "own network namespace", "virtio-net NIC in that namespace"},
	{"devices", "device nodes, device cgroup", "virtio devices QEMU emulates"},
	{"memory", "host page cache and memory, cgroup limit", "guest RAM (fixed size) + cgroup"},
	{NULL, NULL, NULL},
};

struct sample {
	double start_ms, wall_ms, cpu_ms;
	uint64_t peak, rd, wr;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void keep(char *buf, size_t *len, const char *data, size_t n)
{
	if (*len + n > KEEP_BYTES)
		n = KEEP_BYTES - *len;
	memcpy(buf + *len, data, n);
	*len += n;
}

/* The workload as `hull run --rm --isolation LEVEL --cgroup-parent PARENT`, in a child whose
 * stdout and stderr are read here (the first stdout byte is the start); its stdin is
 * /dev/null.  The child reports hull's own failure on its stderr, as `hull run` would. */
static __attribute__((noreturn)) void run_child(const struct hull_compare_opts *o,
						const char *level, const char *parent, int out,
						int errfd)
{
	struct hull_run_opts f = *o->run;
	struct hull_ctr c = {0};
	struct hull_err err = {0};
	int null = open("/dev/null", O_RDONLY), status;

	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(HULL_EXIT_ERROR);
	f.rm = true;
	f.detach = false;
	f.isolation = level;
	f.cgroup_parent = parent;
	/* the levels are compared, not CNI: no network unless one was asked for */
	if (!f.network)
		f.network = "none";
	if (hull_engine_run(o->e, &f, &c, &status, &err) < 0) {
		dprintf(2, "hull: %s\n", err.msg);
		_exit(hull_start_failure_status(&err));
	}
	_exit(status);
}

static int run_once(const struct hull_compare_opts *o, const char *level, const char *parent,
		    struct sample *s, char *out, size_t *out_len, char *errs, size_t *err_len,
		    int *status, struct hull_err *err)
{
	int op[2], ep[2], wst, open_fds = 2;
	double t0;
	pid_t pid;

	if (pipe2(op, O_CLOEXEC) < 0)
		return hull_error(err, errno, "pipe");
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(op[0]);
		close(op[1]);
		return hull_error(err, errno, "pipe");
	}
	/* what the child's stdio buffers hold must not come out twice */
	fflush(NULL);
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		hull_error(err, errno, "fork a run at the %s level", level);
		close(op[0]);
		close(op[1]);
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	if (pid == 0)
		run_child(o, level, parent, op[1], ep[1]);
	close(op[1]);
	close(ep[1]);
	s->start_ms = -1;
	while (open_fds > 0) {
		struct pollfd p[2] = {{op[0], POLLIN, 0}, {ep[0], POLLIN, 0}};
		char buf[8192];
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t r;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(p[i].fd, buf, sizeof(buf));
			if (r <= 0) {
				close(i ? ep[0] : op[0]);
				if (i)
					ep[0] = -1;
				else
					op[0] = -1;
				open_fds--;
				continue;
			}
			if (i == 0 && s->start_ms < 0)
				s->start_ms = now_ms() - t0;
			if (i == 0)
				keep(out, out_len, buf, (size_t)r);
			else
				keep(errs, err_len, buf, (size_t)r);
		}
	}
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	s->wall_ms = now_ms() - t0;
	*status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
	return 0;
}

/* The parent cgroup's counters (engine/usage.c, through libcgroup). */
static void read_counters(const char *parent, struct sample *s)
{
	struct hull_cgroup_usage u;
	if (hull_cgroup_usage_read(parent, &u, NULL) < 0)
		return;
	s->cpu_ms = (double)u.cpu_ns / 1e6;
	s->peak = u.peak_bytes;
	s->rd = u.read_bytes;
	s->wr = u.write_bytes;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int hull_compare_level(const struct hull_compare_opts *o, const char *level,
		       struct hull_compare_result *r, struct hull_err *err)
{
	struct hull_cgroups cg = {0};
	struct sample *s = NULL;
	double *v = NULL;
	char out[KEEP_BYTES + 1], errs[KEEP_BYTES + 1];
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->level = level;
	if (o->runs == 0)
		return hull_error(err, EINVAL, "compare needs at least one run");
	if (hull_cgroups_discover(&cg, err) < 0)
		return -1;
	s = xzalloc(o->runs * sizeof(*s));
	v = xzalloc(o->runs * sizeof(*v));
	for (unsigned int i = 0; i < o->runs; i++) {
		cleanup_free char *parent =
			hull_strfmt("/hull-compare-%d-%s-%u", (int)getpid(), level, i);
		size_t out_len = 0, err_len = 0;
		int rc;

		rc = run_once(o, level, parent, &s[i], out, &out_len, errs, &err_len, &r->status,
			      err);
		if (rc == 0)
			read_counters(parent, &s[i]);
		hull_cgroup_remove(&cg, parent, NULL);
		if (rc < 0)
			goto out;
		if (i == 0) {
			out[out_len] = 0;
			r->output = xstrdup(out);
		}
		errs[err_len] = 0;
		if (r->status == HULL_EXIT_ERROR) {
			/* hull's own failure: its last message line, without its "hull: " */
			char *msg = errs;
			while (err_len && errs[err_len - 1] == '\n')
				errs[--err_len] = 0;
			if (strrchr(msg, '\n'))
				msg = strrchr(msg, '\n') + 1;
			if (hull_has_prefix(msg, "hull: "))
				msg += 6;
			hull_error(err, 0, "`hull run --isolation %s`: %s", level,
				   *msg ? msg : "failed without a message");
			goto out;
		}
		/* the workload could not be started: why, from `hull run` */
		if ((r->status == HULL_EXIT_CANNOT_RUN || r->status == HULL_EXIT_NOT_FOUND) &&
		    err_len) {
			free(r->errors);
			r->errors = xstrdup(errs);
		}
	}
	/* a workload that printed in one run and not in another has no start figure */
	r->start_ms = 0;
	for (unsigned int i = 0; i < o->runs; i++)
		if (s[i].start_ms < 0)
			r->start_ms = -1;
#define MEDIAN(field, dst)                                                                         \
	do {                                                                                       \
		for (unsigned int i = 0; i < o->runs; i++)                                         \
			v[i] = (double)s[i].field;                                                 \
		dst = median(v, o->runs);                                                          \
	} while (0)
	if (r->start_ms == 0)
		MEDIAN(start_ms, r->start_ms);
	MEDIAN(wall_ms, r->wall_ms);
	MEDIAN(cpu_ms, r->cpu_ms);
	MEDIAN(peak, r->peak_bytes);
	MEDIAN(rd, r->read_bytes);
	MEDIAN(wr, r->write_bytes);
#undef MEDIAN
	ret = 0;
out:
	free(s);
	free(v);
	hull_cgroups_free(&cg);
	return ret;
}

void hull_compare_result_free(struct hull_compare_result *r)
{
	free(r->output);
	free(r->errors);
	r->output = r->errors = NULL;
}
