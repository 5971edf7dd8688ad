/* The config.json that `hull-oci spec` writes: a busybox-friendly default, like runc's. */
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/seccomp/seccomp_default.h"
#include "runtime/spec/spec.h"

static void strv(yajl_gen g, const char *key, const char *const *v)
{
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	for (; *v; v++)
		hull_gen_str(g, *v);
	yajl_gen_array_close(g);
}

static void mount(yajl_gen g, const char *dest, const char *type, const char *src,
		  const char *const *opts)
{
	yajl_gen_map_open(g);
	hull_gen_str(g, "destination");
	hull_gen_str(g, dest);
	hull_gen_str(g, "type");
	hull_gen_str(g, type);
	hull_gen_str(g, "source");
	hull_gen_str(g, src);
	if (opts)
		strv(g, "options", opts);
	yajl_gen_map_close(g);
}

static void idmap(yajl_gen g, const char *key, unsigned int host)
{
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	hull_gen_str(g, "containerID");
	yajl_gen_integer(g, 0);
	hull_gen_str(g, "hostID");
	yajl_gen_integer(g, host);
	hull_gen_str(g, "size");
	yajl_gen_integer(g, 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

static void process(yajl_gen g, bool rootless)
{
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
		NULL};
	static const char *const args[] = {"sh", NULL};

	hull_gen_str(g, "process");
	yajl_gen_map_open(g);
	hull_gen_str(g, "terminal");
	yajl_gen_bool(g, 1);
	hull_gen_str(g, "user");
	yajl_gen_map_open(g);
	hull_gen_str(g, "uid");
	yajl_gen_integer(g, 0);
	hull_gen_str(g, "gid");
	yajl_gen_integer(g, 0);
	yajl_gen_map_close(g);
	strv(g, "args", args);
	strv(g, "env", env);
	hull_gen_str(g, "cwd");
	hull_gen_str(g, "/");
	hull_gen_str(g, "capabilities");
	yajl_gen_map_open(g);
	strv(g, "bounding", caps);
	strv(g, "effective", caps);
	strv(g, "permitted", caps);
	yajl_gen_map_close(g);
	hull_gen_str(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	hull_gen_str(g, "type");
	hull_gen_str(g, "RLIMIT_NOFILE");
	hull_gen_str(g, "hard");
	yajl_gen_integer(g, 1024);
	hull_gen_str(g, "soft");
	yajl_gen_integer(g, 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	hull_gen_str(g, "noNewPrivileges");
	yajl_gen_bool(g, 1);
	(void)rootless;
	yajl_gen_map_close(g);
}

static void mounts(yajl_gen g, bool rootless)
{
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5",	 NULL};
	static const char *const pts_rootless[] = {"nosuid",	    "noexec",	 "newinstance",
						   "ptmxmode=0666", "mode=0620", NULL};
	static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
					  "mode=1777", "size=65536k", NULL};
	static const char *const mq[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const sys_rootless[] = {"rbind", "nosuid", "noexec",
						   "nodev", "ro",     NULL};
	static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};

	hull_gen_str(g, "mounts");
	yajl_gen_array_open(g);
	mount(g, "/proc", "proc", "proc", NULL);
	mount(g, "/dev", "tmpfs", "tmpfs", dev);
	mount(g, "/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts);
	mount(g, "/dev/shm", "tmpfs", "shm", shm);
	mount(g, "/dev/mqueue", "mqueue", "mqueue", mq);
	if (rootless) {
		mount(g, "/sys", "none", "/sys", sys_rootless);
	} else {
		mount(g, "/sys", "sysfs", "sysfs", sys);
		mount(g, "/sys/fs/cgroup", "cgroup", "cgroup", cg);
	}
	yajl_gen_array_close(g);
}

static void linux_section(yajl_gen g, bool rootless)
{
	static const char *const ns[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", NULL};
	static const char *const ns_rootless[] = {"pid", "ipc", "uts", "mount", "user", NULL};
	static const char *const masked[] = {"/proc/acpi",
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
	static const char *const ro[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
	const char *const *n;

	hull_gen_str(g, "linux");
	yajl_gen_map_open(g);
	if (rootless) {
		idmap(g, "uidMappings", getuid());
		idmap(g, "gidMappings", getgid());
	} else {
		hull_gen_str(g, "resources");
		yajl_gen_map_open(g);
		hull_gen_str(g, "devices");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		hull_gen_str(g, "allow");
		yajl_gen_bool(g, 0);
		hull_gen_str(g, "access");
		hull_gen_str(g, "rwm");
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	hull_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (n = rootless ? ns_rootless : ns; *n; n++) {
		yajl_gen_map_open(g);
		hull_gen_str(g, "type");
		hull_gen_str(g, *n);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	strv(g, "maskedPaths", masked);
	strv(g, "readonlyPaths", ro);
	hull_seccomp_default_gen(g, caps);
	yajl_gen_map_close(g);
}

char *hull_spec_default(bool rootless)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	yajl_gen_map_open(g);
	hull_gen_str(g, "ociVersion");
	hull_gen_str(g, "1.2.0");
	process(g, rootless);
	hull_gen_str(g, "root");
	yajl_gen_map_open(g);
	hull_gen_str(g, "path");
	hull_gen_str(g, "rootfs");
	hull_gen_str(g, "readonly");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
	hull_gen_str(g, "hostname");
	hull_gen_str(g, "hull");
	mounts(g, rootless);
	linux_section(g, rootless);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	out = xmalloc(len + 1);
	memcpy(out, buf, len);
	out[len] = '\0';
	yajl_gen_free(g);
	return out;
}
