/* SPDX-License-Identifier: Apache-2.0 */
/* pause, resume, update and stats of a container, through its recorded cgroup path. */
#include "runtime/resources.h"

#include <errno.h>
#include <string.h>

#include "lib/util.h"
#include "runtime/cgroup/driver.h"
#include "runtime/executor.h"
#include "runtime/state.h"

/* Lock, load and check the state; the cgroups are discovered for the caller. */
static int open_container(const char *root, const char *id, const char *what, int *lock,
			  struct hull_state **st, struct hull_cgroups *cg, struct hull_err *err)
{
	*lock = hull_state_lock(root, id, err);
	if (*lock < 0)
		return hull_error_wrap(err, "%s", what);
	if (hull_state_load(root, id, st, err) < 0)
		goto fail;
	if (!(*st)->cgroup_path || !*(*st)->cgroup_path) {
		hull_error(err, ENOENT, "container `%s` has no cgroup", id);
		goto fail;
	}
	if (hull_cgroups_discover(cg, err) < 0)
		goto fail;
	return 0;
fail:
	hull_state_free(*st);
	*st = NULL;
	close(*lock);
	*lock = -1;
	return hull_error_wrap(err, "%s", what);
}

static void close_container(int lock, struct hull_state *st, struct hull_cgroups *cg)
{
	hull_cgroups_free(cg);
	hull_state_free(st);
	if (lock >= 0)
		close(lock);
}

/* What the container's level freezes besides its cgroup (its executor's freeze). */
static int level_freeze(const char *root, const struct hull_state *st, bool on,
			struct hull_err *err)
{
	const struct hull_executor *level = hull_executor_find(st->isolation, NULL);
	return level && level->freeze ? level->freeze(root, st, on, err) : 0;
}

static int freeze(const char *root, const char *id, bool on, struct hull_err *err)
{
	const char *what = on ? "pause" : "resume";
	struct hull_state *st = NULL;
	struct hull_cgroups cg = {0};
	int lock, ret = -1;

	if (open_container(root, id, what, &lock, &st, &cg, err) < 0)
		return -1;
	if (on && st->status != HULL_RUNNING)
		hull_error(err, EINVAL, "%s: container `%s` is %s, not running", what, id,
			   hull_status_name(st->status));
	else if (!on && st->status != HULL_PAUSED)
		hull_error(err, EINVAL, "%s: container `%s` is %s, not paused", what, id,
			   hull_status_name(st->status));
	else if (on && level_freeze(root, st, true, err) < 0)
		hull_error_wrap(err, "%s `%s`", what, id);
	else if (hull_cgroup_freeze(&cg, st->cgroup_path, on, err) < 0) {
		struct hull_err undo = {0};
		hull_error_wrap(err, "%s `%s`", what, id);
		if (on)
			level_freeze(root, st, false, &undo);
	} else if (!on && level_freeze(root, st, false, err) < 0)
		hull_error_wrap(err, "%s `%s`", what, id);
	else
		ret = 0;
	close_container(lock, st, &cg);
	return ret;
}

int hull_container_pause(const char *root, const char *id, struct hull_err *err)
{
	return freeze(root, id, true, err);
}

int hull_container_resume(const char *root, const char *id, struct hull_err *err)
{
	return freeze(root, id, false, err);
}

int hull_container_resources(const char *root, const char *id, struct hull_cg_resources *r,
			     struct hull_err *err)
{
	cleanup_free char *rec = hull_strfmt("%s/%s/resources.json", root, id);
	cleanup_free char *json = NULL;
	char ebuf[256];
	yajl_val tree;
	int ret;

	memset(r, 0, sizeof(*r));
	if (hull_read_file(rec, &json, NULL, NULL) == 0) {
		tree = yajl_tree_parse(json, ebuf, sizeof(ebuf));
		if (!tree)
			return hull_error(err, EINVAL, "corrupt `%s`: %s", rec, ebuf);
		ret = hull_cg_res_parse(tree, "resources.json", r, err);
		yajl_tree_free(tree);
		return ret;
	} else {
		cleanup_free char *cfg = hull_strfmt("%s/%s/config.json", root, id);
		struct hull_spec *spec = hull_spec_load(cfg, err);
		if (!spec)
			return -1;
		ret = hull_cg_res_parse(spec->linux_ ? spec->linux_->resources : NULL,
					"linux.resources", r, err);
		hull_spec_free(spec);
		return ret;
	}
}

