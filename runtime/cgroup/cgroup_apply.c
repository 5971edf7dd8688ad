/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Applying resources to a container's cgroup on v1, hybrid and v2 hosts, and the freezer.
 *
 * Each section of linux.resources goes to the hierarchy that holds its controller: a v1
 * mount when there is one (hybrid hosts keep most controllers there), else the cgroup2
 * mount when its root lists the controller, which is then enabled in the parents'
 * cgroup.subtree_control.  The writes are plain cgroupfs writes, not libcgroup's
 * cgroup_modify_cgroup(): see docs/architecture.md ("Resources") for the measurement.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"

static bool has_token(const char *list, const char *tok, const char *seps)
{
	size_t n = strlen(tok);
	const char *p = list;
	while (p && *p) {
		size_t len = strcspn(p, seps);
		if (len == n && !strncmp(p, tok, n))
			return true;
		p += len;
		p += strspn(p, seps);
	}
	return false;
}

static const struct hull_cgroup_hier *v1_hier(const struct hull_cgroups *cg, const char *ctrl)
{
	size_t i;
	for (i = 0; i < cg->n; i++)
		if (!cg->h[i].v2 && has_token(cg->h[i].controllers, ctrl, ","))
			return &cg->h[i];
	return NULL;
}

static const struct hull_cgroup_hier *v2_hier(const struct hull_cgroups *cg)
{
	size_t i;
	for (i = 0; i < cg->n; i++)
		if (cg->h[i].v2)
			return &cg->h[i];
	return NULL;
}

const struct hull_cgroup_hier *hull_cgroup_hier_for(const struct hull_cgroups *cg, const char *ctrl)
{
	const struct hull_cgroup_hier *h = *ctrl ? v1_hier(cg, ctrl) : NULL, *v2 = v2_hier(cg);
	cleanup_free char *f = NULL, *avail = NULL;
	if (h || !v2)
		return h;
	if (!*ctrl)
		return v2;
	f = hull_strfmt("%s/cgroup.controllers", v2->mountpoint);
	if (hull_read_file(f, &avail, NULL, NULL) < 0)
		return NULL;
	return has_token(avail, ctrl, " \n") ? v2 : NULL;
}

static const struct {
	unsigned bit;
	const char *name, *v1, *v2;
} sections[] = {
	{HULL_CG_MEMORY, "memory", "memory", "memory"},
	{HULL_CG_CPU, "cpu", "cpu", "cpu"},
	{HULL_CG_CPUSET, "cpu.cpus/mems", "cpuset", "cpuset"},
	{HULL_CG_PIDS, "pids", "pids", "pids"},
	{HULL_CG_BLKIO, "blockIO", "blkio", "io"},
	{HULL_CG_HUGETLB, "hugepageLimits", "hugetlb", "hugetlb"},
	{HULL_CG_NETWORK, "network", "net_cls", NULL},
};

static int write_one(const char *dir, const struct hull_cg_write *w, struct hull_err *err)
{
	cleanup_free char *p = hull_strfmt("%s/%s", dir, w->file);
	struct hull_err e2;
	if (hull_write_string(p, w->value, &e2) == 0)
		return 0;
	if (e2.errnum == ENOENT && w->alt_file) {
		cleanup_free char *alt = hull_strfmt("%s/%s", dir, w->alt_file);
		if (hull_write_string(alt, w->alt_value, &e2) == 0)
			return 0;
		return hull_error(err, e2.errnum, "cgroup: write `%s` to %s", w->alt_value, alt);
	}
	if (e2.errnum == ENOENT)
		return hull_error(err, ENOENT,
				  "cgroup: %s: this kernel has no such file (value `%s`)", p,
				  w->value);
	return hull_error(err, e2.errnum, "cgroup: write `%s` to %s", w->value, p);
}

/* The kernel refuses a real-time budget its parents do not have (a new cgroup has 0): runc
 * and crun fail there too, and so does hull, naming the parent that lacks it.  Giving the
 * parents a budget is the caller's choice (dockerd's --cpu-rt-runtime does it). */
static int rt_budget_error(const struct hull_cgroup_hier *h, const char *path, const char *value,
			   struct hull_err *err)
{
	cleanup_free char *parent = xstrdup(path);
	long long want = atoll(value);
	char *slash;

