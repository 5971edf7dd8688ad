/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources -> struct hull_cg_resources: parse, and merge (update). */
#include "runtime/cgroup/cgroup_res.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"

static int get_val(yajl_val o, const char *key, const char *path, bool is_signed,
		   struct hull_cg_val *out, struct hull_err *err)
{
	int r;
	if (is_signed) {
		int64_t v;
		r = sj_int(o, key, path, INT64_MIN, INT64_MAX, &v, err);
		if (r == 1)
			*out = (struct hull_cg_val){true, v};
	} else {
		uint64_t v;
		r = sj_u64(o, key, path, &v, err);
		if (r == 1 && v > INT64_MAX)
			return hull_error(err, ERANGE, "`%s.%s` is too large", path, key);
		if (r == 1)
			*out = (struct hull_cg_val){true, (int64_t)v};
	}
	return r < 0 ? -1 : 0;
}

static int parse_memory(yajl_val o, const char *p, struct hull_cg_resources *r,
			struct hull_err *err)
{
	int k;
	if (get_val(o, "limit", p, true, &r->memory.limit, err) < 0 ||
	    get_val(o, "reservation", p, true, &r->memory.reservation, err) < 0 ||
	    get_val(o, "swap", p, true, &r->memory.swap, err) < 0 ||
	    get_val(o, "kernel", p, true, &r->memory.kernel, err) < 0 ||
	    get_val(o, "kernelTCP", p, true, &r->memory.kernel_tcp, err) < 0 ||
	    get_val(o, "swappiness", p, false, &r->memory.swappiness, err) < 0)
		return -1;
	if (r->memory.swappiness.set && r->memory.swappiness.v > 100)
		return hull_error(err, ERANGE, "`%s.swappiness` must be 0..100, not %" PRId64, p,
				  r->memory.swappiness.v);
	k = sj_bool(o, "disableOOMKiller", p, &r->memory.disable_oom_killer, err);
	if (k < 0)
		return -1;
	r->memory.has_disable_oom_killer = k == 1;
	return 0;
}

/* runc and crun read these as "not set" when 0 (Go's zero value): docker writes
 * blockIO.weight 0 into every spec, and cpu.shares 0 is no share at all. */
static void zero_is_unset(struct hull_cg_val *v)
{
	if (v->set && v->v == 0)
		v->set = false;
}

static int parse_cpu(yajl_val o, const char *p, struct hull_cg_resources *r, struct hull_err *err)
{
	if (get_val(o, "shares", p, false, &r->cpu.shares, err) < 0 ||
	    get_val(o, "quota", p, true, &r->cpu.quota, err) < 0 ||
	    get_val(o, "burst", p, false, &r->cpu.burst, err) < 0 ||
	    get_val(o, "period", p, false, &r->cpu.period, err) < 0 ||
	    get_val(o, "realtimeRuntime", p, true, &r->cpu.rt_runtime, err) < 0 ||
	    get_val(o, "realtimePeriod", p, false, &r->cpu.rt_period, err) < 0 ||
	    get_val(o, "idle", p, true, &r->cpu.idle, err) < 0 ||
	    sj_string(o, "cpus", p, &r->cpu.cpus, err) < 0 ||
	    sj_string(o, "mems", p, &r->cpu.mems, err) < 0)
		return -1;
	zero_is_unset(&r->cpu.shares);
	if (r->cpu.cpus || r->cpu.mems)
		r->sections |= HULL_CG_CPUSET;
	if (r->cpu.shares.set || r->cpu.quota.set || r->cpu.burst.set || r->cpu.period.set ||
	    r->cpu.rt_runtime.set || r->cpu.rt_period.set || r->cpu.idle.set)
		r->sections |= HULL_CG_CPU;
	return 0;
}

static int parse_major_minor(yajl_val o, const char *p, int64_t *major, int64_t *minor,
			     struct hull_err *err)
{
	int a = sj_int(o, "major", p, 0, UINT32_MAX, major, err), b;
	if (a < 0 || (b = sj_int(o, "minor", p, 0, UINT32_MAX, minor, err)) < 0)
		return -1;
	if (!a || !b)
		return hull_error(err, EINVAL, "`%s` needs major and minor", p);
	return 0;
}

