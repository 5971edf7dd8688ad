/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statistics of a container's cgroup in runc's `events --stats` shape (cpu, memory, pids,
 * blkio, hugetlb), read from v1 or v2 files, whichever hierarchy holds each controller.
 * Plain reads, like the writes in cgroup_apply.c (see docs/architecture.md, "Resources").
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/resources.h"

char *hull_cgroup_dir_for(const struct hull_cgroups *cg, const char *ctrl, const char *path,
			  bool *v2)
{
	const struct hull_cgroup_hier *h = hull_cgroup_hier_for(cg, ctrl);
	if (!h)
		return NULL;
	if (v2)
		*v2 = h->v2;
	return hull_strfmt("%s%s", h->mountpoint, path);
}

/* A one-number file; "max" reads as UINT64_MAX. */
static bool rd_u64(const char *dir, const char *file, uint64_t *v)
{
	cleanup_free char *p = hull_strfmt("%s/%s", dir, file), *buf = NULL;
	if (!dir || hull_read_file(p, &buf, NULL, NULL) < 0)
		return false;
	*v = hull_has_prefix(buf, "max") ? UINT64_MAX : strtoull(buf, NULL, 10);
	return true;
}

/* "key value" lines (memory.stat, cpu.stat, memory.events). */
static bool rd_key(const char *dir, const char *file, const char *key, uint64_t *v)
{
	cleanup_free char *p = hull_strfmt("%s/%s", dir, file), *buf = NULL;
	char *line, *save = NULL;
	size_t n = strlen(key);
	if (!dir || hull_read_file(p, &buf, NULL, NULL) < 0)
		return false;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, n) && line[n] == ' ') {
			*v = strtoull(line + n + 1, NULL, 10);
			return true;
		}
	return false;
}

static void gen_num(yajl_gen g, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
	yajl_gen_number(g, buf, (size_t)n);
}

static void gen_u64(yajl_gen g, const char *key, uint64_t v)
{
	hull_gen_str(g, key);
	gen_num(g, v);
}

static void gen_file(yajl_gen g, const char *key, const char *dir, const char *file)
{
	uint64_t v = 0;
	rd_u64(dir, file, &v);
	gen_u64(g, key, v);
}

