/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources as systemd unit properties (the systemd driver), with the conversions runc
 * makes: the spec's memory+swap -> MemorySwapMax (v2), shares -> CPUWeight (v2), quota/period
 * -> CPUQuotaPerSecUSec (rounded up to systemd's 10 ms steps), blkio weight -> IOWeight
 * (v2), the device rules -> DevicePolicy=strict + DeviceAllow. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "runtime/cgroup/systemd.h"
#include "runtime/cgroup/systemd_lib.h"

#define SD_INFINITY  UINT64_MAX
#define USEC_PER_SEC 1000000ULL
/* systemd keeps CPUQuotaPerSecUSec in steps of 10 ms */
#define SD_QUOTA_STEP	   10000ULL
#define DEFAULT_CPU_PERIOD 100000ULL

static uint64_t limit_or_infinity(const struct hull_cg_val *v)
{
	return v->v < 0 ? SD_INFINITY : (uint64_t)v->v;
}

/* CPUQuotaPerSecUSec for quota/period; *exact tells whether systemd's step kept it. */
static uint64_t quota_per_sec(const struct hull_cg_resources *r, bool *exact)
{
	uint64_t period = r->cpu.period.set && r->cpu.period.v > 0 ? (uint64_t)r->cpu.period.v
								   : DEFAULT_CPU_PERIOD;
	uint64_t us;

	*exact = true;
	if (!r->cpu.quota.set || r->cpu.quota.v <= 0)
		return SD_INFINITY;
	us = (uint64_t)r->cpu.quota.v * USEC_PER_SEC / period;
	if (us % SD_QUOTA_STEP || (uint64_t)r->cpu.quota.v * USEC_PER_SEC % period) {
		*exact = false;
		us = (us / SD_QUOTA_STEP + 1) * SD_QUOTA_STEP;
	}
	return us;
}

unsigned hull_sd_covered(const struct hull_cg_resources *r, unsigned mask, bool unified)
{
	unsigned c = 0;
	bool exact;

	mask &= r->sections;
	if ((mask & HULL_CG_MEMORY) && !r->memory.kernel.set && !r->memory.kernel_tcp.set &&
	    !r->memory.swappiness.set && !r->memory.has_disable_oom_killer &&
	    (unified ? !r->memory.swap.set || r->memory.swap.v < 0 ||
			       (r->memory.limit.set && r->memory.limit.v >= 0 &&
				r->memory.swap.v >= r->memory.limit.v)
		     : !r->memory.swap.set && !r->memory.reservation.set))
		c |= HULL_CG_MEMORY;
	quota_per_sec(r, &exact);
	if ((mask & HULL_CG_CPU) && exact && !r->cpu.burst.set && !r->cpu.rt_runtime.set &&
	    !r->cpu.rt_period.set && !r->cpu.idle.set)
		c |= HULL_CG_CPU;
	if (mask & HULL_CG_PIDS)
		c |= HULL_CG_PIDS;
	if ((mask & HULL_CG_BLKIO) && !r->blkio.leaf_weight.set && !r->blkio.n_weight_devs &&
	    !r->blkio.read_bps.n && !r->blkio.write_bps.n && !r->blkio.read_iops.n &&
	    !r->blkio.write_iops.n)
		c |= HULL_CG_BLKIO;
	return c;
}

#define PROP(name, sig, ...) api->append(m, "(sv)", name, sig, __VA_ARGS__)

static int memory(const struct hull_sdbus *api, sd_bus_message *m,
		  const struct hull_cg_resources *r, bool unified)
{
	int rc = 0;
	if (r->memory.limit.set)
		rc = PROP(unified ? "MemoryMax" : "MemoryLimit", "t",
			  limit_or_infinity(&r->memory.limit));
	if (rc >= 0 && unified && r->memory.reservation.set)
		rc = PROP("MemoryLow", "t", limit_or_infinity(&r->memory.reservation));
	if (rc >= 0 && unified && r->memory.swap.set) {
		/* the spec's swap is memory+swap; systemd's the swap alone */
		if (r->memory.swap.v < 0)
			rc = PROP("MemorySwapMax", "t", SD_INFINITY);
		else if (r->memory.limit.set && r->memory.limit.v >= 0 &&
			 r->memory.swap.v >= r->memory.limit.v)
			rc = PROP("MemorySwapMax", "t",
				  (uint64_t)(r->memory.swap.v - r->memory.limit.v));
		/* else the cgroupfs writer refuses it with the reason */
	}
	return rc;
}

static int cpu(const struct hull_sdbus *api, sd_bus_message *m, const struct hull_cg_resources *r,
	       bool unified)
{
	bool exact;
	int rc = 0;
	if (r->cpu.shares.set && r->cpu.shares.v > 0)
		rc = unified ? PROP("CPUWeight", "t",
				    hull_cg_shares_to_weight((uint64_t)r->cpu.shares.v))
			     : PROP("CPUShares", "t", (uint64_t)r->cpu.shares.v);
	if (rc >= 0 && r->cpu.quota.set)
		rc = PROP("CPUQuotaPerSecUSec", "t", quota_per_sec(r, &exact));
	if (rc >= 0 && r->cpu.period.set && r->cpu.period.v > 0)
		rc = PROP("CPUQuotaPeriodUSec", "t", (uint64_t)r->cpu.period.v);
	return rc;
}

/* A device rule as a DeviceAllow entry: "char-*", "char-<group>" (a whole major, named in
 * /proc/devices), "/dev/char/M:m".  NULL when systemd has no name for it. */
static char *device_entry(const struct hull_cg_dev_rule *d)
{
	const char *kind = d->type == 'b' ? "block" : "char";
	cleanup_free char *devs = NULL;
	char *line, *save = NULL;
	bool in_kind = false;

	if (d->type != 'c' && d->type != 'b')
		return NULL;
	if (d->major < 0)
		return d->minor < 0 ? hull_strfmt("%s-*", kind) : NULL;
	if (d->minor >= 0)
		return hull_strfmt("/dev/%s/%lld:%lld", kind, (long long)d->major,
				   (long long)d->minor);
	if (hull_read_file("/proc/devices", &devs, NULL, NULL) < 0)
		return NULL;
	for (line = strtok_r(devs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long long major;
		char name[64];
		if (!strncmp(line, "Character", 9) || !strncmp(line, "Block", 5)) {
			in_kind = (line[0] == 'B') == (d->type == 'b');
			continue;
		}
		if (in_kind && sscanf(line, "%lld %63s", &major, name) == 2 && major == d->major)
			return hull_strfmt("%s-%s", kind, name);
	}
	return NULL;
}

static bool is_all(const struct hull_cg_dev_rule *d)
{
	return d->type == 'a' && d->major < 0 && d->minor < 0;
}

/* The rules in order (last match wins, from deny-all; systemd's list only allows): a deny-all
 * empties the list, an allow-all means no policy, a later deny of something allowed cannot
 * be said (then nothing is set: hull's own filter still applies). */
static int devices(const struct hull_sdbus *api, sd_bus_message *m,
		   const struct hull_cg_resources *r, const struct hull_linux *lx)
{
	size_t n = 0, i, k, cap = r->n_devices + hull_cg_n_default_devices + lx->n_devices;
	cleanup_free struct hull_cg_dev_rule *rules = xmalloc((cap + 1) * sizeof(*rules));
	char **entries = xzalloc((cap + 1) * sizeof(char *));
	const char **access = xzalloc((cap + 1) * sizeof(char *));
	size_t n_entries = 0;
	bool all = false, ok = true; /* hull's device filter denies by default */
	int rc = 0;

	for (i = 0; i < r->n_devices; i++)
		rules[n++] = r->devices[i];
	for (i = 0; i < hull_cg_n_default_devices; i++)
		rules[n++] = hull_cg_default_devices[i];
	for (i = 0; i < lx->n_devices; i++)
		if (lx->devices[i].type != 'p')
			rules[n++] = (struct hull_cg_dev_rule){
				true, lx->devices[i].type == 'u' ? 'c' : lx->devices[i].type,
				lx->devices[i].major, lx->devices[i].minor, "rwm"};
	for (i = 0; i < n && ok; i++) {
		char *e;
		if (is_all(&rules[i])) {
			all = rules[i].allow;
			for (k = 0; k < n_entries; k++)
				free(entries[k]);
			n_entries = 0;
			continue;
		}
		if (all) {
			ok = rules[i].allow; /* an allow under allow-all changes nothing */
			continue;
		}
		e = device_entry(&rules[i]);
		if (!e) {
			ok = !rules[i].allow; /* denying what was never allowed is a no-op */
			continue;
		}
		if (!rules[i].allow) {
			for (k = 0; k < n_entries && strcmp(entries[k], e); k++)
				;
			ok = k == n_entries; /* a deny carving into an allow cannot be said */
			free(e);
			continue;
		}
		entries[n_entries] = e;
		access[n_entries++] = rules[i].access;
	}
	if (ok) {
		rc = PROP("DevicePolicy", "s", all ? "auto" : "strict");
		if (rc >= 0)
			rc = api->open_container(m, 'r', "sv");
		if (rc >= 0)
			rc = api->append(m, "s", "DeviceAllow");
		if (rc >= 0)
			rc = api->open_container(m, 'v', "a(ss)");
		if (rc >= 0)
			rc = api->open_container(m, 'a', "(ss)");
		for (k = 0; rc >= 0 && k < n_entries; k++)
			rc = api->append(m, "(ss)", entries[k], access[k]);
		for (int depth = 0; rc >= 0 && depth < 3; depth++)
			rc = api->close_container(m);
	}
	for (k = 0; k < n_entries; k++)
		free(entries[k]);
	free(entries);
	free(access);
	return rc;
}

int hull_sd_append_resources(const struct hull_sdbus *api, sd_bus_message *m,
			     const struct hull_cg_resources *r, unsigned mask,
			     const struct hull_linux *lx, bool unified)
{
	int rc = 0;
	mask &= r->sections;
	if (mask & HULL_CG_MEMORY)
		rc = memory(api, m, r, unified);
	if (rc >= 0 && (mask & HULL_CG_CPU))
		rc = cpu(api, m, r, unified);
	if (rc >= 0 && (mask & HULL_CG_PIDS) && r->pids_limit.set && r->pids_limit.v != 0)
		rc = PROP("TasksMax", "t", limit_or_infinity(&r->pids_limit));
	/* weight 0 is "unset" to docker and runc */
	if (rc >= 0 && (mask & HULL_CG_BLKIO) && r->blkio.weight.set && r->blkio.weight.v > 0)
		rc = unified ? PROP("IOWeight", "t",
				    hull_cg_blkio_to_io_weight((uint64_t)r->blkio.weight.v))
			     : PROP("BlockIOWeight", "t", (uint64_t)r->blkio.weight.v);
	if (rc >= 0 && lx)
		rc = devices(api, m, r, lx);
	return rc;
}