static int parse_rates(yajl_val o, const char *key, const char *p, struct hull_cg_rate_list *l,
		       struct hull_err *err)
{
	yajl_val a = NULL;
	size_t i;
	if (sj_array(o, key, p, &a, err) < 0)
		return -1;
	for (i = 0; a && i < a->u.array.len; i++) {
		cleanup_free char *ip = hull_strfmt("%s.%s[%zu]", p, key, i);
		struct hull_cg_rate_dev d = {0};
		int k;
		if (parse_major_minor(a->u.array.values[i], ip, &d.major, &d.minor, err) < 0)
			return -1;
		k = sj_u64(a->u.array.values[i], "rate", ip, &d.rate, err);
		if (k <= 0)
			return k < 0 ? -1 : hull_error(err, EINVAL, "`%s` needs rate", ip);
		l->d = xrealloc(l->d, (l->n + 1) * sizeof(*l->d));
		l->d[l->n++] = d;
	}
	return 0;
}

static int parse_blkio(yajl_val o, const char *p, struct hull_cg_resources *r, struct hull_err *err)
{
	yajl_val a = NULL;
	size_t i;
	if (get_val(o, "weight", p, false, &r->blkio.weight, err) < 0 ||
	    get_val(o, "leafWeight", p, false, &r->blkio.leaf_weight, err) < 0 ||
	    sj_array(o, "weightDevice", p, &a, err) < 0)
		return -1;
	if (a) {
		for (i = 0; i < a->u.array.len; i++) {
			cleanup_free char *ip = hull_strfmt("%s.weightDevice[%zu]", p, i);
			struct hull_cg_weight_dev d = {0};
			yajl_val e = a->u.array.values[i];
			if (parse_major_minor(e, ip, &d.major, &d.minor, err) < 0 ||
			    get_val(e, "weight", ip, false, &d.weight, err) < 0 ||
			    get_val(e, "leafWeight", ip, false, &d.leaf_weight, err) < 0)
				return -1;
			zero_is_unset(&d.weight);
			zero_is_unset(&d.leaf_weight);
			if (!d.weight.set && !d.leaf_weight.set)
				continue;
			r->blkio.weight_devs = xrealloc(r->blkio.weight_devs,
							(r->blkio.n_weight_devs + 1) * sizeof(d));
			r->blkio.weight_devs[r->blkio.n_weight_devs++] = d;
		}
	}
	if (parse_rates(o, "throttleReadBpsDevice", p, &r->blkio.read_bps, err) < 0 ||
	    parse_rates(o, "throttleWriteBpsDevice", p, &r->blkio.write_bps, err) < 0 ||
	    parse_rates(o, "throttleReadIOPSDevice", p, &r->blkio.read_iops, err) < 0 ||
	    parse_rates(o, "throttleWriteIOPSDevice", p, &r->blkio.write_iops, err) < 0)
		return -1;
	zero_is_unset(&r->blkio.weight);
	zero_is_unset(&r->blkio.leaf_weight);
	if (r->blkio.weight.set && (r->blkio.weight.v < 10 || r->blkio.weight.v > 1000))
		return hull_error(err, ERANGE, "`%s.weight` must be 10..1000, not %" PRId64, p,
				  r->blkio.weight.v);
	return 0;
}

static int parse_hugetlb(yajl_val a, const char *p, struct hull_cg_resources *r,
			 struct hull_err *err)
{
	size_t i;
	for (i = 0; i < a->u.array.len; i++) {
		cleanup_free char *ip = hull_strfmt("%s[%zu]", p, i);
		struct hull_cg_hugetlb h = {0};
		int a1 = sj_string(a->u.array.values[i], "pageSize", ip, &h.page_size, err), a2 = 0;
		if (a1 >= 0)
			a2 = sj_u64(a->u.array.values[i], "limit", ip, &h.limit, err);
		if (a1 <= 0 || a2 <= 0) {
			free(h.page_size);
			return a1 < 0 || a2 < 0 ? -1
						: hull_error(err, EINVAL,
							     "`%s` needs pageSize and limit", ip);
		}
		if (strchr(h.page_size, '/') || !*h.page_size) {
			free(h.page_size);
			return hull_error(err, EINVAL, "`%s.pageSize` is not a page size", ip);
		}
		r->hugetlb = xrealloc(r->hugetlb, (r->n_hugetlb + 1) * sizeof(h));
		r->hugetlb[r->n_hugetlb++] = h;
	}
	return 0;
}

static int parse_network(yajl_val o, const char *p, struct hull_cg_resources *r,
			 struct hull_err *err)
{
	yajl_val a = NULL;
	size_t i;
	if (get_val(o, "classID", p, false, &r->network.class_id, err) < 0 ||
	    sj_array(o, "priorities", p, &a, err) < 0)
		return -1;
	for (i = 0; a && i < a->u.array.len; i++) {
		cleanup_free char *ip = hull_strfmt("%s.priorities[%zu]", p, i);
		struct hull_cg_prio pr = {0};
		int64_t prio = 0;
		int k = sj_string(a->u.array.values[i], "name", ip, &pr.name, err);
		if (k <= 0 ||
		    sj_int(a->u.array.values[i], "priority", ip, 0, UINT32_MAX, &prio, err) < 0) {
			free(pr.name);
			return k != 1 && k >= 0 ? hull_error(err, EINVAL, "`%s` needs name", ip)
						: -1;
		}
		pr.priority = (uint32_t)prio;
		r->network.prios =
			xrealloc(r->network.prios, (r->network.n_prios + 1) * sizeof(pr));
		r->network.prios[r->network.n_prios++] = pr;
	}
	return 0;
}

