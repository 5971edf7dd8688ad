/* SPDX-License-Identifier: Apache-2.0 */
/* The resources model back as a linux.resources JSON object: what `update` records. */
#include <string.h>
#include <yajl/yajl_gen.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"

static void gen_val(yajl_gen g, const char *key, const struct hull_cg_val *v)
{
	if (!v->set)
		return;
	hull_gen_str(g, key);
	yajl_gen_integer(g, v->v);
}

static void gen_rates(yajl_gen g, const char *key, const struct hull_cg_rate_list *l)
{
	size_t i;
	if (!l->n)
		return;
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	for (i = 0; i < l->n; i++) {
		yajl_gen_map_open(g);
		hull_gen_str(g, "major");
		yajl_gen_integer(g, l->d[i].major);
		hull_gen_str(g, "minor");
		yajl_gen_integer(g, l->d[i].minor);
		hull_gen_str(g, "rate");
		yajl_gen_integer(g, (long long)l->d[i].rate);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_blkio(yajl_gen g, const struct hull_cg_resources *r)
{
	size_t i;
	hull_gen_str(g, "blockIO");
	yajl_gen_map_open(g);
	gen_val(g, "weight", &r->blkio.weight);
	gen_val(g, "leafWeight", &r->blkio.leaf_weight);
	if (r->blkio.n_weight_devs) {
		hull_gen_str(g, "weightDevice");
		yajl_gen_array_open(g);
		for (i = 0; i < r->blkio.n_weight_devs; i++) {
			yajl_gen_map_open(g);
			hull_gen_str(g, "major");
			yajl_gen_integer(g, r->blkio.weight_devs[i].major);
			hull_gen_str(g, "minor");
			yajl_gen_integer(g, r->blkio.weight_devs[i].minor);
			gen_val(g, "weight", &r->blkio.weight_devs[i].weight);
			gen_val(g, "leafWeight", &r->blkio.weight_devs[i].leaf_weight);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	gen_rates(g, "throttleReadBpsDevice", &r->blkio.read_bps);
	gen_rates(g, "throttleWriteBpsDevice", &r->blkio.write_bps);
	gen_rates(g, "throttleReadIOPSDevice", &r->blkio.read_iops);
	gen_rates(g, "throttleWriteIOPSDevice", &r->blkio.write_iops);
	yajl_gen_map_close(g);
}

static void gen_devices(yajl_gen g, const struct hull_cg_resources *r)
{
	size_t i;
	hull_gen_str(g, "devices");
	yajl_gen_array_open(g);
	for (i = 0; i < r->n_devices; i++) {
		const struct hull_cg_dev_rule *d = &r->devices[i];
		char t[2] = {d->type, 0};
		yajl_gen_map_open(g);
		hull_gen_str(g, "allow");
		yajl_gen_bool(g, d->allow);
		hull_gen_str(g, "type");
		hull_gen_str(g, t);
		if (d->major >= 0) {
			hull_gen_str(g, "major");
			yajl_gen_integer(g, d->major);
		}
		if (d->minor >= 0) {
			hull_gen_str(g, "minor");
			yajl_gen_integer(g, d->minor);
		}
		hull_gen_str(g, "access");
		hull_gen_str(g, d->access);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_rest(yajl_gen g, const struct hull_cg_resources *r)
{
	size_t i;
	if (r->sections & HULL_CG_HUGETLB) {
		hull_gen_str(g, "hugepageLimits");
		yajl_gen_array_open(g);
		for (i = 0; i < r->n_hugetlb; i++) {
			yajl_gen_map_open(g);
			hull_gen_str(g, "pageSize");
			hull_gen_str(g, r->hugetlb[i].page_size);
			hull_gen_str(g, "limit");
			yajl_gen_integer(g, (long long)r->hugetlb[i].limit);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	if (r->sections & HULL_CG_NETWORK) {
		hull_gen_str(g, "network");
		yajl_gen_map_open(g);
		gen_val(g, "classID", &r->network.class_id);
		hull_gen_str(g, "priorities");
		yajl_gen_array_open(g);
		for (i = 0; i < r->network.n_prios; i++) {
			yajl_gen_map_open(g);
			hull_gen_str(g, "name");
			hull_gen_str(g, r->network.prios[i].name);
			hull_gen_str(g, "priority");
			yajl_gen_integer(g, r->network.prios[i].priority);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	if (r->sections & HULL_CG_DEVICES)
		gen_devices(g, r);
	if (r->n_unified) {
		hull_gen_str(g, "unified");
		yajl_gen_map_open(g);
		for (i = 0; i < r->n_unified; i++) {
			hull_gen_str(g, r->unified[i].key);
			hull_gen_str(g, r->unified[i].value);
		}
		yajl_gen_map_close(g);
	}
}

char *hull_cg_res_to_json(const struct hull_cg_resources *r)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	yajl_gen_map_open(g);
	if (r->sections & HULL_CG_MEMORY) {
		hull_gen_str(g, "memory");
		yajl_gen_map_open(g);
		gen_val(g, "limit", &r->memory.limit);
		gen_val(g, "reservation", &r->memory.reservation);
		gen_val(g, "swap", &r->memory.swap);
		gen_val(g, "kernel", &r->memory.kernel);
		gen_val(g, "kernelTCP", &r->memory.kernel_tcp);
		gen_val(g, "swappiness", &r->memory.swappiness);
		if (r->memory.has_disable_oom_killer) {
			hull_gen_str(g, "disableOOMKiller");
			yajl_gen_bool(g, r->memory.disable_oom_killer);
		}
		yajl_gen_map_close(g);
	}
	if (r->sections & (HULL_CG_CPU | HULL_CG_CPUSET)) {
		hull_gen_str(g, "cpu");
		yajl_gen_map_open(g);
		gen_val(g, "shares", &r->cpu.shares);
		gen_val(g, "quota", &r->cpu.quota);
		gen_val(g, "burst", &r->cpu.burst);
		gen_val(g, "period", &r->cpu.period);
		gen_val(g, "realtimeRuntime", &r->cpu.rt_runtime);
		gen_val(g, "realtimePeriod", &r->cpu.rt_period);
		gen_val(g, "idle", &r->cpu.idle);
		if (r->cpu.cpus) {
			hull_gen_str(g, "cpus");
			hull_gen_str(g, r->cpu.cpus);
		}
		if (r->cpu.mems) {
			hull_gen_str(g, "mems");
			hull_gen_str(g, r->cpu.mems);
		}
		yajl_gen_map_close(g);
	}
	if (r->sections & HULL_CG_PIDS) {
		hull_gen_str(g, "pids");
		yajl_gen_map_open(g);
		gen_val(g, "limit", &r->pids_limit);
		yajl_gen_map_close(g);
	}
	if (r->sections & HULL_CG_BLKIO)
		gen_blkio(g, r);
	gen_rest(g, r);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}
