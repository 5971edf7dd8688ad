/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroup driver of a container: cgroupfs or systemd (driver.h). */
#include "runtime/cgroup/driver.h"

#include <string.h>

#include "lib/util.h"
#include "runtime/cgroup/systemd.h"

char *hull_cgroup_driver_path(const struct hull_cgroups *cg, bool systemd, const char *spec_path,
			      const char *id, struct hull_err *err)
{
	struct hull_sd_unit u;
	char *path;

	if (!systemd)
		return hull_cgroup_resolve_path(cg, spec_path, id);
	if (hull_sd_check_running(err) < 0 || hull_sd_unit_parse(spec_path, id, &u, err) < 0)
		return NULL;
	path = u.path;
	u.path = NULL;
	hull_sd_unit_free(&u);
	return path;
}

/* The unit of a path the systemd driver made: its last component, in the slice before it
 * (the root slice when there is none). */
static void unit_of(const char *path, struct hull_sd_unit *u)
{
	const char *name = hull_sd_unit_of_path(path), *slice_end = name - 1, *slice = slice_end;
	while (slice > path && slice[-1] != '/')
		slice--;
	u->name = xstrdup(name);
	u->slice = slice < slice_end ? strndup(slice, (size_t)(slice_end - slice))
				     : xstrdup("-.slice");
	u->path = xstrdup(path);
}

int hull_cgroup_driver_enter(const struct hull_cgroups *cg, bool systemd, const char *path,
			     pid_t pid, const struct hull_linux *lx, const struct hull_cg_extra *x,
			     struct hull_err *err)
{
	struct hull_cg_resources r;
	struct hull_sd_unit u = {0};
	struct hull_err ignored;
	int ret = -1;

	if (!systemd)
		return hull_cgroup_enter(cg, path, pid, err) < 0 ||
				       hull_cgroup_setup(cg, path, lx, x, err) < 0
			       ? -1
			       : 0;
	if (hull_cg_res_for_create(lx, x, &r, err) < 0)
		return -1;
	unit_of(path, &u);
	if (hull_sd_scope_start(&u, pid, &r, lx, err) < 0)
		goto out;
	/* systemd places the init in the hierarchies it manages; hull, in the others (v1
	 * cpuset and freezer, ...), and writes what the unit's properties do not say */
	if (hull_cgroup_enter(cg, path, pid, err) < 0 ||
	    hull_cgroup_apply(cg, path, &r, ~hull_sd_covered(&r, ~0u, hull_sd_unified()), lx, true,
			      err) < 0) {
		hull_sd_unit_stop(u.name, &ignored);
		hull_cgroup_remove(cg, path, &ignored);
		goto out;
	}
	ret = 0;
out:
	hull_sd_unit_free(&u);
	hull_cg_res_free(&r);
	return ret;
}

int hull_cgroup_driver_update(const struct hull_cgroups *cg, bool systemd, const char *path,
			      const struct hull_cg_resources *r, unsigned mask,
			      struct hull_err *err)
{
	if (systemd) {
		unsigned covered = hull_sd_covered(r, mask, hull_sd_unified());
		if (hull_sd_unit_set(hull_sd_unit_of_path(path), r, mask, err) < 0)
			return -1;
		mask &= ~covered;
	}
	return hull_cgroup_apply(cg, path, r, mask, NULL, false, err);
}

int hull_cgroup_driver_remove(const struct hull_cgroups *cg, bool systemd, const char *path,
			      struct hull_err *err)
{
	int ret = 0;
	if (systemd && path && *path && hull_sd_unit_stop(hull_sd_unit_of_path(path), err) < 0)
		ret = -1;
	/* what systemd does not manage (v1 cpuset, freezer) is hull's to remove */
	if (cg->n && hull_cgroup_remove(cg, path, ret < 0 ? NULL : err) < 0)
		ret = -1;
	return ret;
}
