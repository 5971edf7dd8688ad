/* SPDX-License-Identifier: Apache-2.0 */
/* pause, resume, update and events: the commands on a container's cgroup. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "cmd/hull-oci/cli.h"
#include "lib/size.h"
#include "lib/util.h"
#include "runtime/resources.h"

static int id_only(const char *cmd, int argc, char **argv, const char **id, struct hull_err *err)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: hull-oci %s ID\n", cmd);
			return 2;
		}
		return usage_error(err, cmd, "unknown option `%s`", argv[optind - 1]);
	}
	if (optind != argc - 1)
		return usage_error(err, cmd,
				   optind >= argc ? "missing container ID" : "too many arguments");
	*id = argv[optind];
	return 0;
}

int cmd_pause(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	const char *id;
	int r = id_only("pause", argc, argv, &id, err);
	if (r)
		return r == 2 ? 0 : -1;
	return hull_container_pause(g->root, id, err);
}

int cmd_resume(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	const char *id;
	int r = id_only("resume", argc, argv, &id, err);
	if (r)
		return r == 2 ? 0 : -1;
	return hull_container_resume(g->root, id, err);
}

static int read_resources(const char *file, struct hull_cg_resources *r, struct hull_err *err)
{
	cleanup_free char *json = NULL;
	char ebuf[256];
	yajl_val tree;
	int ret;

	if (!strcmp(file, "-") ? hull_read_fd(0, &json, NULL, err) < 0
			       : hull_read_file(file, &json, NULL, err) < 0)
		return hull_error_wrap(err, "update --resources");
	tree = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	if (!tree)
		return hull_error(err, EINVAL, "update --resources: not JSON: %s", ebuf);
	ret = hull_cg_res_parse(tree, "--resources", r, err);
	yajl_tree_free(tree);
	return ret < 0 ? hull_error_wrap(err, "update") : 0;
}

static const char update_usage[] =
	"Usage: hull-oci update [options] ID\n\n"
	"  -r, --resources FILE        linux.resources JSON (`-` = stdin)\n"
	"      --memory SIZE           memory limit (e.g. 512m; -1 = none)\n"
	"      --memory-reservation SIZE  soft limit\n"
	"      --memory-swap SIZE      memory plus swap limit (-1 = unlimited swap)\n"
	"      --cpu-shares N          relative CPU weight\n"
	"      --cpu-quota US          CPU time per period (-1 = none)\n"
	"      --cpu-period US         the period of the quota\n"
	"      --cpu-rt-period US      realtime period (cgroup v1)\n"
	"      --cpu-rt-runtime US     realtime runtime (cgroup v1)\n"
	"      --cpuset-cpus LIST      CPUs allowed (0-3,5)\n"
	"      --cpuset-mems LIST      memory nodes allowed\n"
	"      --pids-limit N          maximum number of tasks (-1 = none)\n"
	"      --blkio-weight N        block I/O weight, 10..1000\n";

static int set_num(const char *flag, const char *arg, bool size, struct hull_cg_val *v,
		   struct hull_err *err)
{
	char *end;
	int64_t n;
	if (size) {
		/* -1: no limit */
		if (!strcmp(arg, "-1"))
			n = -1;
		else if (hull_parse_size(arg, 1, &n, err) < 0)
			return hull_error_wrap(err, "update: %s", flag);
	} else {
		errno = 0;
		n = strtoll(arg, &end, 10);
		if (errno || *end || end == arg)
			return usage_error(err, "update", "%s: `%s` is not a number", flag, arg);
	}
	*v = (struct hull_cg_val){true, n};
	return 0;
}

