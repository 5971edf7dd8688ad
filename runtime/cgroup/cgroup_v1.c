/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources -> cgroup v1 files (memory, cpu, cpuset, pids, blkio, hugetlb, net_cls,
 * net_prio, devices).  v1 takes the spec's units as they are. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"

const struct hull_cg_dev_rule hull_cg_default_devices[] = {
	{true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"},	  /* mknod of anything */
	{true, 'c', 1, 3, "rwm"},    {true, 'c', 1, 5, "rwm"},	  /* null, zero */
	{true, 'c', 1, 7, "rwm"},    {true, 'c', 1, 8, "rwm"},	  /* full, random */
	{true, 'c', 1, 9, "rwm"},    {true, 'c', 5, 0, "rwm"},	  /* urandom, tty */
	{true, 'c', 5, 1, "rwm"},    {true, 'c', 5, 2, "rwm"},	  /* console, ptmx */
	{true, 'c', 136, -1, "rwm"}, {true, 'c', 10, 200, "rwm"}, /* pts, net/tun */
};
const size_t hull_cg_n_default_devices = ARRAY_SIZE(hull_cg_default_devices);

void hull_cg_writes_add(struct hull_cg_writes *ws, const char *ctrl, char *file, char *value)
{
	struct hull_cg_write *w;
	ws->w = xrealloc(ws->w, (ws->n + 1) * sizeof(*ws->w));
	w = &ws->w[ws->n++];
	memset(w, 0, sizeof(*w));
	snprintf(w->ctrl, sizeof(w->ctrl), "%s", ctrl);
	w->file = file;
	w->value = value;
}

void hull_cg_writes_free(struct hull_cg_writes *ws)
{
	size_t i;
	for (i = 0; i < ws->n; i++) {
		free(ws->w[i].file);
		free(ws->w[i].value);
		free(ws->w[i].alt_file);
		free(ws->w[i].alt_value);
	}
	free(ws->w);
	ws->w = NULL;
	ws->n = 0;
}

#define ADD(ctrl, file, ...) hull_cg_writes_add(ws, ctrl, xstrdup(file), hull_strfmt(__VA_ARGS__))

/* cpuset and pids have the same files and values in v1 and v2 */
void hull_cg_writes_cpuset_pids(const struct hull_cg_resources *r, unsigned mask,
				struct hull_cg_writes *ws)
{
	if ((mask & HULL_CG_CPUSET) && r->cpu.cpus)
		ADD("cpuset", "cpuset.cpus", "%s", r->cpu.cpus);
	if ((mask & HULL_CG_CPUSET) && r->cpu.mems)
		ADD("cpuset", "cpuset.mems", "%s", r->cpu.mems);
	if ((mask & HULL_CG_PIDS) && r->pids_limit.set) {
		if (r->pids_limit.v > 0)
			ADD("pids", "pids.max", "%" PRId64, r->pids_limit.v);
		else
			ADD("pids", "pids.max", "max");
	}
}

static void memory(const struct hull_cg_resources *r, struct hull_cg_writes *ws)
{
	if (r->memory.limit.set) {
		ADD("memory", "memory.limit_in_bytes", "%" PRId64, r->memory.limit.v);
		/* raising both past the old swap limit needs memsw first */
		if (r->memory.swap.set)
			ws->w[ws->n - 1].retry_swapped = true;
	}
	if (r->memory.swap.set) {
		ADD("memory", "memory.memsw.limit_in_bytes", "%" PRId64, r->memory.swap.v);
	} else if (r->memory.limit.set && r->memory.limit.v == -1) {
		/* no memory limit means no memory+swap limit either (where swap is accounted);
		 * memsw first, it may not be below the memory limit */
		ADD("memory", "memory.memsw.limit_in_bytes", "-1");
		ws->w[ws->n - 1].optional = true;
		ws->w[ws->n - 2].retry_swapped = true;
	}
	if (r->memory.reservation.set)
		ADD("memory", "memory.soft_limit_in_bytes", "%" PRId64, r->memory.reservation.v);
	/* memory.kernel is ignored as in runc: the kernel dropped kmem limits (5.16). */
	if (r->memory.kernel_tcp.set)
		ADD("memory", "memory.kmem.tcp.limit_in_bytes", "%" PRId64, r->memory.kernel_tcp.v);
	if (r->memory.swappiness.set)
		ADD("memory", "memory.swappiness", "%" PRId64, r->memory.swappiness.v);
	if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer)
		ADD("memory", "memory.oom_control", "1");
}

static void cpu(const struct hull_cg_resources *r, struct hull_cg_writes *ws)
{
	if (r->cpu.shares.set)
		ADD("cpu", "cpu.shares", "%" PRId64, r->cpu.shares.v);
	if (r->cpu.period.set)
		ADD("cpu", "cpu.cfs_period_us", "%" PRId64, r->cpu.period.v);
	if (r->cpu.quota.set)
		ADD("cpu", "cpu.cfs_quota_us", "%" PRId64, r->cpu.quota.v);
	if (r->cpu.burst.set)
		ADD("cpu", "cpu.cfs_burst_us", "%" PRId64, r->cpu.burst.v);
	/* realtime only when asked for: a zero write fails where the kernel has no RT groups */
	if (r->cpu.rt_period.set && r->cpu.rt_period.v)
		ADD("cpu", "cpu.rt_period_us", "%" PRId64, r->cpu.rt_period.v);
	if (r->cpu.rt_runtime.set && r->cpu.rt_runtime.v)
		ADD("cpu", "cpu.rt_runtime_us", "%" PRId64, r->cpu.rt_runtime.v);
	if (r->cpu.idle.set)
		ADD("cpu", "cpu.idle", "%" PRId64, r->cpu.idle.v);
}

