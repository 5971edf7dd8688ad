/* SPDX-License-Identifier: Apache-2.0 */
/* config.json `linux`. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec/spec_parse.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	int type;
} ns_names[] = {
	{"pid", CLONE_NEWPID},	     {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
	{"ipc", CLONE_NEWIPC},	     {"uts", CLONE_NEWUTS},	{"user", CLONE_NEWUSER},
	{"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int hull_namespace_type(const char *name)
{
	size_t i;
	for (i = 0; name && i < ARRAY_SIZE(ns_names); i++)
		if (!strcmp(name, ns_names[i].name))
			return ns_names[i].type;
	return 0;
}

const char *hull_namespace_name(int type)
{
	size_t i;
	for (i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (ns_names[i].type == type)
			return ns_names[i].name;
	return "unknown";
}

static int elem_object(yajl_val arr, size_t i, const char *what, yajl_val *out,
		       struct hull_err *err)
{
	*out = arr->u.array.values[i];
	if (!YAJL_IS_OBJECT(*out))
		return hull_error(err, EINVAL, "config.json: `%s[%zu]` must be an object", what, i);
	return 0;
}

static int parse_namespaces(yajl_val arr, struct hull_linux *lx, struct hull_err *err)
{
	size_t i, k, n = arr->u.array.len;
	lx->namespaces = xzalloc((n + 1) * sizeof(*lx->namespaces));
	for (i = 0; i < n; i++) {
		cleanup_free char *type = NULL;
		char path[48];
		yajl_val o;
		snprintf(path, sizeof(path), "linux.namespaces[%zu]", i);
		if (elem_object(arr, i, "linux.namespaces", &o, err) < 0 ||
		    sj_string(o, "type", path, &type, err) < 0)
			return -1;
		if (!type)
			return hull_error(err, EINVAL, "config.json: `%s.type` is required", path);
		lx->namespaces[i].type = hull_namespace_type(type);
		if (!lx->namespaces[i].type)
			return hull_error(err, EINVAL,
					  "config.json: `%s.type`: unknown namespace type `%s`",
					  path, type);
		lx->n_namespaces++;
		if (sj_string(o, "path", path, &lx->namespaces[i].path, err) < 0)
			return -1;
		for (k = 0; k < i; k++)
			if (lx->namespaces[k].type == lx->namespaces[i].type)
				return hull_error(err, EINVAL,
						  "config.json: namespace `%s` is listed twice",
						  type);
	}
	return 0;
}

static int parse_idmaps(yajl_val arr, const char *what, struct hull_id_map **out, size_t *n_out,
			struct hull_err *err)
{
	size_t i, n = arr->u.array.len;
	*out = xzalloc((n + 1) * sizeof(**out));
	for (i = 0; i < n; i++) {
		char path[48];
		int64_t c, h, s;
		yajl_val o;
		snprintf(path, sizeof(path), "%s[%zu]", what, i);
		if (elem_object(arr, i, what, &o, err) < 0)
			return -1;
		if (sj_int(o, "containerID", path, 0, UINT32_MAX, &c, err) <= 0 ||
		    sj_int(o, "hostID", path, 0, UINT32_MAX, &h, err) <= 0 ||
		    sj_int(o, "size", path, 1, UINT32_MAX, &s, err) <= 0)
			return hull_error(err, EINVAL,
					  "config.json: `%s` needs containerID, hostID and size",
					  path);
		(*out)[i] = (struct hull_id_map){(uint32_t)c, (uint32_t)h, (uint32_t)s};
		(*n_out)++;
	}
	return 0;
}

static int parse_devices(yajl_val arr, struct hull_linux *lx, struct hull_err *err)
{
	size_t i, n = arr->u.array.len;
	lx->devices = xzalloc((n + 1) * sizeof(*lx->devices));
	for (i = 0; i < n; i++) {
		struct hull_device *d = &lx->devices[i];
		cleanup_free char *type = NULL;
		char path[48];
		int64_t v;
		yajl_val o;
		snprintf(path, sizeof(path), "linux.devices[%zu]", i);
		if (elem_object(arr, i, "linux.devices", &o, err) < 0)
			return -1;
		lx->n_devices++;
		if (sj_string(o, "path", path, &d->path, err) < 0 ||
		    sj_string(o, "type", path, &type, err) < 0)
			return -1;
		if (!d->path || d->path[0] != '/')
			return hull_error(err, EINVAL,
					  "config.json: `%s.path` must be an absolute path", path);
		if (!type || strlen(type) != 1 || !strchr("cbup", type[0]))
			return hull_error(err, EINVAL,
					  "config.json: `%s.type` must be c, b, u or p", path);
		d->type = type[0];
		if (d->type != 'p') {
			if (sj_int(o, "major", path, 0, 0xfffff, &d->major, err) <= 0 ||
			    sj_int(o, "minor", path, 0, 0xfffff, &d->minor, err) <= 0)
				return hull_error(err, EINVAL,
						  "config.json: `%s` needs major and minor numbers",
						  path);
		}
		switch (sj_int(o, "fileMode", path, 0, 07777, &v, err)) {
		case -1:
			return -1;
		case 1:
			d->has_file_mode = true;
			d->file_mode = (mode_t)v;
		}
		switch (sj_int(o, "uid", path, 0, UINT32_MAX - 1, &v, err)) {
		case -1:
			return -1;
		case 1:
			d->has_uid = true;
			d->uid = (uid_t)v;
		}
		switch (sj_int(o, "gid", path, 0, UINT32_MAX - 1, &v, err)) {
		case -1:
			return -1;
		case 1:
			d->has_gid = true;
			d->gid = (gid_t)v;
		}
	}
	return 0;
}

static int parse_time_offsets(yajl_val obj, struct hull_linux *lx, struct hull_err *err)
{
	size_t i, n = obj->u.object.len;
	lx->time_offsets = xzalloc((n + 1) * sizeof(*lx->time_offsets));
	for (i = 0; i < n; i++) {
		const char *clock = obj->u.object.keys[i];
		yajl_val o = obj->u.object.values[i];
		struct hull_time_offset *t = &lx->time_offsets[i];
		char path[64];
		int64_t v;
		snprintf(path, sizeof(path), "linux.timeOffsets.%s", clock);
		if (strcmp(clock, "monotonic") && strcmp(clock, "boottime"))
			return hull_error(err, EINVAL, "config.json: `%s`: unknown clock", path);
		if (!YAJL_IS_OBJECT(o))
			return hull_error(err, EINVAL, "config.json: `%s` must be an object", path);
		t->clock = xstrdup(clock);
		lx->n_time_offsets++;
		if (sj_int(o, "secs", path, INT64_MIN, INT64_MAX, &t->secs, err) < 0 ||
		    sj_int(o, "nanosecs", path, 0, 999999999, &v, err) < 0)
			return -1;
		t->nanosecs = sj_get(o, "nanosecs") ? (uint32_t)v : 0;
	}
	return 0;
}

int hull_spec_parse_linux(yajl_val j, struct hull_linux *lx, struct hull_err *err)
{
	yajl_val v = NULL;
	int r;

	lx->src = j;
	if ((r = sj_array(j, "namespaces", "linux", &v, err)) < 0 ||
	    (r && parse_namespaces(v, lx, err) < 0))
		return -1;
	v = NULL;
	if ((r = sj_array(j, "uidMappings", "linux", &v, err)) < 0 ||
	    (r &&
	     parse_idmaps(v, "linux.uidMappings", &lx->uid_mappings, &lx->n_uid_mappings, err) < 0))
		return -1;
	v = NULL;
	if ((r = sj_array(j, "gidMappings", "linux", &v, err)) < 0 ||
	    (r &&
	     parse_idmaps(v, "linux.gidMappings", &lx->gid_mappings, &lx->n_gid_mappings, err) < 0))
		return -1;
	v = NULL;
	if ((r = sj_array(j, "devices", "linux", &v, err)) < 0 ||
	    (r && parse_devices(v, lx, err) < 0))
		return -1;
	v = NULL;
	if ((r = sj_object(j, "timeOffsets", "linux", &v, err)) < 0 ||
	    (r && parse_time_offsets(v, lx, err) < 0))
		return -1;
	if (sj_string(j, "cgroupsPath", "linux", &lx->cgroups_path, err) < 0 ||
	    sj_kv(j, "sysctl", "linux", &lx->sysctl, &lx->n_sysctl, err) < 0 ||
	    sj_string(j, "rootfsPropagation", "linux", &lx->rootfs_propagation, err) < 0 ||
	    sj_strv(j, "maskedPaths", "linux", &lx->masked_paths, err) < 0 ||
	    sj_strv(j, "readonlyPaths", "linux", &lx->readonly_paths, err) < 0 ||
	    sj_string(j, "mountLabel", "linux", &lx->mount_label, err) < 0 ||
	    sj_object(j, "resources", "linux", &lx->resources, err) < 0 ||
	    sj_object(j, "seccomp", "linux", &lx->seccomp, err) < 0 ||
	    sj_object(j, "personality", "linux", &lx->personality, err) < 0)
		return -1;
	return hull_spec_parse_mem_policy(j, lx, err);
}

void hull_spec_free_linux(struct hull_linux *lx)
{
	size_t i;
	if (!lx)
		return;
	for (i = 0; i < lx->n_namespaces; i++)
		free(lx->namespaces[i].path);
	free(lx->namespaces);
	free(lx->uid_mappings);
	free(lx->gid_mappings);
	for (i = 0; i < lx->n_devices; i++)
		free(lx->devices[i].path);
	free(lx->devices);
	free(lx->cgroups_path);
	hull_kv_free(lx->sysctl, lx->n_sysctl);
	free(lx->rootfs_propagation);
	hull_strv_free(lx->masked_paths);
	hull_strv_free(lx->readonly_paths);
	free(lx->mount_label);
	for (i = 0; i < lx->n_time_offsets; i++)
		free(lx->time_offsets[i].clock);
	free(lx->time_offsets);
	free(lx);
}