/* The memory the container's level adds beside its limit (the vm level: the VMM's own). */
static int level_memory(const char *root, const char *id, const struct hull_state *st,
			int64_t *bytes, struct hull_err *err)
{
	const struct hull_executor *level = hull_executor_find(st->isolation, err);
	struct hull_cg_extra x = {0};
	cleanup_free char *cfg = NULL;
	struct hull_spec *spec;
	int ret;

	*bytes = 0;
	if (!level)
		return -1;
	if (!level->cgroup)
		return 0;
	cfg = hull_strfmt("%s/%s/config.json", root, id);
	spec = hull_spec_load(cfg, err);
	if (!spec)
		return -1;
	ret = level->cgroup(spec, &x, err);
	hull_spec_free(spec);
	*bytes = (int64_t)x.memory;
	return ret;
}

int hull_container_update(const char *root, const char *id, const struct hull_cg_resources *upd,
			  struct hull_err *err)
{
	struct hull_state *st = NULL;
	struct hull_cgroups cg = {0};
	struct hull_cg_resources cur;
	cleanup_free char *json = NULL, *rec = NULL;
	int64_t level_mem = 0;
	int lock, ret = -1;

	if (open_container(root, id, "update", &lock, &st, &cg, err) < 0)
		return -1;
	if (st->status == HULL_STOPPED) {
		hull_error(err, EINVAL, "update: container `%s` is stopped", id);
		close_container(lock, st, &cg);
		return -1;
	}
	if (hull_container_resources(root, id, &cur, err) < 0) {
		close_container(lock, st, &cg);
		return hull_error_wrap(err, "update `%s`", id);
	}
	hull_cg_res_merge(&cur, upd);
	if (level_memory(root, id, st, &level_mem, err) < 0) {
		hull_error_wrap(err, "update `%s`", id);
		goto out;
	}
	/* the merged values, so that derived ones (v2 swap = swap - limit) see both; a VM's
	 * limit keeps room for its VMM (the guest's RAM itself stays as it booted) */
	hull_cg_res_add_memory(&cur, level_mem);
	if (hull_cgroup_driver_update(&cg, st->systemd_cgroup, st->cgroup_path, &cur,
				      upd->sections & ~HULL_CG_DEVICES, err) < 0) {
		hull_error_wrap(err, "update `%s`", id);
		goto out;
	}
	hull_cg_res_add_memory(&cur, -level_mem);
	{
		const struct hull_executor *level = hull_executor_find(st->isolation, NULL);
		if (level && level->update &&
		    level->update(root, st, &cur, upd->sections & ~HULL_CG_DEVICES, err) < 0) {
			hull_error_wrap(err, "update `%s`", id);
			goto out;
		}
	}
	json = hull_cg_res_to_json(&cur);
	rec = hull_strfmt("%s/%s/resources.json", root, id);
	if (hull_write_file_replace(rec, json, strlen(json), 0600, err) < 0)
		goto out;
	ret = 0;
out:
	hull_cg_res_free(&cur);
	close_container(lock, st, &cg);
	return ret;
}

int hull_container_stats(const char *root, const char *id, char **json, struct hull_err *err)
{
	struct hull_state *st = NULL;
	struct hull_cgroups cg = {0};
	int ret = -1;

	if (hull_state_load(root, id, &st, err) < 0)
		return hull_error_wrap(err, "events");
	if (st->status == HULL_STOPPED)
		hull_error(err, EINVAL, "events: container `%s` is stopped", id);
	else if (!st->cgroup_path || !*st->cgroup_path)
		hull_error(err, ENOENT, "events: container `%s` has no cgroup", id);
	else if (hull_cgroups_discover(&cg, err) == 0) {
		*json = hull_cgroup_stats_json(&cg, st->cgroup_path);
		ret = 0;
	}
	hull_cgroups_free(&cg);
	hull_state_free(st);
	return ret;
}

int hull_container_oom_count(const char *root, const char *id, uint64_t *count,
			     struct hull_err *err)
{
	struct hull_state *st = NULL;
	struct hull_cgroups cg = {0};
	int ret = -1;

	*count = 0;
	if (hull_state_load(root, id, &st, err) < 0)
		return -1;
	if (st->status == HULL_STOPPED)
		hull_error(err, ESRCH, "container `%s` is stopped", id);
	else if (st->cgroup_path && *st->cgroup_path && hull_cgroups_discover(&cg, err) == 0)
		ret = hull_cgroup_oom_count(&cg, st->cgroup_path, count, err);
	hull_cgroups_free(&cg);
	hull_state_free(st);
	return ret;
}
