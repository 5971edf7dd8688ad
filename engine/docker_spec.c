/* SPDX-License-Identifier: Apache-2.0 */
/* Docker's defaults for a new container (what dockerd's default spec and its --privileged
 * give), as the model `hull run` edits with its flags (runspec.c). */
#include "engine/docker_spec.h"

#include <ctype.h>
#include <sched.h>
#include <string.h>
#include <sys/capability.h>

#include "lib/util.h"
#include "runtime/seccomp/seccomp_default.h"
#include "runtime/spec/spec_edit.h"

/* docker's default capability set, what images are written to expect */
static const char *const docker_caps[] = {"CAP_CHOWN",
					  "CAP_DAC_OVERRIDE",
					  "CAP_FSETID",
					  "CAP_FOWNER",
					  "CAP_MKNOD",
					  "CAP_NET_RAW",
					  "CAP_SETGID",
					  "CAP_SETUID",
					  "CAP_SETFCAP",
					  "CAP_SETPCAP",
					  "CAP_NET_BIND_SERVICE",
					  "CAP_SYS_CHROOT",
					  "CAP_KILL",
					  "CAP_AUDIT_WRITE",
					  NULL};

/* docker's lists; runc's (`hull-oci spec`) lack /sys/devices/virtual/powercap */
static const char *const docker_masked_paths[] = {"/proc/asound",
						  "/proc/acpi",
						  "/proc/kcore",
						  "/proc/keys",
						  "/proc/latency_stats",
						  "/proc/timer_list",
						  "/proc/timer_stats",
						  "/proc/sched_debug",
						  "/proc/scsi",
						  "/sys/firmware",
						  "/sys/devices/virtual/powercap",
						  NULL};
static const char *const docker_readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

char **hull_docker_caps_select(bool (*on)(const char *cap, const void *ctx), const void *ctx)
{
	int max = cap_max_bits();
	char **out = xzalloc(((size_t)max + 1) * sizeof(char *));
	size_t n = 0;

	for (int c = 0; c < max; c++) {
		char *name = cap_to_name((cap_value_t)c);
		char *up = xstrdup(name);

		cap_free(name);
		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		/* "all" is all we have: a capability outside our bounding set cannot be given */
		if (cap_get_bound((cap_value_t)c) == 1 && on(up, ctx))
			out[n++] = up;
		else
			free(up);
	}
	return out;
}

static bool listed(const char *cap, const void *list)
{
	for (const char *const *l = list; *l; l++)
		if (!strcmp(*l, cap))
			return true;
	return false;
}

static bool every(const char *cap, const void *ctx)
{
	return true;
}

/* The same set as bounding, effective and permitted: docker's for root */
static void set_caps(struct hull_spec *s, char **set)
{
	struct hull_process *p = hull_spec_process(s);
	if (!p->caps)
		p->caps = xzalloc(sizeof(*p->caps));
	hull_strv_free(p->caps->bounding);
	hull_strv_free(p->caps->effective);
	hull_strv_free(p->caps->permitted);
	p->caps->effective = hull_strv_dup(set);
	p->caps->permitted = hull_strv_dup(set);
	p->caps->bounding = set;
}

