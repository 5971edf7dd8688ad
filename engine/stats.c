/* `hull stats`: the runtime's cgroup statistics (runtime/resources.h, the same reads as
 * `hull-oci events --stats`, v1 or v2) and the network counters of the container's own
 * namespace, seen through /proc/<init>/net/dev.  Direct cgroupfs reads: stats of 20
 * containers must answer well under 100 ms. */
#include "engine/stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "engine/ops.h"
#include "lib/util.h"
#include "runtime/resources.h"

/* a limit this large is cgroup's "max" */
#define NO_LIMIT (UINT64_C(1) << 62)

static uint64_t num(yajl_val root, const char **path)
{
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	if (!v)
		return 0;
	if (YAJL_IS_INTEGER(v))
		return v->u.number.i > 0 ? (uint64_t)v->u.number.i : 0;
	return v->u.number.d > 0 && v->u.number.d < 1.8e19 ? (uint64_t)v->u.number.d : 0;
}

static void blkio(yajl_val root, struct hull_ctr_sample *s)
{
	static const char *list[] = {"blkio", "ioServiceBytesRecursive", NULL};
	static const char *op[] = {"op", NULL}, *val[] = {"value", NULL};
	yajl_val l = yajl_tree_get(root, list, yajl_t_array);

	for (size_t i = 0; l && i < l->u.array.len; i++) {
		yajl_val e = l->u.array.values[i];
		yajl_val o = yajl_tree_get(e, op, yajl_t_string);
		const char *name = o ? YAJL_GET_STRING(o) : NULL;
		if (name && !strcasecmp(name, "read"))
			s->blk_read += num(e, val);
		else if (name && !strcasecmp(name, "write"))
			s->blk_write += num(e, val);
	}
}

/* /proc/<pid>/net/dev: "  eth0: RXBYTES ... (8 fields) TXBYTES ..." */
static void net(pid_t pid, struct hull_ctr_sample *s)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;
		uint64_t rx, tx, skip;
		if (!colon)
			continue;
		*colon = '\0';
		while (*name == ' ')
			name++;
		if (!strcmp(name, "lo"))
			continue;
		if (sscanf(colon + 1,
			   "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			   " %" SCNu64 " %" SCNu64 " %" SCNu64,
			   &rx, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &tx) == 9) {
			s->net_rx += rx;
			s->net_tx += tx;
		}
	}
	fclose(f);
}

int hull_ctr_sample(const struct hull_engine *e, const struct hull_ctr *c,
		    struct hull_ctr_sample *s, struct hull_err *err)
{
	static const char *cpu[] = {"cpu", "usage", "total", NULL};
	static const char *usage[] = {"memory", "usage", "usage", NULL};
	static const char *limit[] = {"memory", "usage", "limit", NULL};
	static const char *inactive[] = {"memory", "raw", "total_inactive_file", NULL};
	static const char *inactive2[] = {"memory", "raw", "inactive_file", NULL};
	static const char *pids[] = {"pids", "current", NULL};
	cleanup_free char *json = NULL;
	struct timespec t;
	yajl_val root;
	pid_t pid;
	enum hull_status st = hull_ctr_status(e, c, &pid);
	uint64_t cache;

	memset(s, 0, sizeof(*s));
	if (st != HULL_RUNNING && st != HULL_PAUSED)
		return hull_error(err, ESRCH, "container %s is not running", c->name);
	if (hull_container_stats(e->runroot, c->id, &json, err) < 0)
		return -1;
	root = yajl_tree_parse(json, NULL, 0);
	if (!root)
		return hull_error(err, EINVAL, "the statistics of %s are not JSON", c->name);
	clock_gettime(CLOCK_MONOTONIC, &t);
	s->when_ns = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
	s->cpu_ns = num(root, cpu);
	s->mem_usage = num(root, usage);
	/* docker subtracts the inactive page cache, which the kernel can drop at will */
	cache = num(root, inactive) ? num(root, inactive) : num(root, inactive2);
	s->mem_usage = s->mem_usage > cache ? s->mem_usage - cache : s->mem_usage;
	s->mem_limit = num(root, limit);
	if (s->mem_limit >= NO_LIMIT)
		s->mem_limit = 0;
	s->pids = num(root, pids);
	blkio(root, s);
	yajl_tree_free(root);
	net(pid, s);
	return 0;
}