static int parse_devices(yajl_val a, const char *p, struct hull_cg_resources *r,
			 struct hull_err *err)
{
	size_t i;
	for (i = 0; i < a->u.array.len; i++) {
		cleanup_free char *ip = hull_strfmt("%s[%zu]", p, i);
		cleanup_free char *type = NULL, *access = NULL;
		struct hull_cg_dev_rule d = {.type = 'a', .major = -1, .minor = -1};
		yajl_val e = a->u.array.values[i];
		int k = sj_bool(e, "allow", ip, &d.allow, err);
		if (k <= 0)
			return k < 0 ? -1 : hull_error(err, EINVAL, "`%s.allow` is required", ip);
		if (sj_string(e, "type", ip, &type, err) < 0 ||
		    sj_int(e, "major", ip, -1, UINT32_MAX, &d.major, err) < 0 ||
		    sj_int(e, "minor", ip, -1, UINT32_MAX, &d.minor, err) < 0 ||
		    sj_string(e, "access", ip, &access, err) < 0)
			return -1;
		if (type && (strlen(type) != 1 || !strchr("acb", type[0])))
			return hull_error(err, EINVAL, "`%s.type` must be a, c or b, not `%s`", ip,
					  type);
		if (type)
			d.type = type[0];
		if (!access)
			access = xstrdup("rwm");
		if (!*access || strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
			return hull_error(err, EINVAL,
					  "`%s.access` must be letters of rwm, not `%s`", ip,
					  access);
		strcpy(d.access, access);
		r->devices = xrealloc(r->devices, (r->n_devices + 1) * sizeof(d));
		r->devices[r->n_devices++] = d;
	}
	return 0;
}

int hull_cg_res_parse(yajl_val j, const char *what, struct hull_cg_resources *r,
		      struct hull_err *err)
{
	cleanup_free char *p = NULL;
	yajl_val o;

