/*
 * hull compare: the same workload at both isolation levels, measured alike.  Each run is a
 * real `hull run --rm` (what a user gets, clean-up included) under a cgroup parent of its own;
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
#include <yajl/yajl_tree.h>

#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/resources.h"

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

/* `hull [globals] run --rm --isolation LEVEL --cgroup-parent PARENT [run...]`: its stdout and
 * stderr are read here (the first stdout byte is the start), its stdin is /dev/null. */
static int run_once(const struct hull_compare_opts *o, const char *level, const char *parent,
		    struct sample *s, char *out, size_t *out_len, char *errs, size_t *err_len,
		    int *status, struct hull_err *err)
{
	char *argv[64];
	int op[2], ep[2], n = 0, wst, open_fds = 2;
	double t0;
	pid_t pid;

	argv[n++] = (char *)o->self;
	for (size_t i = 0; o->globals[i] && n < 40; i++)
		argv[n++] = o->globals[i];
	argv[n++] = "run";
	argv[n++] = "--rm";
	argv[n++] = "--isolation";
	argv[n++] = (char *)level;
	argv[n++] = "--cgroup-parent";
	argv[n++] = (char *)parent;
	for (size_t i = 0; o->run[i]; i++) {
		if (n == 63)
			return hull_error(err, E2BIG, "too many arguments to compare");
		argv[n++] = o->run[i];
	}
	argv[n] = NULL;

	if (pipe2(op, O_CLOEXEC) < 0)
		return hull_error(err, errno, "pipe");
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(op[0]);
		close(op[1]);
		return hull_error(err, errno, "pipe");
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		hull_error(err, errno, "fork `%s run`", o->self);
		close(op[0]);
		close(op[1]);
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(op[1], 1) < 0 || dup2(ep[1], 2) < 0)
			_exit(HULL_EXIT_ERROR);
		execv(o->self, argv);
		dprintf(2, "exec `%s`: %s\n", o->self, strerror(errno));
		_exit(HULL_EXIT_ERROR);
	}
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

static uint64_t num_at(yajl_val root, const char **path)
{
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) > 0 ? (uint64_t)YAJL_GET_INTEGER(v)
								  : 0;
}

/* The parent cgroup's counters (runtime/cgroup_stats.c reads them as `events --stats` does). */
static void read_counters(const struct hull_cgroups *cg, const char *parent, struct sample *s)
{
	static const char *cpu[] = {"cpu", "usage", "total", NULL};
	static const char *peak[] = {"memory", "usage", "max", NULL};
	static const char *blk[] = {"blkio", "ioServiceBytesRecursive", NULL};
	cleanup_free char *json = hull_cgroup_stats_json(cg, parent);
	yajl_val root = json ? yajl_tree_parse(json, NULL, 0) : NULL, list;

	if (!root)
		return;
	s->cpu_ms = (double)num_at(root, cpu) / 1e6;
	s->peak = num_at(root, peak);
	list = yajl_tree_get(root, blk, yajl_t_array);
	for (size_t i = 0; list && i < list->u.array.len; i++) {
		static const char *op[] = {"op", NULL}, *val[] = {"value", NULL};
		yajl_val e = list->u.array.values[i];
		const char *name = YAJL_GET_STRING(yajl_tree_get(e, op, yajl_t_string));
		if (name && !strcmp(name, "Read"))
			s->rd += num_at(e, val);
		else if (name && !strcmp(name, "Write"))
			s->wr += num_at(e, val);
	}
	yajl_tree_free(root);
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
			read_counters(&cg, parent, &s[i]);
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