static void cpu(yajl_gen g, const struct hull_cgroups *cg, const char *path)
{
	bool v2 = false;
	cleanup_free char *acct = hull_cgroup_dir_for(cg, "cpuacct", path, &v2);
	cleanup_free char *cpu = hull_cgroup_dir_for(cg, "cpu", path, NULL);
	cleanup_free char *core = hull_cgroup_dir_for(cg, "", path, NULL);
	uint64_t v = 0;

	hull_gen_str(g, "cpu");
	yajl_gen_map_open(g);
	hull_gen_str(g, "usage");
	yajl_gen_map_open(g);
	if (acct && !v2) {
		cleanup_free char *p = hull_strfmt("%s/cpuacct.usage_percpu", acct), *buf = NULL;
		gen_file(g, "total", acct, "cpuacct.usage");
		hull_gen_str(g, "percpu");
		yajl_gen_array_open(g);
		if (hull_read_file(p, &buf, NULL, NULL) == 0) {
			char *tok, *save = NULL;
			for (tok = strtok_r(buf, " \n", &save); tok;
			     tok = strtok_r(NULL, " \n", &save))
				gen_num(g, strtoull(tok, NULL, 10));
		}
		yajl_gen_array_close(g);
		/* cpuacct.stat counts USER_HZ ticks */
		v = 0;
		rd_key(acct, "cpuacct.stat", "system", &v);
		gen_u64(g, "kernel", v * (1000000000 / 100));
		v = 0;
		rd_key(acct, "cpuacct.stat", "user", &v);
		gen_u64(g, "user", v * (1000000000 / 100));
	} else {
		/* v2: cpu.stat is a core file, usec */
		rd_key(core, "cpu.stat", "usage_usec", &v);
		gen_u64(g, "total", v * 1000);
		v = 0;
		rd_key(core, "cpu.stat", "system_usec", &v);
		gen_u64(g, "kernel", v * 1000);
		v = 0;
		rd_key(core, "cpu.stat", "user_usec", &v);
		gen_u64(g, "user", v * 1000);
	}
	yajl_gen_map_close(g);
	hull_gen_str(g, "throttling");
	yajl_gen_map_open(g);
	v = 0;
	rd_key(cpu ? cpu : core, "cpu.stat", "nr_periods", &v);
	gen_u64(g, "periods", v);
	v = 0;
	rd_key(cpu ? cpu : core, "cpu.stat", "nr_throttled", &v);
	gen_u64(g, "throttledPeriods", v);
	v = 0;
	if (rd_key(cpu ? cpu : core, "cpu.stat", "throttled_usec", &v))
		v *= 1000;
	else
		rd_key(cpu, "cpu.stat", "throttled_time", &v);
	gen_u64(g, "throttledTime", v);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void mem_entry(yajl_gen g, const char *key, const char *dir, const char *prefix, bool v2)
{
	cleanup_free char *u = NULL, *m = NULL, *f = NULL, *l = NULL;
	hull_gen_str(g, key);
	yajl_gen_map_open(g);
	if (v2) {
		u = hull_strfmt("%s.current", prefix);
		m = hull_strfmt("%s.peak", prefix);
		l = hull_strfmt("%s.max", prefix);
		gen_file(g, "usage", dir, u);
		gen_file(g, "max", dir, m);
		gen_u64(g, "failcnt", 0);
		gen_file(g, "limit", dir, l);
	} else {
		u = hull_strfmt("%susage_in_bytes", prefix);
		m = hull_strfmt("%smax_usage_in_bytes", prefix);
		f = hull_strfmt("%sfailcnt", prefix);
		l = hull_strfmt("%slimit_in_bytes", prefix);
		gen_file(g, "usage", dir, u);
		gen_file(g, "max", dir, m);
		gen_file(g, "failcnt", dir, f);
		gen_file(g, "limit", dir, l);
	}
	yajl_gen_map_close(g);
}

static void memory(yajl_gen g, const struct hull_cgroups *cg, const char *path)
{
	bool v2 = false;
	cleanup_free char *dir = hull_cgroup_dir_for(cg, "memory", path, &v2);
	cleanup_free char *stat = dir ? hull_strfmt("%s/memory.stat", dir) : NULL, *buf = NULL;
	uint64_t cache = 0;

	if (!dir)
		return;
	hull_gen_str(g, "memory");
	yajl_gen_map_open(g);
	rd_key(dir, "memory.stat", v2 ? "file" : "cache", &cache);
	gen_u64(g, "cache", cache);
	mem_entry(g, "usage", dir, v2 ? "memory" : "memory.", v2);
	mem_entry(g, "swap", dir, v2 ? "memory.swap" : "memory.memsw.", v2);
	if (!v2) {
		mem_entry(g, "kernel", dir, "memory.kmem.", false);
		mem_entry(g, "kernelTCP", dir, "memory.kmem.tcp.", false);
	}
	hull_gen_str(g, "raw");
	yajl_gen_map_open(g);
	if (hull_read_file(stat, &buf, NULL, NULL) == 0) {
		char *line, *save = NULL;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *sp = strchr(line, ' ');
			if (!sp)
				continue;
			*sp = '\0';
			gen_u64(g, line, strtoull(sp + 1, NULL, 10));
		}
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void pids(yajl_gen g, const struct hull_cgroups *cg, const char *path)
{
	cleanup_free char *dir = hull_cgroup_dir_for(cg, "pids", path, NULL);
	uint64_t max = 0;
	if (!dir)
		return;
	hull_gen_str(g, "pids");
	yajl_gen_map_open(g);
	gen_file(g, "current", dir, "pids.current");
	rd_u64(dir, "pids.max", &max);
	gen_u64(g, "limit", max == UINT64_MAX ? 0 : max);
	yajl_gen_map_close(g);
}

static void blk_entry(yajl_gen g, const char *dev, const char *op, uint64_t v)
{
	unsigned maj = 0, min = 0;
	sscanf(dev, "%u:%u", &maj, &min);
	yajl_gen_map_open(g);
	hull_gen_str(g, "major");
	yajl_gen_integer(g, maj);
	hull_gen_str(g, "minor");
	yajl_gen_integer(g, min);
	hull_gen_str(g, "op");
	hull_gen_str(g, op);
	gen_u64(g, "value", v);
	yajl_gen_map_close(g);
}

/* v1: "8:0 Read 4096" lines; v2 io.stat: "8:0 rbytes=.. wbytes=.. rios=.. wios=..". */
static void blk_list(yajl_gen g, const char *key, const char *dir, bool v2, bool bytes)
{
	cleanup_free char *p = NULL, *buf = NULL;
	char *line, *save = NULL;
	p = v2 ? hull_strfmt("%s/io.stat", dir)
	       : hull_strfmt("%s/%s", dir,
			     bytes ? "blkio.throttle.io_service_bytes_recursive"
				   : "blkio.throttle.io_serviced_recursive");
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	if (hull_read_file(p, &buf, NULL, NULL) == 0) {
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char dev[32], op[32];
			unsigned long long v = 0, r = 0, w = 0;
			if (!v2) {
				if (sscanf(line, "%31s %31s %llu", dev, op, &v) == 3)
					blk_entry(g, dev, op, v);
				continue;
			}
			if (sscanf(line, "%31s", dev) != 1)
				continue;
			{
				const char *rk = strstr(line, bytes ? "rbytes=" : "rios=");
				const char *wk = strstr(line, bytes ? "wbytes=" : "wios=");
				if (rk)
					r = strtoull(strchr(rk, '=') + 1, NULL, 10);
				if (wk)
					w = strtoull(strchr(wk, '=') + 1, NULL, 10);
			}
			blk_entry(g, dev, "Read", r);
			blk_entry(g, dev, "Write", w);
			blk_entry(g, dev, "Total", r + w);
		}
	}
	yajl_gen_array_close(g);
}

static void blkio(yajl_gen g, const struct hull_cgroups *cg, const char *path)
{
	bool v2 = false;
	cleanup_free char *dir = hull_cgroup_dir_for(cg, "blkio", path, &v2);
	if (!dir)
		dir = hull_cgroup_dir_for(cg, "io", path, &v2);
	if (!dir)
		return;
	hull_gen_str(g, "blkio");
	yajl_gen_map_open(g);
	blk_list(g, "ioServiceBytesRecursive", dir, v2, true);
	blk_list(g, "ioServicedRecursive", dir, v2, false);
	yajl_gen_map_close(g);
}

/* hugepages-2048kB -> "2MB", the name the cgroup files use */
static void page_name(const char *d, char *out, size_t n)
{
	unsigned long kb = strtoul(d + strlen("hugepages-"), NULL, 10);
	if (kb >= 1024 * 1024)
		snprintf(out, n, "%luGB", kb / (1024 * 1024));
	else if (kb >= 1024)
		snprintf(out, n, "%luMB", kb / 1024);
	else
		snprintf(out, n, "%luKB", kb);
}

static void hugetlb(yajl_gen g, const struct hull_cgroups *cg, const char *path)
{
	bool v2 = false;
	cleanup_free char *dir = hull_cgroup_dir_for(cg, "hugetlb", path, &v2);
	DIR *d;
	struct dirent *de;
	if (!dir)
		return;
	hull_gen_str(g, "hugetlb");
	yajl_gen_map_open(g);
	d = opendir("/sys/kernel/mm/hugepages");
	while (d && (de = readdir(d))) {
		char name[32];
		uint64_t v = 0;
		if (!hull_has_prefix(de->d_name, "hugepages-"))
			continue;
		page_name(de->d_name, name, sizeof(name));
		hull_gen_str(g, name);
		yajl_gen_map_open(g);
		if (v2) {
			cleanup_free char *cur = hull_strfmt("hugetlb.%s.current", name);
			cleanup_free char *ev = hull_strfmt("hugetlb.%s.events", name);
			gen_file(g, "usage", dir, cur);
			gen_u64(g, "max", 0); /* v2 keeps no high-water mark */
			rd_key(dir, ev, "max", &v);
			gen_u64(g, "failcnt", v);
		} else {
			cleanup_free char *u = hull_strfmt("hugetlb.%s.usage_in_bytes", name);
			cleanup_free char *m = hull_strfmt("hugetlb.%s.max_usage_in_bytes", name);
			cleanup_free char *f = hull_strfmt("hugetlb.%s.failcnt", name);
			gen_file(g, "usage", dir, u);
			gen_file(g, "max", dir, m);
			gen_file(g, "failcnt", dir, f);
		}
		yajl_gen_map_close(g);
	}
	if (d)
		closedir(d);
	yajl_gen_map_close(g);
}

char *hull_cgroup_stats_json(const struct hull_cgroups *cg, const char *path)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	yajl_gen_map_open(g);
	cpu(g, cg, path);
	memory(g, cg, path);
	pids(g, cg, path);
	blkio(g, cg, path);
	hugetlb(g, cg, path);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

int hull_cgroup_oom_count(const struct hull_cgroups *cg, const char *path, uint64_t *count,
			  struct hull_err *err)
{
	bool v2 = false;
	cleanup_free char *dir = hull_cgroup_dir_for(cg, "memory", path, &v2);
	*count = 0;
	if (!dir)
		return hull_error(err, ENODEV, "cgroup: no memory controller for %s", path);
	if (v2 ? rd_key(dir, "memory.events", "oom_kill", count)
	       : rd_key(dir, "memory.oom_control", "oom_kill", count))
		return 0;
	return hull_error(err, ENOENT, "cgroup: no OOM counter in %s", dir);
}
