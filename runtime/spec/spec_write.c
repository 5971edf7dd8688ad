/* SPDX-License-Identifier: Apache-2.0 */
/* The model back to config.json, with yajl_gen.
 *
 * What the structs model is written from them; the raw sections (linux.resources, .seccomp,
 * .personality, vm) as the trees they are.  The fields hull does not model or write (solaris,
 * windows, process.scheduler and .ioPriority (read, not written), linux.intelRdt, a mount's
 * uidMappings, a future spec's additions...) are copied from the object the model was read from,
 * after the modeled ones: a config.json read, edited and written again keeps what hull did not
 * understand, and a key the model owns is never taken from the old document (a field code removed
 * stays removed). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec/spec.h"

/* The keys the model owns, per object (NULL-terminated). */
static const char *const top_keys[] = {"ociVersion", "root",	"hostname", "domainname",
				       "mounts",     "process", "hooks",    "annotations",
				       "linux",	     "vm",	NULL};
static const char *const root_keys[] = {"path", "readonly", NULL};
static const char *const process_keys[] = {"terminal",
					   "consoleSize",
					   "user",
					   "args",
					   "env",
					   "cwd",
					   "capabilities",
					   "rlimits",
					   "noNewPrivileges",
					   "oomScoreAdj",
					   "apparmorProfile",
					   "selinuxLabel",
					   NULL};
static const char *const user_keys[] = {"uid", "gid", "umask", "additionalGids", NULL};
static const char *const console_keys[] = {"height", "width", NULL};
static const char *const caps_keys[] = {"bounding",  "effective", "inheritable",
					"permitted", "ambient",	  NULL};
static const char *const mount_keys[] = {"destination", "type", "source", "options", NULL};
static const char *const hooks_keys[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
	NULL};
static const char *const linux_keys[] = {
	"namespaces",  "uidMappings", "gidMappings",	   "devices",	  "timeOffsets",
	"cgroupsPath", "sysctl",      "rootfsPropagation", "maskedPaths", "readonlyPaths",
	"mountLabel",  "resources",   "seccomp",	   "personality", NULL};

static bool listed(const char *const *keys, const char *k)
{
	for (; *keys; keys++)
		if (!strcmp(*keys, k))
			return true;
	return false;
}

/* The fields of src the model does not own, into the open map. */
static void unmodeled(yajl_gen g, yajl_val src, const char *const *keys)
{
	if (!src || !YAJL_IS_OBJECT(src))
		return;
	for (size_t i = 0; i < src->u.object.len; i++) {
		if (listed(keys, src->u.object.keys[i]))
			continue;
		hull_gen_str(g, src->u.object.keys[i]);
		sj_gen(g, src->u.object.values[i]);
	}
}

/* uint64 beyond long long (RLIM_INFINITY) as the number's text */
static void key_u64(yajl_gen g, const char *key, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRIu64, v);
	hull_gen_str(g, key);
	yajl_gen_number(g, num, (size_t)n);
}

static void key_kv(yajl_gen g, const char *key, const struct hull_kv *kv, size_t n)
{
	if (!kv)
		return;
	hull_gen_str(g, key);
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n; i++) {
		hull_gen_str(g, kv[i].key);
		hull_gen_str(g, kv[i].value);
	}
	yajl_gen_map_close(g);
}

static void write_user(yajl_gen g, const struct hull_process *p)
{
	yajl_val src = sj_get(p->src, "user");
	hull_gen_str(g, "user");
	yajl_gen_map_open(g);
	hull_gen_key_int(g, "uid", p->uid);
	hull_gen_key_int(g, "gid", p->gid);
	if (p->has_umask)
		hull_gen_key_int(g, "umask", p->umask);
	if (p->additional_gids) {
		hull_gen_str(g, "additionalGids");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < p->n_additional_gids; i++)
			yajl_gen_integer(g, p->additional_gids[i]);
		yajl_gen_array_close(g);
	}
	unmodeled(g, src, user_keys);
	yajl_gen_map_close(g);
}

