/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause/resume: the v1 freezer (freezer.state FROZEN/THAWED) or v2's cgroup.freeze.
 *
 * On a hybrid host both exist; the v1 freezer is used when it is mounted, because that is
 * the hierarchy v1-managing tools (runc, crun, containerd's cgroup stats) look at, and the
 * cgroup2 mount there may lack the container's cgroup when it was made by another runtime.
 * Hosts without a v1 freezer use cgroup.freeze, which every cgroup2 cgroup has.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"

#define FREEZE_TRIES 2000 /* x 1-5 ms: tasks in uninterruptible sleep can take a while */

static int v1_freeze(const char *dir, bool freeze, struct hull_err *err)
{
	cleanup_free char *f = hull_strfmt("%s/freezer.state", dir);
	const char *want = freeze ? "FROZEN" : "THAWED";
	int i;

	for (i = 0; i < FREEZE_TRIES; i++) {
		cleanup_free char *cur = NULL;
		/* writing FROZEN again kicks tasks that were busy the last time */
		if (i % 50 == 0 && hull_write_string(f, want, err) < 0)
			return hull_error_wrap(err, "cgroup: write `%s` to %s", want, f);
		if (hull_read_file(f, &cur, NULL, err) < 0)
			return -1;
		if (hull_has_prefix(cur, want))
			return 0;
		nanosleep(&(struct timespec){0, (i < 100 ? 1 : 5) * 1000 * 1000}, NULL);
	}
	if (freeze) {
		struct hull_err ignored;
		hull_write_string(f, "THAWED", &ignored);
	}
	return hull_error(err, EBUSY, "cgroup: %s did not become %s", f, want);
}

static int v2_frozen(const char *dir, bool *frozen, struct hull_err *err)
{
	cleanup_free char *f = hull_strfmt("%s/cgroup.events", dir);
	cleanup_free char *cur = NULL;
	const char *p;
	if (hull_read_file(f, &cur, NULL, err) < 0)
		return -1;
	p = strstr(cur, "frozen ");
	*frozen = p && p[7] == '1';
	return 0;
}

static int v2_freeze(const char *dir, bool freeze, struct hull_err *err)
{
	cleanup_free char *f = hull_strfmt("%s/cgroup.freeze", dir);
	int i;

	if (hull_write_string(f, freeze ? "1" : "0", err) < 0)
		return hull_error_wrap(err, "cgroup: write `%d` to %s", freeze, f);
	for (i = 0; i < FREEZE_TRIES; i++) {
		bool frozen;
		if (v2_frozen(dir, &frozen, err) < 0)
			return -1;
		if (frozen == freeze)
			return 0;
		nanosleep(&(struct timespec){0, (i < 100 ? 1 : 5) * 1000 * 1000}, NULL);
	}
	if (freeze) {
		struct hull_err ignored;
		hull_write_string(f, "0", &ignored);
	}
	return hull_error(err, EBUSY, "cgroup: %s: the cgroup did not become %s", f,
			  freeze ? "frozen" : "thawed");
}

static int freezer_dir(const struct hull_cgroups *cg, const char *path, char **dir, bool *v2,
		       struct hull_err *err)
{
	const struct hull_cgroup_hier *h = hull_cgroup_hier_for(cg, "freezer");
	if (!h || h->v2)
		h = hull_cgroup_hier_for(cg, "");
	if (!h)
		return hull_error(err, ENODEV, "cgroup: this host has no freezer");
	*v2 = h->v2;
	*dir = hull_strfmt("%s%s", h->mountpoint, path);
	if (access(*dir, F_OK) < 0) {
		int e = errno;
		free(*dir);
		*dir = NULL;
		return hull_error(err, e, "cgroup: %s%s", h->mountpoint, path);
	}
	return 0;
}

int hull_cgroup_freeze(const struct hull_cgroups *cg, const char *path, bool freeze,
		       struct hull_err *err)
{
	cleanup_free char *dir = NULL;
	bool v2;
	if (freezer_dir(cg, path, &dir, &v2, err) < 0)
		return -1;
	return v2 ? v2_freeze(dir, freeze, err) : v1_freeze(dir, freeze, err);
}

int hull_cgroup_frozen(const struct hull_cgroups *cg, const char *path, bool *frozen,
		       struct hull_err *err)
{
	cleanup_free char *dir = NULL, *cur = NULL, *f = NULL;
	bool v2;
	*frozen = false;
	if (freezer_dir(cg, path, &dir, &v2, err) < 0)
		return -1;
	if (v2)
		return v2_frozen(dir, frozen, err);
	f = hull_strfmt("%s/freezer.state", dir);
	if (hull_read_file(f, &cur, NULL, err) < 0)
		return -1;
	*frozen = hull_has_prefix(cur, "FROZEN");
	return 0;
}

int hull_cgroup_refuse_frozen(const struct hull_cgroups *cg, const char *path, struct hull_err *err)
{
	struct hull_err ignored;
	bool frozen = false;
	if (hull_cgroup_frozen(cg, path, &frozen, &ignored) == 0 && frozen)
		return hull_error(err, EBUSY, "container's cgroup unexpectedly frozen: `%s`", path);
	return 0;
}