	memset(r, 0, sizeof(*r));
	if (!j || YAJL_IS_NULL(j))
		return 0;
	if (!YAJL_IS_OBJECT(j))
		return hull_error(err, EINVAL, "`%s` must be an object", what);
#define SECTION(key, kind, fn, bit)                                                                \
	do {                                                                                       \
		free(p);                                                                           \
		o = NULL;                                                                          \
		p = hull_strfmt("%s.%s", what, key);                                               \
		if (sj_##kind(j, key, what, &o, err) < 0 || (o && fn(o, p, r, err) < 0))           \
			goto fail;                                                                 \
		if (o)                                                                             \
			r->sections |= bit;                                                        \
	} while (0)
	SECTION("memory", object, parse_memory, HULL_CG_MEMORY);
	SECTION("cpu", object, parse_cpu, 0);
	SECTION("blockIO", object, parse_blkio, HULL_CG_BLKIO);
	SECTION("hugepageLimits", array, parse_hugetlb, HULL_CG_HUGETLB);
	SECTION("network", object, parse_network, HULL_CG_NETWORK);
	SECTION("devices", array, parse_devices, HULL_CG_DEVICES);
#undef SECTION
	o = NULL;
	if (sj_object(j, "pids", what, &o, err) < 0)
		goto fail;
	if (o) {
		free(p);
		p = hull_strfmt("%s.pids", what);
		if (get_val(o, "limit", p, true, &r->pids_limit, err) < 0)
			goto fail;
		r->sections |= HULL_CG_PIDS;
	}
	if (sj_kv(j, "unified", what, &r->unified, &r->n_unified, err) < 0)
		goto fail;
	if (r->n_unified)
		r->sections |= HULL_CG_UNIFIED;
	return 0;
fail:
	hull_cg_res_free(r);
	return -1;
}

void hull_cg_res_free(struct hull_cg_resources *r)
{
	size_t i;
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->blkio.weight_devs);
	free(r->blkio.read_bps.d);
	free(r->blkio.write_bps.d);
	free(r->blkio.read_iops.d);
	free(r->blkio.write_iops.d);
	for (i = 0; i < r->n_hugetlb; i++)
		free(r->hugetlb[i].page_size);
	free(r->hugetlb);
	for (i = 0; i < r->network.n_prios; i++)
		free(r->network.prios[i].name);
	free(r->network.prios);
	free(r->devices);
	hull_kv_free(r->unified, r->n_unified);
	memset(r, 0, sizeof(*r));
}

static void merge_val(struct hull_cg_val *b, const struct hull_cg_val *u)
{
	if (u->set)
		*b = *u;
}

static void merge_str(char **b, const char *u)
{
	if (u) {
		free(*b);
		*b = xstrdup(u);
	}
}

static void merge_rates(struct hull_cg_rate_list *b, const struct hull_cg_rate_list *u)
{
	if (!u->n)
		return;
	free(b->d);
	b->d = xmalloc(u->n * sizeof(*u->d));
	memcpy(b->d, u->d, u->n * sizeof(*u->d));
	b->n = u->n;
}

void hull_cg_res_merge(struct hull_cg_resources *b, const struct hull_cg_resources *u)
{
	size_t i;
	b->sections |= u->sections & ~HULL_CG_DEVICES;
	merge_val(&b->memory.limit, &u->memory.limit);
	merge_val(&b->memory.reservation, &u->memory.reservation);
	merge_val(&b->memory.swap, &u->memory.swap);
	/* lifting the memory limit lifts the memory+swap one too, unless given (as runc) */
	if (u->memory.limit.set && u->memory.limit.v == -1 && !u->memory.swap.set &&
	    b->memory.swap.set)
		b->memory.swap.v = -1;
	merge_val(&b->memory.kernel, &u->memory.kernel);
	merge_val(&b->memory.kernel_tcp, &u->memory.kernel_tcp);
	merge_val(&b->memory.swappiness, &u->memory.swappiness);
	if (u->memory.has_disable_oom_killer) {
		b->memory.has_disable_oom_killer = true;
		b->memory.disable_oom_killer = u->memory.disable_oom_killer;
	}
	merge_val(&b->cpu.shares, &u->cpu.shares);
	merge_val(&b->cpu.quota, &u->cpu.quota);
	merge_val(&b->cpu.burst, &u->cpu.burst);
	merge_val(&b->cpu.period, &u->cpu.period);
	merge_val(&b->cpu.rt_runtime, &u->cpu.rt_runtime);
	merge_val(&b->cpu.rt_period, &u->cpu.rt_period);
	merge_val(&b->cpu.idle, &u->cpu.idle);
	merge_str(&b->cpu.cpus, u->cpu.cpus);
	merge_str(&b->cpu.mems, u->cpu.mems);
	merge_val(&b->pids_limit, &u->pids_limit);
	merge_val(&b->blkio.weight, &u->blkio.weight);
	merge_val(&b->blkio.leaf_weight, &u->blkio.leaf_weight);
	if (u->blkio.n_weight_devs) {
		free(b->blkio.weight_devs);
		b->blkio.weight_devs =
			xmalloc(u->blkio.n_weight_devs * sizeof(*u->blkio.weight_devs));
		memcpy(b->blkio.weight_devs, u->blkio.weight_devs,
		       u->blkio.n_weight_devs * sizeof(*u->blkio.weight_devs));
		b->blkio.n_weight_devs = u->blkio.n_weight_devs;
	}
	merge_rates(&b->blkio.read_bps, &u->blkio.read_bps);
	merge_rates(&b->blkio.write_bps, &u->blkio.write_bps);
	merge_rates(&b->blkio.read_iops, &u->blkio.read_iops);
	merge_rates(&b->blkio.write_iops, &u->blkio.write_iops);
	for (i = 0; i < u->n_hugetlb; i++) {
		size_t k;
		for (k = 0; k < b->n_hugetlb; k++)
			if (!strcmp(b->hugetlb[k].page_size, u->hugetlb[i].page_size))
				break;
		if (k == b->n_hugetlb) {
			b->hugetlb = xrealloc(b->hugetlb, (k + 1) * sizeof(*b->hugetlb));
			b->hugetlb[k].page_size = xstrdup(u->hugetlb[i].page_size);
			b->n_hugetlb++;
		}
		b->hugetlb[k].limit = u->hugetlb[i].limit;
	}
	for (i = 0; i < u->n_unified; i++) {
		size_t k;
		for (k = 0; k < b->n_unified; k++)
			if (!strcmp(b->unified[k].key, u->unified[i].key))
				break;
		if (k == b->n_unified) {
			b->unified = xrealloc(b->unified, (k + 1) * sizeof(*b->unified));
			b->unified[k].key = xstrdup(u->unified[i].key);
			b->unified[k].value = NULL;
			b->n_unified++;
		}
		free(b->unified[k].value);
		b->unified[k].value = xstrdup(u->unified[i].value);
	}
}