static void write_caps(yajl_gen g, const struct hull_process *p)
{
	const struct hull_capabilities *c = p->caps;
	if (!c)
		return;
	hull_gen_str(g, "capabilities");
	yajl_gen_map_open(g);
	hull_gen_key_strv(g, "bounding", c->bounding);
	hull_gen_key_strv(g, "effective", c->effective);
	hull_gen_key_strv(g, "inheritable", c->inheritable);
	hull_gen_key_strv(g, "permitted", c->permitted);
	hull_gen_key_strv(g, "ambient", c->ambient);
	unmodeled(g, sj_get(p->src, "capabilities"), caps_keys);
	yajl_gen_map_close(g);
}

static void write_rlimits(yajl_gen g, const struct hull_process *p)
{
	if (!p->rlimits)
		return;
	hull_gen_str(g, "rlimits");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < p->n_rlimits; i++) {
		yajl_gen_map_open(g);
		hull_gen_key_str(g, "type", p->rlimits[i].type);
		key_u64(g, "hard", p->rlimits[i].hard);
		key_u64(g, "soft", p->rlimits[i].soft);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void write_process(yajl_gen g, const struct hull_process *p)
{
	hull_gen_str(g, "process");
	yajl_gen_map_open(g);
	hull_gen_key_bool(g, "terminal", p->terminal);
	if (p->console_height || p->console_width) {
		hull_gen_str(g, "consoleSize");
		yajl_gen_map_open(g);
		hull_gen_key_int(g, "height", p->console_height);
		hull_gen_key_int(g, "width", p->console_width);
		unmodeled(g, sj_get(p->src, "consoleSize"), console_keys);
		yajl_gen_map_close(g);
	}
	write_user(g, p);
	hull_gen_key_strv(g, "args", p->args);
	hull_gen_key_strv(g, "env", p->env);
	hull_gen_key_str(g, "cwd", p->cwd);
	write_caps(g, p);
	write_rlimits(g, p);
	hull_gen_key_bool(g, "noNewPrivileges", p->no_new_privileges);
	if (p->has_oom_score_adj)
		hull_gen_key_int(g, "oomScoreAdj", p->oom_score_adj);
	hull_gen_key_str(g, "apparmorProfile", p->apparmor_profile);
	hull_gen_key_str(g, "selinuxLabel", p->selinux_label);
	unmodeled(g, p->src, process_keys);
	yajl_gen_map_close(g);
}

static void write_root(yajl_gen g, const struct hull_spec *s)
{
	yajl_val src = sj_get(s->tree, "root");
	if (!s->root_path && !src)
		return;
	hull_gen_str(g, "root");
	yajl_gen_map_open(g);
	hull_gen_key_str(g, "path", s->root_path);
	hull_gen_key_bool(g, "readonly", s->root_readonly);
	unmodeled(g, src, root_keys);
	yajl_gen_map_close(g);
}

static void write_mounts(yajl_gen g, const struct hull_spec *s)
{
	if (!s->mounts)
		return;
	hull_gen_str(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct hull_mount *m = &s->mounts[i];
		yajl_gen_map_open(g);
		hull_gen_key_str(g, "destination", m->destination);
		hull_gen_key_str(g, "type", m->type);
		hull_gen_key_str(g, "source", m->source);
		hull_gen_key_strv(g, "options", m->options);
		unmodeled(g, m->src, mount_keys);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void write_hook_list(yajl_gen g, const char *phase, const struct hull_hook_list *l)
{
	if (!l->hooks)
		return;
	hull_gen_str(g, phase);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < l->n; i++) {
		const struct hull_hook *h = &l->hooks[i];
		yajl_gen_map_open(g);
		hull_gen_key_str(g, "path", h->path);
		hull_gen_key_strv(g, "args", h->args);
		hull_gen_key_strv(g, "env", h->env);
		if (h->timeout)
			hull_gen_key_int(g, "timeout", h->timeout);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void write_hooks(yajl_gen g, const struct hull_spec *s)
{
	const struct hull_hooks *h = &s->hooks;
	yajl_val src = sj_get(s->tree, "hooks");
	if (!src && !h->prestart.hooks && !h->create_runtime.hooks && !h->create_container.hooks &&
	    !h->start_container.hooks && !h->poststart.hooks && !h->poststop.hooks)
		return;
	hull_gen_str(g, "hooks");
	yajl_gen_map_open(g);
	write_hook_list(g, "prestart", &h->prestart);
	write_hook_list(g, "createRuntime", &h->create_runtime);
	write_hook_list(g, "createContainer", &h->create_container);
	write_hook_list(g, "startContainer", &h->start_container);
	write_hook_list(g, "poststart", &h->poststart);
	write_hook_list(g, "poststop", &h->poststop);
	unmodeled(g, src, hooks_keys);
	yajl_gen_map_close(g);
}

static void write_idmaps(yajl_gen g, const char *key, const struct hull_id_map *m, size_t n)
{
	if (!m)
		return;
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		hull_gen_key_int(g, "containerID", m[i].container_id);
		hull_gen_key_int(g, "hostID", m[i].host_id);
		hull_gen_key_int(g, "size", m[i].size);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void write_namespaces(yajl_gen g, const struct hull_linux *lx)
{
	if (!lx->namespaces)
		return;
	hull_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < lx->n_namespaces; i++) {
		yajl_gen_map_open(g);
		hull_gen_key_str(g, "type", hull_namespace_name(lx->namespaces[i].type));
		hull_gen_key_str(g, "path", lx->namespaces[i].path);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void write_devices(yajl_gen g, const struct hull_linux *lx)
{
	if (!lx->devices)
		return;
	hull_gen_str(g, "devices");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < lx->n_devices; i++) {
		const struct hull_device *d = &lx->devices[i];
		char type[2] = {d->type, '\0'};
		yajl_gen_map_open(g);
		hull_gen_key_str(g, "path", d->path);
		hull_gen_key_str(g, "type", type);
		if (d->type != 'p') {
			hull_gen_key_int(g, "major", d->major);
			hull_gen_key_int(g, "minor", d->minor);
		}
		if (d->has_file_mode)
			hull_gen_key_int(g, "fileMode", d->file_mode);
		if (d->has_uid)
			hull_gen_key_int(g, "uid", d->uid);
		if (d->has_gid)
			hull_gen_key_int(g, "gid", d->gid);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void write_time_offsets(yajl_gen g, const struct hull_linux *lx)
{
	if (!lx->time_offsets)
		return;
	hull_gen_str(g, "timeOffsets");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < lx->n_time_offsets; i++) {
		hull_gen_str(g, lx->time_offsets[i].clock);
		yajl_gen_map_open(g);
		hull_gen_key_int(g, "secs", lx->time_offsets[i].secs);
		hull_gen_key_int(g, "nanosecs", lx->time_offsets[i].nanosecs);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void write_linux(yajl_gen g, const struct hull_linux *lx)
{
	hull_gen_str(g, "linux");
	yajl_gen_map_open(g);
	write_idmaps(g, "uidMappings", lx->uid_mappings, lx->n_uid_mappings);
	write_idmaps(g, "gidMappings", lx->gid_mappings, lx->n_gid_mappings);
	key_kv(g, "sysctl", lx->sysctl, lx->n_sysctl);
	hull_gen_key_tree(g, "resources", lx->resources);
	hull_gen_key_str(g, "cgroupsPath", lx->cgroups_path);
	write_namespaces(g, lx);
	write_devices(g, lx);
	write_time_offsets(g, lx);
	hull_gen_key_str(g, "rootfsPropagation", lx->rootfs_propagation);
	hull_gen_key_strv(g, "maskedPaths", lx->masked_paths);
	hull_gen_key_strv(g, "readonlyPaths", lx->readonly_paths);
	hull_gen_key_str(g, "mountLabel", lx->mount_label);
	hull_gen_key_tree(g, "seccomp", lx->seccomp);
	hull_gen_key_tree(g, "personality", lx->personality);
	unmodeled(g, lx->src, linux_keys);
	yajl_gen_map_close(g);
}

char *hull_spec_write(const struct hull_spec *s, bool pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "\t");
	}
	yajl_gen_map_open(g);
	hull_gen_key_str(g, "ociVersion", s->oci_version);
	if (s->process)
		write_process(g, s->process);
	write_root(g, s);
	hull_gen_key_str(g, "hostname", s->hostname);
	hull_gen_key_str(g, "domainname", s->domainname);
	write_mounts(g, s);
	write_hooks(g, s);
	key_kv(g, "annotations", s->annotations, s->n_annotations);
	if (s->linux_)
		write_linux(g, s->linux_);
	hull_gen_key_tree(g, "vm", s->vm);
	unmodeled(g, s->tree, top_keys);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}