	while ((slash = strrchr(parent, '/')) != NULL) {
		cleanup_free char *f = NULL, *have = NULL;
		*slash = '\0';
		f = hull_strfmt("%s%s/cpu.rt_runtime_us", h->mountpoint, parent);
		if (hull_read_file(f, &have, NULL, NULL) == 0 && atoll(have) >= 0 &&
		    atoll(have) < want)
			return hull_error_wrap(
				err,
				"linux.resources.cpu.realtimeRuntime %lld exceeds the real-time "
				"budget of the parent cgroup `%s` (cpu.rt_runtime_us %lld): give "
				"every parent a budget first",
				want, *parent ? parent : "/", atoll(have));
	}
	return hull_error_wrap(err,
			       "linux.resources.cpu.realtimeRuntime %lld (per realtimePeriod) does "
			       "not fit the real-time budget left in the parent cgroups",
			       want);
}

/* Run a write list; v2 lists all go to the cgroup2 mount, v1 ones to their controller's. */
static int run_writes(const struct hull_cgroups *cg, const char *path,
		      const struct hull_cg_writes *ws, bool v2, struct hull_err *err)
{
	size_t i;
	for (i = 0; i < ws->n; i++) {
		const struct hull_cg_write *w = &ws->w[i];
		const struct hull_cgroup_hier *h = v2 ? v2_hier(cg) : v1_hier(cg, w->ctrl);
		cleanup_free char *dir = NULL;
		struct hull_err e1;
		if (!h) {
			if (hull_has_prefix(w->ctrl, "net_"))
				continue; /* net_cls/net_prio are optional, as in runc */
			return hull_error(err, ENODEV,
					  "cgroup: no %s controller for %s (value `%s`)", w->ctrl,
					  w->file, w->value);
		}
		dir = hull_strfmt("%s%s", h->mountpoint, path);
		if (write_one(dir, w, &e1) == 0)
			continue;
		if (w->retry_swapped && e1.errnum == EINVAL && i + 1 < ws->n &&
		    write_one(dir, &ws->w[i + 1], err) == 0 && write_one(dir, w, err) == 0) {
			i++;
			continue;
		}
		*err = e1;
		if (e1.errnum == EINVAL && !strcmp(w->file, "cpu.rt_runtime_us"))
			return rt_budget_error(h, path, w->value, err);
		if (e1.errnum == EINVAL && !strcmp(w->file, "memory.limit_in_bytes"))
			return hull_error_wrap(err,
					       "the memory limit may not exceed the memory+swap "
					       "limit (memory.memsw.limit_in_bytes): raise "
					       "memory.swap (--memory-swap) with it");
		return -1;
	}
	return 0;
}

/* Enable the v2 controllers the writes need in every ancestor's cgroup.subtree_control. */
static int v2_enable(const struct hull_cgroup_hier *h, const char *path,
		     const struct hull_cg_writes *ws, struct hull_err *err)
{
	cleanup_free char *anc = xstrdup(path);
	size_t i, len;
	char *s;

	/* ancestors: "", "/a", "/a/b" for "/a/b/c" */
	for (len = 0;;) {
		cleanup_free char *sc = NULL, *cur = NULL;
		char saved = anc[len];
		anc[len] = '\0';
		sc = hull_strfmt("%s%s/cgroup.subtree_control", h->mountpoint, anc);
		anc[len] = saved;
		if (hull_read_file(sc, &cur, NULL, err) < 0)
			return -1;
		for (i = 0; i < ws->n; i++) {
			cleanup_free char *plus = NULL;
			if (!ws->w[i].ctrl[0] || has_token(cur, ws->w[i].ctrl, " \n"))
				continue;
			plus = hull_strfmt("+%s", ws->w[i].ctrl);
			if (hull_write_string(sc, plus, err) < 0)
				return hull_error_wrap(err, "cgroup: enable the %s controller",
						       ws->w[i].ctrl);
			free(cur);
			cur = NULL;
			if (hull_read_file(sc, &cur, NULL, err) < 0)
				return -1;
		}
		s = strchr(anc + len + 1, '/');
		if (!s)
			break;
		len = (size_t)(s - anc);
	}
	return 0;
}

static int v2_devices(const struct hull_cgroup_hier *h, const char *path,
		      const struct hull_cg_resources *r, const struct hull_linux *lx,
		      struct hull_err *err)
{
	cleanup_free char *dir = hull_strfmt("%s%s", h->mountpoint, path);
	cleanup_free struct hull_cg_dev_rule *rules = NULL;
	cleanup_close int fd = -1;
	size_t n = 0, i;

	rules = xmalloc((r->n_devices + hull_cg_n_default_devices + (lx ? lx->n_devices : 0)) *
			sizeof(*rules));
	for (i = 0; i < r->n_devices; i++)
		rules[n++] = r->devices[i];
	for (i = 0; i < hull_cg_n_default_devices; i++)
		rules[n++] = hull_cg_default_devices[i];
	for (i = 0; lx && i < lx->n_devices; i++)
		if (lx->devices[i].type != 'p')
			rules[n++] = (struct hull_cg_dev_rule){
				true, lx->devices[i].type == 'u' ? 'c' : lx->devices[i].type,
				lx->devices[i].major, lx->devices[i].minor, "rwm"};
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_error(err, errno, "cgroup: open %s", dir);
	if (hull_cg_bpf_devices_attach(fd, rules, n, err) < 0)
		return hull_error_wrap(err, "cgroup: device filter for %s", dir);
	return 0;
}

