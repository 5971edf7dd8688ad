/* SPDX-License-Identifier: Apache-2.0 */
/* The systemd driver's names: runc's "slice:prefix:name" cgroupsPath -> the scope unit, its
 * slice, and the cgroup systemd gives it. */
#include <errno.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/vfs.h>

#include "lib/util.h"
#include "runtime/cgroup/systemd.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define SLICE_SUFFIX ".slice"
#define SCOPE_SUFFIX ".scope"
#define ROOT_SLICE   "-.slice"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

char *hull_sd_slice_path(const char *slice, struct hull_err *err)
{
	cleanup_free char *stem = NULL;
	char *path, *dash;
	size_t n;

	if (!strcmp(slice, ROOT_SLICE))
		return xstrdup("");
	if (!has_suffix(slice, SLICE_SUFFIX) || strchr(slice, '/')) {
		hull_error(err, EINVAL, "systemd slice `%s`: a slice is named NAME.slice", slice);
		return NULL;
	}
	n = strlen(slice) - strlen(SLICE_SUFFIX);
	stem = xstrdup(slice);
	stem[n] = '\0';
	/* each dash opens a level: a-b-c.slice lives in a-b.slice, which lives in a.slice */
	if (n == 0 || stem[0] == '-' || stem[n - 1] == '-' || strstr(stem, "--")) {
		hull_error(err, EINVAL,
			   "systemd slice `%s`: dashes separate nested slices and cannot lead, "
			   "trail or repeat",
			   slice);
		return NULL;
	}
	path = xstrdup("");
	for (dash = stem;; dash++) {
		bool end = *dash == '\0';
		if (*dash != '-' && !end)
			continue;
		*dash = '\0';
		{
			char *next = hull_strfmt("%s/%s%s", path, stem, SLICE_SUFFIX);
			free(path);
			path = next;
		}
		if (end)
			break;
		*dash = '-';
	}
	return path;
}

static int check_part(const char *what, const char *v, const char *cgroups_path,
		      struct hull_err *err)
{
	if (strchr(v, '/') || !strcmp(v, ".") || !strcmp(v, ".."))
		return hull_error(err, EINVAL,
				  "linux.cgroupsPath `%s`: the %s `%s` must be a plain name",
				  cgroups_path, what, v);
	return 0;
}

int hull_sd_unit_parse(const char *cgroups_path, const char *id, struct hull_sd_unit *u,
		       struct hull_err *err)
{
	cleanup_free char *copy = NULL, *slice_path = NULL;
	const char *slice, *prefix, *name;
	char *c1, *c2;

	memset(u, 0, sizeof(*u));
	if (!cgroups_path || !*cgroups_path) {
		slice = HULL_SD_DEFAULT_SLICE;
		prefix = HULL_SD_DEFAULT_PREFIX;
		name = id;
	} else {
		copy = xstrdup(cgroups_path);
		c1 = strchr(copy, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || strchr(c2 + 1, ':'))
			return hull_error(err, EINVAL,
					  "linux.cgroupsPath `%s`: with --systemd-cgroup it is "
					  "\"slice:prefix:name\" (e.g. \"system.slice:docker:ID\")",
					  cgroups_path);
		*c1 = *c2 = '\0';
		slice = *copy ? copy : HULL_SD_DEFAULT_SLICE;
		prefix = c1 + 1;
		name = c2 + 1;
	}
	if (!*name)
		return hull_error(err, EINVAL, "linux.cgroupsPath `%s`: the name is empty",
				  cgroups_path);
	if (check_part("prefix", prefix, cgroups_path, err) < 0 ||
	    check_part("name", name, cgroups_path, err) < 0)
		return -1;
	if (has_suffix(name, SLICE_SUFFIX))
		return hull_error(err, ENOTSUP,
				  "linux.cgroupsPath `%s`: a container in a slice unit of its own "
				  "is not supported; name a scope",
				  cgroups_path);
	slice_path = hull_sd_slice_path(slice, err);
	if (!slice_path)
		return hull_error_wrap(err, "linux.cgroupsPath `%s`", cgroups_path);
	u->slice = xstrdup(slice);
	u->name = *prefix ? hull_strfmt("%s-%s%s", prefix, name, SCOPE_SUFFIX)
			  : hull_strfmt("%s%s", name, SCOPE_SUFFIX);
	u->path = hull_strfmt("%s/%s", slice_path, u->name);
	return 0;
}

void hull_sd_unit_free(struct hull_sd_unit *u)
{
	free(u->slice);
	free(u->name);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

const char *hull_sd_unit_of_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

bool hull_sd_unified(void)
{
	struct statfs fs;
	return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}
