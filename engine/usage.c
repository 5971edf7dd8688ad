/* SPDX-License-Identifier: Apache-2.0 */
/* Counters of a cgroup, through libcgroup's readers: cgroup_init() costs milliseconds (it
 * reads the mount table and every controller), which is why the start path does its own
 * cgroupfs I/O (docs/architecture.md) and why this is used only once a workload is over. */
#include "engine/usage.h"

#include <errno.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 256

static int init_once(struct hull_err *err)
{
	static int done, rc;
	if (!done) {
		rc = cgroup_init();
		done = 1;
	}
	if (rc)
		return hull_error(err, 0, "libcgroup: %s", cgroup_strerror(rc));
	return 0;
}

/* Each line of controller's file `name` in the cgroup at path goes to fn; false when the file
 * cannot be read (not this hierarchy's, or an older kernel). */
static bool each_line(const char *controller, const char *path, const char *name,
		      void (*fn)(const char *line, void *arg), void *arg)
{
	char line[LINE_MAX_LEN];
	void *h = NULL;
	int r = cgroup_read_value_begin(controller, path, (char *)name, &h, line, sizeof(line));

	if (r != 0) {
		if (h)
			cgroup_read_value_end(&h);
		return false;
	}
	do
		fn(line, arg);
	while (cgroup_read_value_next(&h, line, sizeof(line)) == 0);
	cgroup_read_value_end(&h);
	return true;
}

static void first_number(const char *line, void *arg)
{
	uint64_t *v = arg;
	if (!*v)
		*v = strtoull(line, NULL, 10);
}

/* cgroup v2 key-value lines ("usage_usec 123") */
struct keyed {
	const char *key;
	uint64_t v;
};
static void keyed_number(const char *line, void *arg)
{
	struct keyed *k = arg;
	size_t n = strlen(k->key);
	if (!strncmp(line, k->key, n) && line[n] == ' ')
		k->v = strtoull(line + n + 1, NULL, 10);
}

/* v1 blkio: "8:0 Read 4096", per device, then a "Total" line */
static void blkio_line(const char *line, void *arg)
{
	struct hull_cgroup_usage *u = arg;
	char dev[32], op[16];
	uint64_t v;
	if (sscanf(line, "%31s %15s %" SCNu64, dev, op, &v) != 3)
		return;
	if (!strcmp(op, "Read"))
		u->read_bytes += v;
	else if (!strcmp(op, "Write"))
		u->write_bytes += v;
}

/* v2 io.stat: "8:0 rbytes=4096 wbytes=0 rios=1 ..." */
static void io_stat_line(const char *line, void *arg)
{
	struct hull_cgroup_usage *u = arg;
	const char *p;
	if ((p = strstr(line, "rbytes=")))
		u->read_bytes += strtoull(p + 7, NULL, 10);
	if ((p = strstr(line, "wbytes=")))
		u->write_bytes += strtoull(p + 7, NULL, 10);
}

int hull_cgroup_usage_read(const char *path, struct hull_cgroup_usage *u, struct hull_err *err)
{
	struct keyed usage = {"usage_usec", 0};

	memset(u, 0, sizeof(*u));
	if (init_once(err) < 0)
		return -1;
	if (!each_line("cpuacct", path, "cpuacct.usage", first_number, &u->cpu_ns)) {
		if (!each_line("cpu", path, "cpu.stat", keyed_number, &usage))
			return hull_error(err, ENOENT, "no CPU accounting for cgroup `%s`", path);
		u->cpu_ns = usage.v * 1000;
	}
	if (!each_line("memory", path, "memory.max_usage_in_bytes", first_number, &u->peak_bytes))
		each_line("memory", path, "memory.peak", first_number, &u->peak_bytes);
	if (!each_line("blkio", path, "blkio.throttle.io_service_bytes_recursive", blkio_line, u))
		each_line("io", path, "io.stat", io_stat_line, u);
	return 0;
}
