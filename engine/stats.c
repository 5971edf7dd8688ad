/* SPDX-License-Identifier: Apache-2.0 */
/* `hull stats`: a few cgroupfs and procfs reads per container and sample, v1 or v2 alike
 * (the controller's hierarchy decides which files), the cgroups discovered once for all.
 * `hull-oci events --stats` has runc's whole statistics; a table refreshed every second,
 * and `--no-stream` of 20 containers in well under 100 ms, want far less. */
#include "engine/stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/ops.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"
#include "runtime/state.h"

/* one small file, read whole */
static bool rd(const char *dir, const char *file, char *buf, size_t n)
{
	char path[512];
	FILE *f;
	size_t got;

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return false;
	got = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[got] = '\0';
	return got > 0;
}

static uint64_t number(const char *dir, const char *file)
{
	char buf[64];
	if (!rd(dir, file, buf, sizeof(buf)) || !strncmp(buf, "max", 3))
		return 0;
	return strtoull(buf, NULL, 10);
}

/* "key value" lines */
static uint64_t keyed(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
	return 0;
}

int hull_stats_target(const struct hull_engine *e, const struct hull_cgroups *cg,
		      const struct hull_ctr *c, struct hull_stats_target *t, struct hull_err *err)
{
	cleanup_state struct hull_state *st = NULL;

	memset(t, 0, sizeof(*t));
	if (hull_state_load(e->runroot, c->id, &st, NULL) < 0 ||
	    (st->status != HULL_RUNNING && st->status != HULL_PAUSED) || !st->cgroup_path ||
	    !*st->cgroup_path)
		return hull_error(err, ESRCH, "container %s is not running", c->name);
	t->pid = st->pid;
	/* cpuacct on v1 (cpu.stat there has no usage), cpu on v2 */
	t->cpu = hull_cgroup_dir_for(cg, "cpuacct", st->cgroup_path, &t->cpu_v2);
	if (!t->cpu)
		t->cpu = hull_cgroup_dir_for(cg, "cpu", st->cgroup_path, &t->cpu_v2);
	t->memory = hull_cgroup_dir_for(cg, "memory", st->cgroup_path, &t->memory_v2);
	t->pids = hull_cgroup_dir_for(cg, "pids", st->cgroup_path, NULL);
	t->blkio = hull_cgroup_dir_for(cg, "blkio", st->cgroup_path, &t->blkio_v2);
	if (!t->blkio)
		t->blkio = hull_cgroup_dir_for(cg, "io", st->cgroup_path, &t->blkio_v2);
	return 0;
}

void hull_stats_target_free(struct hull_stats_target *t)
{
	free(t->cpu);
	free(t->memory);
	free(t->pids);
	free(t->blkio);
	memset(t, 0, sizeof(*t));
}

/* v1: "8:0 Read 4096" per device, then totals; v2 io.stat: "8:0 rbytes=4096 wbytes=0 ..." */
static void block_io(const struct hull_stats_target *t, struct hull_ctr_sample *s)
{
	char buf[8192];
	const char *p;

	if (!t->blkio_v2) {
		if (!rd(t->blkio, "blkio.throttle.io_service_bytes_recursive", buf, sizeof(buf)))
			return;
		for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
			char dev[32], op[16];
			uint64_t v;
			if (sscanf(p, "%31s %15s %" SCNu64, dev, op, &v) == 3 && strchr(dev, ':')) {
				if (!strcmp(op, "Read"))
					s->blk_read += v;
				else if (!strcmp(op, "Write"))
					s->blk_write += v;
			}
		}
		return;
	}
	if (!rd(t->blkio, "io.stat", buf, sizeof(buf)))
		return;
	for (p = buf; p; p = strchr(p + 1, '\n')) {
		const char *r = strstr(p, "rbytes="), *w = strstr(p, "wbytes=");
		const char *nl = strchr(p + 1, '\n');
		if (r && (!nl || r < nl))
			s->blk_read += strtoull(r + 7, NULL, 10);
		if (w && (!nl || w < nl))
			s->blk_write += strtoull(w + 7, NULL, 10);
	}
}

/* /proc/<pid>/net/dev: "  eth0: RXBYTES (7 more) TXBYTES ..." */
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

int hull_stats_sample(const struct hull_stats_target *t, struct hull_ctr_sample *s,
		      struct hull_err *err)
{
	char stat[16384];
	struct timespec now;
	uint64_t cache = 0;

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_MONOTONIC, &now);
	s->when_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	if (t->cpu_v2) {
		if (!rd(t->cpu, "cpu.stat", stat, sizeof(stat)))
			return hull_error(err, ESRCH, "the cgroup %s is gone", t->cpu);
		s->cpu_ns = keyed(stat, "usage_usec") * 1000;
	} else if (t->cpu) {
		char buf[64];
		if (!rd(t->cpu, "cpuacct.usage", buf, sizeof(buf)))
			return hull_error(err, ESRCH, "the cgroup %s is gone", t->cpu);
		s->cpu_ns = strtoull(buf, NULL, 10);
	}
	s->mem_usage = number(t->memory, t->memory_v2 ? "memory.current" : "memory.usage_in_bytes");
	s->mem_limit = number(t->memory, t->memory_v2 ? "memory.max" : "memory.limit_in_bytes");
	/* a v1 limit of "none" is the largest page-aligned number */
	if (s->mem_limit >= (UINT64_C(1) << 62))
		s->mem_limit = 0;
	/* docker subtracts the inactive page cache, which the kernel can drop at will */
	if (rd(t->memory, "memory.stat", stat, sizeof(stat)))
		cache = keyed(stat, t->memory_v2 ? "inactive_file" : "total_inactive_file");
	s->mem_usage = s->mem_usage > cache ? s->mem_usage - cache : s->mem_usage;
	s->pids = number(t->pids, "pids.current");
	block_io(t, s);
	net(t->pid, s);
	return 0;
}