int hull_cgroup_apply(const struct hull_cgroups *cg, const char *path,
		      const struct hull_cg_resources *r, unsigned mask, const struct hull_linux *lx,
		      bool with_devices, struct hull_err *err)
{
	const struct hull_cgroup_hier *v2 = v2_hier(cg);
	struct hull_cg_writes w1 = {0}, w2 = {0};
	cleanup_free char *avail = NULL;
	unsigned m1 = 0, m2 = 0;
	size_t i;
	int ret = -1;

	if (v2) {
		cleanup_free char *f = hull_strfmt("%s/cgroup.controllers", v2->mountpoint);
		if (hull_read_file(f, &avail, NULL, NULL) < 0)
			avail = xstrdup("");
	}
	mask &= r->sections;
	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		if (!(mask & sections[i].bit))
			continue;
		if (v1_hier(cg, sections[i].v1))
			m1 |= sections[i].bit;
		else if (v2 && sections[i].v2 && has_token(avail, sections[i].v2, " \n"))
			m2 |= sections[i].bit;
		else if (sections[i].bit == HULL_CG_NETWORK)
			m1 |= sections[i].bit; /* net_prio may be mounted alone */
		else
			return hull_error(err, ENODEV,
					  "linux.resources.%s: this host has no %s controller",
					  sections[i].name, sections[i].v1);
	}
	if (mask & HULL_CG_UNIFIED)
		*(v2 ? &m2 : &m1) |= HULL_CG_UNIFIED;
	if (hull_cg_v1_writes(r, m1, &w1, err) < 0 || hull_cg_v2_writes(r, m2, &w2, err) < 0)
		goto out;
	if (with_devices && v1_hier(cg, "devices"))
		hull_cg_v1_device_writes(r, lx, &w1);
	for (i = 0; i < w2.n; i++)
		if (w2.w[i].ctrl[0] && !has_token(avail, w2.w[i].ctrl, " \n")) {
			hull_error(err, ENODEV,
				   "cgroup: %s (value `%s`): the cgroup v2 mount %s has no %s "
				   "controller",
				   w2.w[i].file, w2.w[i].value, v2->mountpoint, w2.w[i].ctrl);
			goto out;
		}
	if (w2.n && v2_enable(v2, path, &w2, err) < 0)
		goto out;
	if (run_writes(cg, path, &w1, false, err) < 0 || run_writes(cg, path, &w2, true, err) < 0)
		goto out;
	if (with_devices && !v1_hier(cg, "devices") && v2 && v2_devices(v2, path, r, lx, err) < 0)
		goto out;
	hull_debug("cgroup %s: %zu v1 and %zu v2 writes", path, w1.n, w2.n);
	ret = 0;
out:
	hull_cg_writes_free(&w1);
	hull_cg_writes_free(&w2);
	return ret;
}

void hull_cg_res_add_memory(struct hull_cg_resources *r, int64_t bytes)
{
	/* -1 is "unlimited", 0 "not set" to some clients: both stay as they are */
	if (r->memory.limit.set && r->memory.limit.v > 0)
		r->memory.limit.v += bytes;
	if (r->memory.swap.set && r->memory.swap.v > 0)
		r->memory.swap.v += bytes;
}

int hull_cg_res_for_create(const struct hull_linux *lx, const struct hull_cg_extra *x,
			   struct hull_cg_resources *r, struct hull_err *err)
{
	if (hull_cg_res_parse(lx->resources, "linux.resources", r, err) < 0)
		return -1;
	if (x && x->n_devices) {
		r->devices =
			xrealloc(r->devices, (r->n_devices + x->n_devices) * sizeof(*r->devices));
		for (size_t i = 0; i < x->n_devices; i++)
			r->devices[r->n_devices++] = x->devices[i];
	}
	if (x && x->memory)
		hull_cg_res_add_memory(r, (int64_t)x->memory);
	return 0;
}

int hull_cgroup_setup(const struct hull_cgroups *cg, const char *path, const struct hull_linux *lx,
		      const struct hull_cg_extra *x, struct hull_err *err)
{
	struct hull_cg_resources r;
	int ret;
	if (hull_cg_res_for_create(lx, x, &r, err) < 0)
		return -1;
	ret = hull_cgroup_apply(cg, path, &r, ~0u, lx, true, err);
	hull_cg_res_free(&r);
	return ret;
}
