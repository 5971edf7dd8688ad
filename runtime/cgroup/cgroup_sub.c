/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec --cgroup (runc's option): the exec'd process joins a sub-cgroup of its container's,
 * one the container made (systemd inside it, a nested runtime), instead of the container's
 * own.  SUB applies to every hierarchy and is given alone; CTRL[,CTRL...]:SUB to the v1
 * hierarchies holding one of the controllers, the others keeping the container's cgroup.
 * The sub-cgroup must stay below the container's (no `..` component) and exist: where it
 * is named by its controllers, in each of them; a bare SUB, in one hierarchy at least (on
 * v1 a container often makes it in the controllers it uses only, as crun accepts).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"

/* Whether the comma-separated list has name (v1 hierarchies: "cpu,cpuacct"). */
static bool list_has(const char *list, const char *name, size_t len)
{
	const char *p = list;
	while (p && *p) {
		size_t n = strcspn(p, ",");
		if (n == len && !strncmp(p, name, len))
			return true;
		p = p[n] ? p + n + 1 : NULL;
	}
	return false;
}

static bool has_dotdot(const char *path)
{
	const char *p = path;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2))
			return true;
		p += n;
		p += strspn(p, "/");
	}
	return false;
}

static int check_args(char *const *args, struct hull_err *err)
{
	size_t i, n = hull_strv_len((char **)args);

	for (i = 0; i < n; i++) {
		const char *a = args[i], *colon = strchr(a, ':');
		const char *sub = colon ? colon + 1 : a;
		if (colon && strchr(sub, ':'))
			return hull_error(err, EINVAL, "exec --cgroup `%s`: one `:` at most", a);
		if (!colon && n > 1)
			return hull_error(err, EINVAL,
					  "exec --cgroup `%s`: without CONTROLLER: it is the only "
					  "--cgroup",
					  a);
		if (colon && (colon == a || strstr(a, ",,") || a[0] == ',' || colon[-1] == ','))
			return hull_error(err, EINVAL, "exec --cgroup `%s`: an empty controller",
					  a);
		if (!*sub)
			return hull_error(err, EINVAL, "exec --cgroup `%s`: no sub-cgroup", a);
		if (has_dotdot(sub))
			return hull_error(err, EINVAL,
					  "exec --cgroup `%s`: `..` components are not allowed", a);
	}
	return 0;
}

/* The SUB of args that applies to hierarchy h, or NULL. */
static const char *sub_for(const struct hull_cgroup_hier *h, char *const *args)
{
	size_t i;
	for (i = 0; args[i]; i++) {
		const char *colon = strchr(args[i], ':'), *c = args[i];
		if (!colon)
			return args[i];
		while (c < colon) {
			size_t n = strcspn(c, ",:");
			if (!h->v2 && list_has(h->controllers, c, n))
				return colon + 1;
			c += n + (c[n] == ',');
		}
	}
	return NULL;
}

int hull_cgroup_join_sub(const struct hull_cgroups *cg, const char *path, char *const *args,
			 pid_t pid, struct hull_err *err)
{
	bool bare = args[0] && !strchr(args[0], ':');
	char pidbuf[32];
	size_t i, joined = 0, in_sub = 0;

	if (check_args(args, err) < 0)
		return -1;
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	for (i = 0; i < cg->n; i++) {
		const char *sub = sub_for(&cg->h[i], args);
		cleanup_free char *dir = hull_strfmt("%s%s%s%s", cg->h[i].mountpoint, path,
						     sub ? "/" : "", sub ? sub : "");
		cleanup_free char *procs = NULL;
		if (sub && access(dir, F_OK) < 0) {
			if (!bare)
				return hull_error(err, errno, "exec --cgroup: sub-cgroup `%s`",
						  dir);
			free(dir);
			dir = hull_strfmt("%s%s", cg->h[i].mountpoint, path);
			sub = NULL;
		}
		if (access(dir, F_OK) < 0)
			continue;
		procs = hull_strfmt("%s/cgroup.procs", dir);
		if (hull_write_string(procs, pidbuf, err) < 0)
			return hull_error_wrap(err, "join cgroup `%s`", dir);
		joined++;
		in_sub += sub != NULL;
	}
	if (bare && !in_sub)
		return hull_error(err, ENOENT,
				  "exec --cgroup: no hierarchy has the sub-cgroup `%s` of `%s`",
				  args[0], path);
	if (!joined)
		return hull_error(err, ENOENT, "join cgroup `%s`: it does not exist", path);
	return 0;
}
