/* SPDX-License-Identifier: Apache-2.0 */
/* config.json `process`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec/spec_parse.h"

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_rlimits(yajl_val arr, struct hull_process *p, struct hull_err *err)
{
	size_t i, k, n = arr->u.array.len;
	p->rlimits = xzalloc((n + 1) * sizeof(*p->rlimits));
	for (i = 0; i < n; i++) {
		yajl_val r = arr->u.array.values[i];
		struct hull_rlimit *rl = &p->rlimits[i];
		char path[64];
		snprintf(path, sizeof(path), "process.rlimits[%zu]", i);
		if (!YAJL_IS_OBJECT(r))
			return hull_error(err, EINVAL, "config.json: `%s` must be an object", path);
		p->n_rlimits++;
		if (sj_string(r, "type", path, &rl->type, err) < 0)
			return -1;
		if (!rl->type)
			return hull_error(err, EINVAL, "config.json: `%s.type` is required", path);
		rl->resource = -1;
		for (k = 0; k < ARRAY_SIZE(rlimit_names); k++)
			if (!strcmp(rl->type, rlimit_names[k].name))
				rl->resource = rlimit_names[k].resource;
		if (rl->resource < 0)
			return hull_error(err, EINVAL,
					  "config.json: `%s.type`: unknown rlimit `%s`", path,
					  rl->type);
		if (sj_u64(r, "soft", path, &rl->soft, err) < 0 ||
		    sj_u64(r, "hard", path, &rl->hard, err) < 0)
			return -1;
		for (k = 0; k < i; k++)
			if (p->rlimits[k].resource == rl->resource)
				return hull_error(err, EINVAL,
						  "config.json: rlimit `%s` is given twice",
						  rl->type);
	}
	return 0;
}

static int parse_user(yajl_val u, struct hull_process *p, struct hull_err *err)
{
	int64_t v;
	yajl_val gids = NULL;
	size_t i;

	if (sj_int(u, "uid", "process.user", 0, UINT32_MAX - 1, &v, err) < 0)
		return -1;
	p->uid = (uid_t)(sj_get(u, "uid") ? v : 0);
	if (sj_int(u, "gid", "process.user", 0, UINT32_MAX - 1, &v, err) < 0)
		return -1;
	p->gid = (gid_t)(sj_get(u, "gid") ? v : 0);
	switch (sj_int(u, "umask", "process.user", 0, 07777, &v, err)) {
	case -1:
		return -1;
	case 1:
		p->has_umask = true;
		p->umask = (mode_t)v;
		break;
	}
	if (sj_array(u, "additionalGids", "process.user", &gids, err) < 0)
		return -1;
	if (gids) {
		p->additional_gids = xzalloc((gids->u.array.len + 1) * sizeof(gid_t));
		for (i = 0; i < gids->u.array.len; i++) {
			yajl_val g = gids->u.array.values[i];
			if (!YAJL_IS_INTEGER(g) || YAJL_GET_INTEGER(g) < 0 ||
			    YAJL_GET_INTEGER(g) >= UINT32_MAX)
				return hull_error(err, EINVAL,
						  "config.json: `process.user.additionalGids[%zu]` "
						  "must be a gid",
						  i);
			p->additional_gids[i] = (gid_t)YAJL_GET_INTEGER(g);
		}
		p->n_additional_gids = gids->u.array.len;
	}
	return 0;
}

static int parse_caps(yajl_val c, struct hull_process *p, struct hull_err *err)
{
	const char *path = "process.capabilities";
	p->caps = xzalloc(sizeof(*p->caps));
	if (sj_strv(c, "bounding", path, &p->caps->bounding, err) < 0 ||
	    sj_strv(c, "effective", path, &p->caps->effective, err) < 0 ||
	    sj_strv(c, "inheritable", path, &p->caps->inheritable, err) < 0 ||
	    sj_strv(c, "permitted", path, &p->caps->permitted, err) < 0 ||
	    sj_strv(c, "ambient", path, &p->caps->ambient, err) < 0)
		return -1;
	return 0;
}

int hull_spec_parse_process(yajl_val j, struct hull_process *p, struct hull_err *err)
{
	yajl_val v = NULL;
	int64_t n;
	int r;

	p->src = j;
	if (sj_bool(j, "terminal", "process", &p->terminal, err) < 0)
		return -1;
	if ((r = sj_object(j, "consoleSize", "process", &v, err)) < 0)
		return -1;
	if (r) {
		if (sj_int(v, "height", "process.consoleSize", 0, 65535, &n, err) < 0)
			return -1;
		p->console_height = sj_get(v, "height") ? (unsigned int)n : 0;
		if (sj_int(v, "width", "process.consoleSize", 0, 65535, &n, err) < 0)
			return -1;
		p->console_width = sj_get(v, "width") ? (unsigned int)n : 0;
	}
	v = NULL;
	if ((r = sj_object(j, "user", "process", &v, err)) < 0 || (r && parse_user(v, p, err) < 0))
		return -1;
	if (sj_strv(j, "args", "process", &p->args, err) < 0 ||
	    sj_strv(j, "env", "process", &p->env, err) < 0)
		return -1;
	if (!p->args)
		p->args = xzalloc(sizeof(char *));
	if (sj_string(j, "cwd", "process", &p->cwd, err) < 0)
		return -1;
	if (!p->cwd)
		return hull_error(err, EINVAL, "config.json: `process.cwd` is required");
	if (p->cwd[0] != '/')
		return hull_error(err, EINVAL,
				  "config.json: `process.cwd` must be absolute, not `%s`", p->cwd);
	v = NULL;
	if ((r = sj_object(j, "capabilities", "process", &v, err)) < 0 ||
	    (r && parse_caps(v, p, err) < 0))
		return -1;
	v = NULL;
	if ((r = sj_array(j, "rlimits", "process", &v, err)) < 0 ||
	    (r && parse_rlimits(v, p, err) < 0))
		return -1;
	if (sj_bool(j, "noNewPrivileges", "process", &p->no_new_privileges, err) < 0)
		return -1;
	switch (sj_int(j, "oomScoreAdj", "process", -1000, 1000, &n, err)) {
	case -1:
		return -1;
	case 1:
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int)n;
		break;
	}
	if (sj_string(j, "apparmorProfile", "process", &p->apparmor_profile, err) < 0 ||
	    sj_string(j, "selinuxLabel", "process", &p->selinux_label, err) < 0)
		return -1;
	return hull_spec_parse_sched(j, p, err);
}

void hull_spec_free_process(struct hull_process *p)
{
	size_t i;
	if (!p)
		return;
	free(p->additional_gids);
	hull_strv_free(p->args);
	hull_strv_free(p->env);
	free(p->cwd);
	if (p->caps) {
		hull_strv_free(p->caps->bounding);
		hull_strv_free(p->caps->effective);
		hull_strv_free(p->caps->inheritable);
		hull_strv_free(p->caps->permitted);
		hull_strv_free(p->caps->ambient);
		free(p->caps);
	}
	for (i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p);
}
