/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec, the runtime's side: the process to run (--process, or the container's own with the
 * flags applied), handed to the container's isolation level (runtime/executor/exec.c for a
 * container); and ps.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/caps.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/executor.h"
#include "runtime/selfexe.h"
#include "runtime/spec/spec_parse.h"

static int parse_user(const char *s, struct hull_process *p, struct hull_err *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || (*end && *end != ':') || v > UINT32_MAX - 1)
		return hull_error(err, EINVAL, "--user needs UID[:GID] as numbers, not `%s`", s);
	p->uid = (uid_t)v;
	if (*end == ':') {
		const char *g = end + 1;
		errno = 0;
		v = strtoul(g, &end, 10);
		if (errno || end == g || *end || v > UINT32_MAX - 1)
			return hull_error(err, EINVAL,
					  "--user needs UID[:GID] as numbers, not `%s`", s);
		p->gid = (gid_t)v;
	}
	return 0;
}

/* NAME=VALUE replaces NAME's entry, or is appended. */
static void env_set(char ***env, const char *kv)
{
	size_t n = hull_strv_len(*env), klen = strcspn(kv, "="), i;
	for (i = 0; i < n; i++)
		if (!strncmp((*env)[i], kv, klen) && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	*env = xrealloc(*env, (n + 2) * sizeof(char *));
	(*env)[n] = xstrdup(kv);
	(*env)[n + 1] = NULL;
}

static void strv_add(char ***v, const char *s)
{
	size_t n = hull_strv_len(*v);
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

static struct hull_process *parse_process(yajl_val node, const char *what, struct hull_err *err)
{
	struct hull_process *p = xzalloc(sizeof(*p));
	if (!node || !YAJL_IS_OBJECT(node)) {
		hull_error(err, EINVAL, "%s: a process object is needed", what);
		goto fail;
	}
	if (hull_spec_parse_process(node, p, err) < 0) {
		hull_error_wrap(err, "%s", what);
		goto fail;
	}
	return p;
fail:
	hull_spec_free_process(p);
	return NULL;
}

/* The process to run: --process as given, or the container's own with the flags applied. */
static struct hull_process *exec_process(const struct hull_exec_opts *o,
					 const struct hull_spec *spec, struct hull_err *err)
{
	struct hull_process *p;
	size_t i;

	if (o->process_file) {
		cleanup_free char *text = NULL;
		char ebuf[256];
		yajl_val tree;
		int r = !strcmp(o->process_file, "-")
				? hull_read_fd(0, &text, NULL, err)
				: hull_read_file(o->process_file, &text, NULL, err);
		if (r < 0)
			return NULL;
		tree = yajl_tree_parse(text, ebuf, sizeof(ebuf));
		if (!tree)
			return hull_error(err, EINVAL, "--process `%s`: invalid JSON: %s",
					  o->process_file, ebuf),
			       NULL;
		p = parse_process(tree, "--process", err);
		yajl_tree_free(tree);
		if (!p)
			return NULL;
	} else {
		const char *path[] = {"process", NULL};
		p = parse_process(yajl_tree_get(spec->tree, path, yajl_t_object),
				  "the container's config.json", err);
		if (!p)
			return NULL;
		hull_strv_free(p->args);
		p->args = hull_strv_dup(o->args);
		p->terminal = o->tty;
		if (o->cwd) {
			free(p->cwd);
			p->cwd = xstrdup(o->cwd);
		}
		if (o->user && parse_user(o->user, p, err) < 0)
			goto fail;
		if (o->n_additional_gids) {
			free(p->additional_gids);
			p->additional_gids = xmalloc(o->n_additional_gids * sizeof(gid_t));
			memcpy(p->additional_gids, o->additional_gids,
			       o->n_additional_gids * sizeof(gid_t));
			p->n_additional_gids = o->n_additional_gids;
		}
		if (o->no_new_privs)
			p->no_new_privileges = true;
		for (i = 0; o->caps && o->caps[i]; i++) {
			if (!p->caps)
				p->caps = xzalloc(sizeof(*p->caps));
			strv_add(&p->caps->bounding, o->caps[i]);
			strv_add(&p->caps->effective, o->caps[i]);
			strv_add(&p->caps->permitted, o->caps[i]);
			/* ambient needs the inheritable bit: add it only where the spec asks for
			 * inheritable capabilities at all, as runc does */
			if (p->caps->inheritable && *p->caps->inheritable) {
				strv_add(&p->caps->inheritable, o->caps[i]);
				strv_add(&p->caps->ambient, o->caps[i]);
			}
		}
	}
	for (i = 0; o->env && o->env[i]; i++)
		env_set(&p->env, o->env[i]);
	if (!p->args || !p->args[0]) {
		hull_error(err, EINVAL, "exec: no command given (args are empty)");
		goto fail;
	}
	hull_caps_warn_unknown(p->caps);
	if (!p->cwd || p->cwd[0] != '/') {
		hull_error(err, EINVAL, "exec: the cwd must be an absolute path, not `%s`",
			   p->cwd ? p->cwd : "");
		goto fail;
	}
	return p;
fail:
	hull_spec_free_process(p);
	return NULL;
}

int hull_container_exec(const struct hull_exec_opts *o, int *status, struct hull_err *err)
{
	const struct hull_executor *level;
	struct hull_state *st = NULL;
	struct hull_spec *spec = NULL;
	struct hull_process *p = NULL;
	int ret = 0;

	*status = 0;
	if (hull_selfexe_check(err) < 0 || hull_state_load(o->root, o->id, &st, err) < 0)
		goto fail;
	/* in a paused one only when asked: the process then waits, frozen, for resume */
	if (st->status != HULL_RUNNING && st->status != HULL_CREATED &&
	    !(o->ignore_paused && st->status == HULL_PAUSED)) {
		hull_error(err, EINVAL, "cannot exec in a %s container",
			   hull_status_name(st->status));
		goto fail;
	}
	level = hull_executor_find(st->isolation, err);
	if (!level)
		goto fail;
	{
		cleanup_free char *path = hull_strfmt("%s/%s/config.json", o->root, o->id);
		spec = hull_spec_load(path, err);
	}
	if (!spec)
		goto fail;
	p = exec_process(o, spec, err);
	/* the level runs it: a container's joins the init, a VM's runs in the guest */
	if (!p || level->exec_process(o, st, spec, p, status, err) < 0)
		goto fail;
	goto out;
fail:
	ret = hull_error_wrap(err, "exec in `%s`", o->id);
out:
	hull_spec_free_process(p);
	hull_spec_free(spec);
	hull_state_free(st);
	return ret;
}

int hull_container_pids(const char *root, const char *id, pid_t **pids, size_t *n,
			struct hull_err *err)
{
	struct hull_state *st = NULL;
	struct hull_cgroups cg = {0};
	int ret = 0;

	*pids = NULL;
	*n = 0;
	if (hull_state_load(root, id, &st, err) < 0)
		return -1;
	if (st->status == HULL_STOPPED) {
		/* nothing runs; a stopped container has no processes to list */
	} else if (st->cgroup_path && *st->cgroup_path) {
		ret = hull_cgroups_discover(&cg, err);
		if (ret == 0)
			ret = hull_cgroup_pids(&cg, st->cgroup_path, pids, n, err);
		hull_cgroups_free(&cg);
	} else {
		*pids = xmalloc(sizeof(pid_t));
		(*pids)[0] = st->pid;
		*n = 1;
	}
	hull_state_free(st);
	return ret < 0 ? hull_error_wrap(err, "ps `%s`", id) : 0;
}
