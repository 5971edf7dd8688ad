/* SPDX-License-Identifier: Apache-2.0 */
/* runc's default spec (what `runc spec` writes, and `hull-oci spec`), as the model: a
 * busybox-friendly container with runc's mounts, namespaces and masked and read-only paths,
 * plus docker's default seccomp profile for its capabilities. */
#include <linux/magic.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/seccomp/seccomp_default.h"
#include "runtime/spec/spec.h"
#include "runtime/spec/spec_edit.h"

/* runc's lists (libcontainer/specconv's example spec); `hull run` has docker's
 * (engine/docker_spec.c), which masks /sys/devices/virtual/powercap too. */
static const char *const runc_masked_paths[] = {"/proc/acpi",
						"/proc/asound",
						"/proc/kcore",
						"/proc/keys",
						"/proc/latency_stats",
						"/proc/timer_list",
						"/proc/timer_stats",
						"/proc/sched_debug",
						"/sys/firmware",
						"/proc/scsi",
						NULL};
static const char *const runc_readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

static const char *const runc_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					NULL};

static char **strv(const char *const *v)
{
	return hull_strv_dup((char *const *)v);
}

static void process(struct hull_spec *s)
{
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
		NULL};
	static const char *const args[] = {"sh", NULL};
	struct hull_process *p = hull_spec_process(s);

	p->terminal = true;
	hull_strv_free(p->args);
	p->args = strv(args);
	p->env = strv(env);
	p->caps = xzalloc(sizeof(*p->caps));
	p->caps->bounding = strv(runc_caps);
	p->caps->effective = strv(runc_caps);
	p->caps->permitted = strv(runc_caps);
	p->rlimits = xzalloc(2 * sizeof(*p->rlimits));
	p->rlimits[0] = (struct hull_rlimit){RLIMIT_NOFILE, xstrdup("RLIMIT_NOFILE"), 1024, 1024};
	p->n_rlimits = 1;
	p->no_new_privileges = true;
}

static int mounts(struct hull_spec *s, bool rootless, struct hull_err *err)
{
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5",	 NULL};
	/* a rootless container has no group 5 of its own to give the terminals */
	static const char *const pts_rootless[] = {"nosuid",	    "noexec",	 "newinstance",
						   "ptmxmode=0666", "mode=0620", NULL};
	static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
					  "mode=1777", "size=65536k", NULL};
	static const char *const mq[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	/* without a network namespace of its own, sysfs cannot be mounted: the host's, bound */
	static const char *const sys_rootless[] = {"rbind", "nosuid", "noexec",
						   "nodev", "ro",     NULL};
	static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};

#define M(dst, type, src, opts) hull_spec_add_mount(s, dst, type, src, (char *const *)(opts), err)
	if (M("/proc", "proc", "proc", NULL) < 0 || M("/dev", "tmpfs", "tmpfs", dev) < 0 ||
	    M("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts) < 0 ||
	    M("/dev/shm", "tmpfs", "shm", shm) < 0 || M("/dev/mqueue", "mqueue", "mqueue", mq) < 0)
		return -1;
	if (rootless)
		return M("/sys", "none", "/sys", sys_rootless);
	if (M("/sys", "sysfs", "sysfs", sys) < 0 || M("/sys/fs/cgroup", "cgroup", "cgroup", cg) < 0)
		return -1;
#undef M
	return 0;
}

/* id 0 in the container is the user running `spec` */
static struct hull_id_map *self_map(uint32_t host)
{
	struct hull_id_map *m = xzalloc(2 * sizeof(*m));
	m[0] = (struct hull_id_map){0, host, 1};
	return m;
}

/* runc's default has a cgroup namespace only on a host in cgroup v2's unified mode: on v1
 * or hybrid hosts its config.json (and clients' edits of it) go without. */
static bool cgroup2_unified(void)
{
	struct statfs fs;
	return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static int linux_section(struct hull_spec *s, bool rootless, struct hull_err *err)
{
	static const int ns[] = {CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS,
				 CLONE_NEWNS};
	static const int ns_rootless[] = {CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNS,
					  CLONE_NEWUSER};
	struct hull_linux *lx = hull_spec_linux(s);
	yajl_val seccomp;

	if (rootless) {
		lx->uid_mappings = self_map(getuid());
		lx->n_uid_mappings = 1;
		lx->gid_mappings = self_map(getgid());
		lx->n_gid_mappings = 1;
		for (size_t i = 0; i < ARRAY_SIZE(ns_rootless); i++)
			hull_spec_set_namespace(s, ns_rootless[i], NULL);
	} else {
		/* no device but the ones the runtime makes */
		yajl_val devices = hull_tree_array(), deny = hull_tree_object();
		hull_tree_put(deny, "allow", hull_tree_bool(false));
		hull_tree_put(deny, "access", hull_tree_string("rwm"));
		hull_tree_append(devices, deny);
		hull_tree_put(hull_spec_resources(s), "devices", devices);
		for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
			hull_spec_set_namespace(s, ns[i], NULL);
	}
	if (cgroup2_unified())
		hull_spec_set_namespace(s, CLONE_NEWCGROUP, NULL);
	lx->masked_paths = strv(runc_masked_paths);
	lx->readonly_paths = strv(runc_readonly_paths);
	seccomp = hull_seccomp_default_tree((const char *const *)s->process->caps->bounding, err);
	if (!seccomp)
		return -1;
	hull_spec_set_section(s, &lx->seccomp, seccomp);
	return 0;
}

struct hull_spec *hull_spec_default_runc(bool rootless, struct hull_err *err)
{
	struct hull_spec *s = hull_spec_new();

	process(s);
	s->root_path = xstrdup("rootfs");
	s->root_readonly = true;
	s->hostname = xstrdup("hull");
	if (mounts(s, rootless, err) < 0 || linux_section(s, rootless, err) < 0) {
		hull_spec_free(s);
		return NULL;
	}
	return s;
}
