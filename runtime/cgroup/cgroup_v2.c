/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources -> cgroup v2 files, with the conversions runc and crun make from the v1
 * units the spec uses (shares -> cpu.weight, quota/period -> cpu.max, swap = memory+swap
 * total -> memory.swap.max, blkio weight -> io.weight). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"

#define ADD(ctrl, file, ...) hull_cg_writes_add(ws, ctrl, xstrdup(file), hull_strfmt(__VA_ARGS__))

uint64_t hull_cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t hull_cg_blkio_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + ((weight - 10) * 9999) / 990;
}

static void max_or(char *buf, size_t n, int64_t v)
{
	if (v < 0)
		snprintf(buf, n, "max");
	else
		snprintf(buf, n, "%" PRId64, v);
}

static int memory(const struct hull_cg_resources *r, struct hull_cg_writes *ws,
		  struct hull_err *err)
{
	char buf[32];
	if (r->memory.limit.set) {
		max_or(buf, sizeof(buf), r->memory.limit.v);
		ADD("memory", "memory.max", "%s", buf);
	}
	if (r->memory.reservation.set) {
		max_or(buf, sizeof(buf), r->memory.reservation.v);
		ADD("memory", "memory.low", "%s", buf);
	}
	if (r->memory.swap.set) {
		/* the spec's swap is memory+swap; v2 limits the swap alone */
		int64_t swap = r->memory.swap.v;
		if (swap >= 0) {
			if (!r->memory.limit.set || r->memory.limit.v < 0)
				return hull_error(err, EINVAL,
						  "memory.swap.max: linux.resources.memory.swap "
						  "(%" PRId64 ") needs a memory limit on cgroup v2",
						  swap);
			if (swap < r->memory.limit.v)
				return hull_error(err, EINVAL,
						  "memory.swap.max: linux.resources.memory.swap "
						  "(%" PRId64 ") is below memory.limit (%" PRId64
						  ")",
						  swap, r->memory.limit.v);
			swap -= r->memory.limit.v;
		}
		max_or(buf, sizeof(buf), swap);
		ADD("memory", "memory.swap.max", "%s", buf);
	}
	/* swappiness, kernel, kernelTCP and disableOOMKiller have no v2 files: ignored, as by
	 * crun */
	return 0;
}

static int cpu(const struct hull_cg_resources *r, struct hull_cg_writes *ws, struct hull_err *err)
{
	if (r->cpu.shares.set && r->cpu.shares.v)
		ADD("cpu", "cpu.weight", "%" PRIu64,
		    hull_cg_shares_to_weight((uint64_t)r->cpu.shares.v));
	if (r->cpu.quota.set || r->cpu.period.set) {
		char q[32];
		int64_t period = r->cpu.period.set && r->cpu.period.v ? r->cpu.period.v : 100000;
		max_or(q, sizeof(q), r->cpu.quota.set && r->cpu.quota.v ? r->cpu.quota.v : -1);
		ADD("cpu", "cpu.max", "%s %" PRId64, q, period);
	}
	if (r->cpu.burst.set)
		ADD("cpu", "cpu.max.burst", "%" PRId64, r->cpu.burst.v);
	if ((r->cpu.rt_runtime.set && r->cpu.rt_runtime.v) ||
	    (r->cpu.rt_period.set && r->cpu.rt_period.v))
		return hull_error(err, EINVAL,
				  "linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 "
				  "has no realtime CPU limits");
	if (r->cpu.idle.set)
		ADD("cpu", "cpu.idle", "%" PRId64, r->cpu.idle.v);
	return 0;
}

static void io_rates(const struct hull_cg_rate_list *l, const char *key, struct hull_cg_writes *ws)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		ADD("io", "io.max", "%" PRId64 ":%" PRId64 " %s=%" PRIu64, l->d[i].major,
		    l->d[i].minor, key, l->d[i].rate);
}

/* io.bfq.weight (BFQ's, same 1..1000 scale as blkio) when present, else io.weight. */
static void io_weight(struct hull_cg_writes *ws, const char *dev, uint64_t w)
{
	ADD("io", "io.bfq.weight", "%s%" PRIu64, dev, w);
	ws->w[ws->n - 1].alt_file = xstrdup("io.weight");
	ws->w[ws->n - 1].alt_value = hull_strfmt("%s%" PRIu64, dev, hull_cg_blkio_to_io_weight(w));
}

static void io(const struct hull_cg_resources *r, struct hull_cg_writes *ws)
{
	size_t i;
	if (r->blkio.weight.set && r->blkio.weight.v)
		io_weight(ws, "", (uint64_t)r->blkio.weight.v);
	for (i = 0; i < r->blkio.n_weight_devs; i++) {
		const struct hull_cg_weight_dev *d = &r->blkio.weight_devs[i];
		cleanup_free char *dev =
			hull_strfmt("%" PRId64 ":%" PRId64 " ", d->major, d->minor);
		if (d->weight.set && d->weight.v)
			io_weight(ws, dev, (uint64_t)d->weight.v);
	}
	/* leafWeight has no v2 counterpart (ignored, as by runc) */
	io_rates(&r->blkio.read_bps, "rbps", ws);
	io_rates(&r->blkio.write_bps, "wbps", ws);
	io_rates(&r->blkio.read_iops, "riops", ws);
	io_rates(&r->blkio.write_iops, "wiops", ws);
}

static int unified(const struct hull_cg_resources *r, struct hull_cg_writes *ws,
		   struct hull_err *err)
{
	size_t i;
	for (i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key, *dot = strchr(k, '.');
		char ctrl[16] = "";
		if (!dot || strchr(k, '/') || k[0] == '.' || !strcmp(k, "cgroup.procs") ||
		    !strcmp(k, "cgroup.threads") || !strcmp(k, "cgroup.subtree_control"))
			return hull_error(err, EINVAL,
					  "linux.resources.unified: `%s` is not a cgroup v2 "
					  "interface file it may set",
					  k);
		if (strncmp(k, "cgroup.", 7))
			snprintf(ctrl, sizeof(ctrl), "%.*s", (int)(dot - k), k);
		ADD(ctrl, k, "%s", r->unified[i].value);
	}
	return 0;
}

int hull_cg_v2_writes(const struct hull_cg_resources *r, unsigned mask, struct hull_cg_writes *ws,
		      struct hull_err *err)
{
	size_t i;
	mask &= r->sections;
	if ((mask & HULL_CG_MEMORY) && memory(r, ws, err) < 0)
		return -1;
	if ((mask & HULL_CG_CPU) && cpu(r, ws, err) < 0)
		return -1;
	hull_cg_writes_cpuset_pids(r, mask, ws);
	if (mask & HULL_CG_BLKIO)
		io(r, ws);
	for (i = 0; (mask & HULL_CG_HUGETLB) && i < r->n_hugetlb; i++) {
		cleanup_free char *f = hull_strfmt("hugetlb.%s.max", r->hugetlb[i].page_size);
		ADD("hugetlb", f, "%" PRIu64, r->hugetlb[i].limit);
	}
	/* network (net_cls/net_prio) has no v2 controller: ignored, as by runc and crun */
	if ((mask & HULL_CG_UNIFIED) && unified(r, ws, err) < 0)
		return -1;
	return 0;
}