static int parse_update(int argc, char **argv, struct hull_cg_resources *r, const char **id,
			struct hull_err *err)
{
	static const struct option opts[] = {
		{"resources", required_argument, NULL, 'r'},
		{"memory", required_argument, NULL, 'm'},
		{"memory-reservation", required_argument, NULL, 'R'},
		{"memory-swap", required_argument, NULL, 'S'},
		{"kernel-memory", required_argument, NULL, 'K'},
		{"kernel-memory-tcp", required_argument, NULL, 'T'},
		{"cpu-shares", required_argument, NULL, 's'},
		{"cpu-quota", required_argument, NULL, 'q'},
		{"cpu-period", required_argument, NULL, 'p'},
		{"cpu-rt-period", required_argument, NULL, 'P'},
		{"cpu-rt-runtime", required_argument, NULL, 'u'},
		{"cpuset-cpus", required_argument, NULL, 'c'},
		{"cpuset-mems", required_argument, NULL, 'M'},
		{"pids-limit", required_argument, NULL, 'L'},
		{"blkio-weight", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_cg_resources f = {0};
	const char *file = NULL;
	int c, idx = 0, rc = -1;

	while ((c = getopt_long(argc, argv, "r:h", opts, &idx)) != -1) {
		char flag[48];
		int bad = 0;
		snprintf(flag, sizeof(flag), "--%s",
			 c == 'r' || c == '?' ? "resources" : opts[idx].name);
		switch (c) {
		case 'r':
			file = optarg;
			break;
		case 'm':
			bad = set_num(flag, optarg, true, &f.memory.limit, err);
			f.sections |= HULL_CG_MEMORY;
			break;
		case 'R':
			bad = set_num(flag, optarg, true, &f.memory.reservation, err);
			f.sections |= HULL_CG_MEMORY;
			break;
		case 'S':
			bad = set_num(flag, optarg, true, &f.memory.swap, err);
			f.sections |= HULL_CG_MEMORY;
			break;
		case 'K':
		case 'T':
			break; /* kernel memory limits: gone from the kernel, ignored as by runc */
		case 's':
			bad = set_num(flag, optarg, false, &f.cpu.shares, err);
			f.sections |= HULL_CG_CPU;
			break;
		case 'q':
			bad = set_num(flag, optarg, false, &f.cpu.quota, err);
			f.sections |= HULL_CG_CPU;
			break;
		case 'p':
			bad = set_num(flag, optarg, false, &f.cpu.period, err);
			f.sections |= HULL_CG_CPU;
			break;
		case 'P':
			bad = set_num(flag, optarg, false, &f.cpu.rt_period, err);
			f.sections |= HULL_CG_CPU;
			break;
		case 'u':
			bad = set_num(flag, optarg, false, &f.cpu.rt_runtime, err);
			f.sections |= HULL_CG_CPU;
			break;
		case 'c':
			free(f.cpu.cpus);
			f.cpu.cpus = xstrdup(optarg);
			f.sections |= HULL_CG_CPUSET;
			break;
		case 'M':
			free(f.cpu.mems);
			f.cpu.mems = xstrdup(optarg);
			f.sections |= HULL_CG_CPUSET;
			break;
		case 'L':
			bad = set_num(flag, optarg, false, &f.pids_limit, err);
			f.sections |= HULL_CG_PIDS;
			break;
		case 'b':
			bad = set_num(flag, optarg, false, &f.blkio.weight, err);
			if (!bad && (f.blkio.weight.v < 10 || f.blkio.weight.v > 1000))
				bad = usage_error(err, "update", "--blkio-weight must be 10..1000");
			f.sections |= HULL_CG_BLKIO;
			break;
		case 'h':
			printf("%s", update_usage);
			rc = 2;
			goto out;
		default:
			usage_error(err, "update", "unknown option `%s`", argv[optind - 1]);
			goto out;
		}
		if (bad)
			goto out;
	}
	if (optind != argc - 1) {
		usage_error(err, "update",
			    optind >= argc ? "missing container ID" : "too many arguments");
		goto out;
	}
	*id = argv[optind];
	if (file && read_resources(file, r, err) < 0)
		goto out;
	if (!file && !f.sections) {
		usage_error(err, "update", "nothing to update: give --resources or a flag");
		goto out;
	}
	hull_cg_res_merge(r, &f);
	rc = 0;
out:
	hull_cg_res_free(&f);
	return rc;
}

int cmd_update(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_cg_resources r = {0};
	const char *id = NULL;
	int rc = parse_update(argc, argv, &r, &id, err);
	if (rc == 0)
		rc = hull_container_update(g->root, id, &r, err);
	hull_cg_res_free(&r);
	return rc == 2 ? 0 : rc;
}

/* Go-style durations as runc takes them: 5s, 100ms, 1m, 1.5h; a bare number is seconds. */
static int parse_interval(const char *s, double *secs)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -1;
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (!strcmp(end, "m"))
		v *= 60;
	else if (!strcmp(end, "h"))
		v *= 3600;
	else if (*end && strcmp(end, "s"))
		return -1;
	*secs = v;
	return 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int print_stats(const char *root, const char *id, struct hull_err *err)
{
	cleanup_free char *data = NULL;
	if (hull_container_stats(root, id, &data, err) < 0)
		return -1;
	printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", id, data);
	fflush(stdout);
	return 0;
}

int cmd_events(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"stats", no_argument, NULL, 's'},
		{"interval", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool stats = false;
	double interval = 5, next;
	uint64_t ooms = 0;
	const char *id;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			stats = true;
			break;
		case 'i':
			if (parse_interval(optarg, &interval) < 0)
				return usage_error(err, "events",
						   "--interval: `%s` is not a duration (5s, 500ms)",
						   optarg);
			break;
		case 'h':
			printf("Usage: hull-oci events [--stats] [--interval DURATION] ID\n\n"
			       "  --stats               print the statistics once and exit\n"
			       "  --interval DURATION   time between statistics (default 5s)\n");
			return 0;
		default:
			return usage_error(err, "events", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error(err, "events",
				   optind >= argc ? "missing container ID" : "too many arguments");
	id = argv[optind];
	if (stats)
		return print_stats(g->root, id, err);
	/* the stream: stats every interval, an "oom" event as soon as the OOM-kill counter
	 * rises; it ends when the container stops */
	if (hull_container_oom_count(g->root, id, &ooms, err) < 0 && err->errnum == ESRCH)
		return -1;
	hull_err_clear(err);
	next = now_s();
	for (;;) {
		uint64_t n = 0;
		if (hull_container_oom_count(g->root, id, &n, err) < 0) {
			if (err->errnum == ESRCH || err->errnum == ENOENT) {
				hull_err_clear(err);
				return 0; /* stopped or deleted */
			}
			hull_err_clear(err);
		}
		if (n > ooms) {
			printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
			fflush(stdout);
			ooms = n;
		}
		if (now_s() >= next) {
			if (print_stats(g->root, id, err) < 0) {
				hull_err_clear(err);
				return 0;
			}
			next += interval;
		}
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
}