static int mounts(struct hull_spec *s, struct hull_err *err)
{
	static const char *const proc[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5",	 NULL};
	static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
	static const char *const mq[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
					  "mode=1777", "size=65536k", NULL};
	static const struct {
		const char *dst, *type, *src;
		const char *const *opts;
	} m[] = {
		{"/proc", "proc", "proc", proc},
		{"/dev", "tmpfs", "tmpfs", dev},
		{"/dev/pts", "devpts", "devpts", pts},
		{"/sys", "sysfs", "sysfs", sys},
		{"/sys/fs/cgroup", "cgroup", "cgroup", cg},
		{"/dev/mqueue", "mqueue", "mqueue", mq},
		{"/dev/shm", "tmpfs", "shm", shm},
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++)
		if (hull_spec_add_mount(s, m[i].dst, m[i].type, m[i].src, (char *const *)m[i].opts,
					err) < 0)
			return -1;
	return 0;
}

static yajl_val device_rule(bool allow, const char *type, long long major, long long minor,
			    const char *access)
{
	yajl_val r = hull_tree_object();
	hull_tree_put(r, "allow", hull_tree_bool(allow));
	if (type)
		hull_tree_put(r, "type", hull_tree_string(type));
	if (major >= 0)
		hull_tree_put(r, "major", hull_tree_int(major));
	if (minor >= 0)
		hull_tree_put(r, "minor", hull_tree_int(minor));
	hull_tree_put(r, "access", hull_tree_string(access));
	return r;
}

/* docker's device cgroup: mknod of anything, use of the standard nodes only */
static yajl_val device_rules(void)
{
	static const struct {
		long long major, minor;
	} allow[] = {{1, 3}, {1, 5}, {1, 7}, {1, 8},	{1, 9},
		     {5, 0}, {5, 1}, {5, 2}, {136, -1}, {10, 200}};
	yajl_val rules = hull_tree_array();

	hull_tree_append(rules, device_rule(false, NULL, -1, -1, "rwm"));
	hull_tree_append(rules, device_rule(true, "c", -1, -1, "m"));
	hull_tree_append(rules, device_rule(true, "b", -1, -1, "m"));
	for (size_t i = 0; i < ARRAY_SIZE(allow); i++)
		hull_tree_append(rules,
				 device_rule(true, "c", allow[i].major, allow[i].minor, "rwm"));
	return rules;
}

void hull_docker_spec_allow_device(struct hull_spec *s, const char *type, long long major,
				   long long minor, const char *access)
{
	yajl_val res = hull_spec_resources(s), rules = sj_get(res, "devices");

	if (!rules || !YAJL_IS_ARRAY(rules)) {
		rules = hull_tree_array();
		hull_tree_put(res, "devices", rules);
	}
	hull_tree_append(rules, device_rule(true, type, major, minor, access));
}

struct hull_spec *hull_docker_spec(struct hull_err *err)
{
	static const int ns[] = {CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNS,
				 CLONE_NEWNET};
	struct hull_spec *s = hull_spec_new();
	struct hull_linux *lx;

	hull_spec_process(s);
	set_caps(s, hull_docker_caps_select(listed, docker_caps));
	if (mounts(s, err) < 0) {
		hull_spec_free(s);
		return NULL;
	}
	hull_tree_put(hull_spec_resources(s), "devices", device_rules());
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
		hull_spec_set_namespace(s, ns[i], NULL);
	lx = hull_spec_linux(s);
	lx->masked_paths = hull_strv_dup((char *const *)docker_masked_paths);
	lx->readonly_paths = hull_strv_dup((char *const *)docker_readonly_paths);
	return s;
}

/* the option list without "ro" */
static int writable(struct hull_spec *s, const char *destination, struct hull_err *err)
{
	struct hull_mount *m = hull_spec_find_mount(s, destination);
	char **opts = NULL;
	int rc;

	if (!m)
		return 0;
	for (char **o = m->options; o && *o; o++)
		if (strcmp(*o, "ro"))
			hull_strv_push(&opts, *o);
	rc = hull_mount_set_options(m, opts, err);
	hull_strv_free(opts);
	return rc;
}

int hull_docker_spec_privileged(struct hull_spec *s, struct hull_err *err)
{
	struct hull_linux *lx = hull_spec_linux(s);
	yajl_val all = hull_tree_array();

	set_caps(s, hull_docker_caps_select(every, NULL));
	if (writable(s, "/sys", err) < 0 || writable(s, "/sys/fs/cgroup", err) < 0) {
		yajl_tree_free(all);
		return -1;
	}
	hull_tree_append(all, device_rule(true, NULL, -1, -1, "rwm"));
	hull_tree_put(hull_spec_resources(s), "devices", all);
	hull_strv_free(lx->masked_paths);
	lx->masked_paths = NULL;
	hull_strv_free(lx->readonly_paths);
	lx->readonly_paths = NULL;
	hull_spec_set_section(s, &lx->seccomp, NULL);
	return 0;
}

int hull_docker_spec_seccomp(struct hull_spec *s, struct hull_err *err)
{
	struct hull_process *p = hull_spec_process(s);
	yajl_val profile = hull_seccomp_default_tree(
		(const char *const *)(p->caps ? p->caps->bounding : NULL), err);
	if (!profile)
		return -1;
	hull_spec_set_section(s, &hull_spec_linux(s)->seccomp, profile);
	return 0;
}