static void rates(const char *file, const struct hull_cg_rate_list *l, struct hull_cg_writes *ws)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		ADD("blkio", file, "%" PRId64 ":%" PRId64 " %" PRIu64, l->d[i].major, l->d[i].minor,
		    l->d[i].rate);
}

/* Kernels with BFQ and without CFQ have only the blkio.bfq.* weight files. */
static void with_bfq(struct hull_cg_writes *ws, const char *alt)
{
	ws->w[ws->n - 1].alt_file = xstrdup(alt);
	ws->w[ws->n - 1].alt_value = xstrdup(ws->w[ws->n - 1].value);
}

static void blkio(const struct hull_cg_resources *r, struct hull_cg_writes *ws)
{
	size_t i;
	if (r->blkio.weight.set) {
		ADD("blkio", "blkio.weight", "%" PRId64, r->blkio.weight.v);
		with_bfq(ws, "blkio.bfq.weight");
	}
	if (r->blkio.leaf_weight.set)
		ADD("blkio", "blkio.leaf_weight", "%" PRId64, r->blkio.leaf_weight.v);
	for (i = 0; i < r->blkio.n_weight_devs; i++) {
		const struct hull_cg_weight_dev *d = &r->blkio.weight_devs[i];
		if (d->weight.set) {
			ADD("blkio", "blkio.weight_device", "%" PRId64 ":%" PRId64 " %" PRId64,
			    d->major, d->minor, d->weight.v);
			with_bfq(ws, "blkio.bfq.weight_device");
		}
		if (d->leaf_weight.set)
			ADD("blkio", "blkio.leaf_weight_device", "%" PRId64 ":%" PRId64 " %" PRId64,
			    d->major, d->minor, d->leaf_weight.v);
	}
	rates("blkio.throttle.read_bps_device", &r->blkio.read_bps, ws);
	rates("blkio.throttle.write_bps_device", &r->blkio.write_bps, ws);
	rates("blkio.throttle.read_iops_device", &r->blkio.read_iops, ws);
	rates("blkio.throttle.write_iops_device", &r->blkio.write_iops, ws);
}

int hull_cg_v1_writes(const struct hull_cg_resources *r, unsigned mask, struct hull_cg_writes *ws,
		      struct hull_err *err)
{
	size_t i;
	mask &= r->sections;
	if (mask & HULL_CG_UNIFIED)
		return hull_error(err, EINVAL,
				  "linux.resources.unified needs cgroup v2 (`%s` on a v1 host)",
				  r->unified[0].key);
	if (mask & HULL_CG_MEMORY)
		memory(r, ws);
	if (mask & HULL_CG_CPU)
		cpu(r, ws);
	hull_cg_writes_cpuset_pids(r, mask, ws);
	if (mask & HULL_CG_BLKIO)
		blkio(r, ws);
	for (i = 0; (mask & HULL_CG_HUGETLB) && i < r->n_hugetlb; i++) {
		cleanup_free char *f =
			hull_strfmt("hugetlb.%s.limit_in_bytes", r->hugetlb[i].page_size);
		ADD("hugetlb", f, "%" PRIu64, r->hugetlb[i].limit);
	}
	if ((mask & HULL_CG_NETWORK) && r->network.class_id.set)
		ADD("net_cls", "net_cls.classid", "%" PRId64, r->network.class_id.v);
	for (i = 0; (mask & HULL_CG_NETWORK) && i < r->network.n_prios; i++)
		ADD("net_prio", "net_prio.ifpriomap", "%s %u", r->network.prios[i].name,
		    r->network.prios[i].priority);
	return 0;
}

static void dev_rule(const struct hull_cg_dev_rule *d, struct hull_cg_writes *ws)
{
	char maj[24] = "*", min[24] = "*";
	if (d->type == 'a') {
		/* "a" alone stands for every device and every access */
		ADD("devices", d->allow ? "devices.allow" : "devices.deny", "a");
		return;
	}
	if (d->major >= 0)
		snprintf(maj, sizeof(maj), "%" PRId64, d->major);
	if (d->minor >= 0)
		snprintf(min, sizeof(min), "%" PRId64, d->minor);
	ADD("devices", d->allow ? "devices.allow" : "devices.deny", "%c %s:%s %s", d->type, maj,
	    min, d->access);
}

void hull_cg_v1_device_writes(const struct hull_cg_resources *r, const struct hull_linux *lx,
			      struct hull_cg_writes *ws)
{
	size_t i;
	ADD("devices", "devices.deny", "a");
	for (i = 0; i < r->n_devices; i++)
		dev_rule(&r->devices[i], ws);
	for (i = 0; i < hull_cg_n_default_devices; i++)
		dev_rule(&hull_cg_default_devices[i], ws);
	for (i = 0; lx && i < lx->n_devices; i++) {
		const struct hull_device *d = &lx->devices[i];
		struct hull_cg_dev_rule rule = {true, d->type == 'u' ? 'c' : d->type, d->major,
						d->minor, "rwm"};
		if (d->type == 'p')
			continue; /* fifos are not device-controlled */
		dev_rule(&rule, ws);
	}
}
