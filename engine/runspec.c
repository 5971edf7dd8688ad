#include "engine/runspec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <yajl/yajl_gen.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/caps.h"
#include "runtime/seccomp/seccomp_default.h"

int hull_caps_normalize(char **names, struct hull_err *err)
{
	for (char **n = names; n && *n; n++) {
		char *up = hull_has_prefix(*n, "CAP_") || hull_has_prefix(*n, "cap_")
				   ? xstrdup(*n)
				   : hull_strfmt("CAP_%s", *n);
		cap_value_t v;

		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (strcmp(up, "CAP_ALL") == 0) {
			free(up);
			up = xstrdup("ALL");
		} else if (cap_from_name(up, &v) < 0) {
			hull_error(err, EINVAL, "unknown capability `%s`", *n);
			free(up);
			return -1;
		}
		free(*n);
		*n = up;
	}
	return 0;
}

static bool strv_has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* The capability set as names, in kernel order. */
static char **cap_set(const struct hull_run_spec *rs)
{
	bool all = rs->privileged || strv_has(rs->cap_add, "ALL");
	bool none = strv_has(rs->cap_drop, "ALL") && !rs->privileged;
	int max = cap_max_bits();
	char **out = xzalloc(((size_t)max + 1) * sizeof(char *));
	size_t n = 0;

	for (int c = 0; c < max; c++) {
		char *name = cap_to_name((cap_value_t)c);
		char *up = xstrdup(name);
		bool on;

		cap_free(name);
		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		on = all || (!none && strv_has((char **)hull_docker_default_caps, up)) ||
		     strv_has(rs->cap_add, up);
		if (!rs->privileged && strv_has(rs->cap_drop, up))
			on = false;
		/* "all" is all we have: a capability outside our bounding set cannot be given */
		if (cap_get_bound((cap_value_t)c) != 1)
			on = false;
		if (on)
			out[n++] = up;
		else
			free(up);
	}
	return out;
}

static void strv(yajl_gen g, const char *key, char *const *v)
{
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	for (; v && *v; v++)
		hull_gen_str(g, *v);
	yajl_gen_array_close(g);
}

static void mnt(yajl_gen g, const char *dest, const char *type, const char *src, const char *opts)
{
	yajl_gen_map_open(g);
	hull_gen_str(g, "destination"), hull_gen_str(g, dest);
	hull_gen_str(g, "type"), hull_gen_str(g, type);
	hull_gen_str(g, "source"), hull_gen_str(g, src);
	if (opts) {
		char *copy = xstrdup(opts), *save = NULL;
		hull_gen_str(g, "options");
		yajl_gen_array_open(g);
		for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
			hull_gen_str(g, o);
		yajl_gen_array_close(g);
		free(copy);
	}
	yajl_gen_map_close(g);
}

static void process(yajl_gen g, const struct hull_run_spec *rs)
{
	char **caps = cap_set(rs);
	char *empty[] = {NULL};

	hull_gen_str(g, "process");
	yajl_gen_map_open(g);
	hull_gen_str(g, "terminal"), yajl_gen_bool(g, rs->terminal);
	hull_gen_str(g, "user");
	yajl_gen_map_open(g);
	hull_gen_str(g, "uid"), yajl_gen_integer(g, rs->uid);
	hull_gen_str(g, "gid"), yajl_gen_integer(g, rs->gid);
	if (rs->n_groups) {
		hull_gen_str(g, "additionalGids");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < rs->n_groups; i++)
			yajl_gen_integer(g, rs->groups[i]);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
	strv(g, "args", rs->args);
	strv(g, "env", rs->env);
	hull_gen_str(g, "cwd"), hull_gen_str(g, rs->cwd && *rs->cwd ? rs->cwd : "/");
	/* as docker: a non-root user gets the set only as its bounding set */
	hull_gen_str(g, "capabilities");
	yajl_gen_map_open(g);
	strv(g, "bounding", caps);
	strv(g, "effective", rs->uid == 0 ? caps : empty);
	strv(g, "permitted", rs->uid == 0 ? caps : empty);
	yajl_gen_map_close(g);
	hull_gen_str(g, "noNewPrivileges"), yajl_gen_bool(g, rs->no_new_privs);
	yajl_gen_map_close(g);
	hull_strv_free(caps);
}

static void mounts(yajl_gen g, const struct hull_run_spec *rs)
{
	hull_gen_str(g, "mounts");
	yajl_gen_array_open(g);
	mnt(g, "/proc", "proc", "proc", "nosuid,noexec,nodev");
	mnt(g, "/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k");
	mnt(g, "/dev/pts", "devpts", "devpts",
	    "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5");
	mnt(g, "/sys", "sysfs", "sysfs",
	    rs->privileged ? "nosuid,noexec,nodev" : "nosuid,noexec,nodev,ro");
	mnt(g, "/sys/fs/cgroup", "cgroup", "cgroup",
	    rs->privileged ? "nosuid,noexec,nodev,relatime" : "nosuid,noexec,nodev,relatime,ro");
	mnt(g, "/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev");
	mnt(g, "/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k");
	if (rs->rootfs_has_etc && rs->etc_files_dir) {
		static const char *const files[] = {"hostname", "hosts", "resolv.conf"};
		for (size_t i = 0; i < 3; i++) {
			cleanup_free char *src = hull_strfmt("%s/%s", rs->etc_files_dir, files[i]);
			cleanup_free char *dst = hull_strfmt("/etc/%s", files[i]);
			mnt(g, dst, "bind", src, "rbind,rprivate");
		}
	}
	for (size_t i = 0; i < rs->n_binds; i++) {
		const struct hull_bind *b = &rs->binds[i];
		cleanup_free char *opts =
			hull_strfmt("rbind,%s%s%s", b->propagation ? b->propagation : "rprivate",
				    b->readonly ? ",ro" : "", "");
		mnt(g, b->destination, "bind", b->source, opts);
	}
	for (size_t i = 0; i < rs->n_tmpfs; i++)
		mnt(g, rs->tmpfs[i].destination, "tmpfs", "tmpfs",
		    rs->tmpfs[i].options ? rs->tmpfs[i].options : "rw,nosuid,nodev,noexec");
	yajl_gen_array_close(g);
}

static void device_rule(yajl_gen g, bool allow, const char *type, int64_t major, int64_t minor,
			const char *access)
{
	yajl_gen_map_open(g);
	hull_gen_str(g, "allow"), yajl_gen_bool(g, allow);
	if (type)
		hull_gen_str(g, "type"), hull_gen_str(g, type);
	if (major >= 0)
		hull_gen_str(g, "major"), yajl_gen_integer(g, major);
	if (minor >= 0)
		hull_gen_str(g, "minor"), yajl_gen_integer(g, minor);
	hull_gen_str(g, "access"), hull_gen_str(g, access);
	yajl_gen_map_close(g);
}

static void resources(yajl_gen g, const struct hull_run_spec *rs)
{
	/* docker's device cgroup defaults: mknod of anything, use of the standard nodes */
	static const struct {
		int64_t major, minor;
	} dev_allow[] = {{1, 3}, {1, 5}, {1, 7}, {1, 8},    {1, 9},
			 {5, 0}, {5, 1}, {5, 2}, {136, -1}, {10, 200}};

	hull_gen_str(g, "resources");
	yajl_gen_map_open(g);
	hull_gen_str(g, "devices");
	yajl_gen_array_open(g);
	if (rs->privileged) {
		device_rule(g, true, NULL, -1, -1, "rwm");
	} else {
		device_rule(g, false, NULL, -1, -1, "rwm");
		device_rule(g, true, "c", -1, -1, "m");
		device_rule(g, true, "b", -1, -1, "m");
		for (size_t i = 0; i < sizeof(dev_allow) / sizeof(dev_allow[0]); i++)
			device_rule(g, true, "c", dev_allow[i].major, dev_allow[i].minor, "rwm");
	}
	yajl_gen_array_close(g);
	if (rs->memory > 0) {
		hull_gen_str(g, "memory");
		yajl_gen_map_open(g);
		hull_gen_str(g, "limit"), yajl_gen_integer(g, rs->memory);
		yajl_gen_map_close(g);
	}
	if (rs->cpu_quota > 0) {
		hull_gen_str(g, "cpu");
		yajl_gen_map_open(g);
		hull_gen_str(g, "quota"), yajl_gen_integer(g, rs->cpu_quota);
		hull_gen_str(g, "period"), yajl_gen_integer(g, 100000);
		yajl_gen_map_close(g);
	}
	if (rs->pids_limit != 0) {
		hull_gen_str(g, "pids");
		yajl_gen_map_open(g);
		hull_gen_str(g, "limit"), yajl_gen_integer(g, rs->pids_limit);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void linux_section(yajl_gen g, const struct hull_run_spec *rs)
{
	static const char *const masked[] = {"/proc/asound",
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
	static const char *const ro[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
	const char *ns[] = {"pid", "ipc", "uts", "mount", rs->host_network ? NULL : "network",
			    NULL};

	hull_gen_str(g, "linux");
	yajl_gen_map_open(g);
	resources(g, rs);
	if (rs->cgroups_path)
		hull_gen_str(g, "cgroupsPath"), hull_gen_str(g, rs->cgroups_path);
	hull_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (const char **n = ns; *n; n++) {
		yajl_gen_map_open(g);
		hull_gen_str(g, "type"), hull_gen_str(g, *n);
		if (!strcmp(*n, "network") && rs->netns_path)
			hull_gen_str(g, "path"), hull_gen_str(g, rs->netns_path);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	if (!rs->privileged) {
		strv(g, "maskedPaths", (char **)masked);
		strv(g, "readonlyPaths", (char **)ro);
		if (rs->seccomp_json) {
			/* already JSON: yajl writes a number's text verbatim */
			hull_gen_str(g, "seccomp");
			yajl_gen_number(g, rs->seccomp_json, strlen(rs->seccomp_json));
		} else if (rs->default_seccomp) {
			/* its capability-dependent rules follow the set this container gets */
			char **caps = cap_set(rs);
			hull_seccomp_default_gen(g, (const char *const *)caps);
			hull_strv_free(caps);
		}
	}
	yajl_gen_map_close(g);
}

int hull_run_spec_json(const struct hull_run_spec *rs, char **out, struct hull_err *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;

	if (!rs->args || !rs->args[0]) {
		yajl_gen_free(g);
		return hull_error(err, EINVAL, "no command given and the image has none");
	}
	yajl_gen_map_open(g);
	hull_gen_str(g, "ociVersion"), hull_gen_str(g, "1.2.0");
	process(g, rs);
	hull_gen_str(g, "root");
	yajl_gen_map_open(g);
	hull_gen_str(g, "path"), hull_gen_str(g, rs->rootfs);
	hull_gen_str(g, "readonly"), yajl_gen_bool(g, rs->read_only);
	yajl_gen_map_close(g);
	hull_gen_str(g, "hostname"), hull_gen_str(g, rs->hostname);
	mounts(g, rs);
	if (rs->n_annotations) {
		hull_gen_str(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < rs->n_annotations; i++)
			hull_gen_str(g, rs->annotations[i].key),
				hull_gen_str(g, rs->annotations[i].value);
		yajl_gen_map_close(g);
	}
	linux_section(g, rs);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	*out = xmalloc(len + 1);
	memcpy(*out, buf, len);
	(*out)[len] = '\0';
	yajl_gen_free(g);
	return 0;
}

int hull_run_spec_etc_files(const char *dir, const char *hostname, bool host_network,
			    struct hull_err *err)
{
	cleanup_free char *hn = hull_strfmt("%s/hostname", dir);
	cleanup_free char *hosts = hull_strfmt("%s/hosts", dir);
	cleanup_free char *resolv = hull_strfmt("%s/resolv.conf", dir);
	cleanup_free char *hn_text = hull_strfmt("%s\n", hostname);
	cleanup_free char *hosts_text = NULL, *resolv_text = NULL;

	if (host_network && hull_read_file("/etc/hosts", &hosts_text, NULL, NULL) == 0) {
		/* the host's own, as docker does for --network host */
	} else {
		hosts_text = hull_strfmt("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
					 "ip6-loopback\n127.0.1.1\t%s\n",
					 hostname);
	}
	if (hull_read_file("/etc/resolv.conf", &resolv_text, NULL, NULL) < 0)
		resolv_text = xstrdup("");
	if (hull_write_file_atomic(hn, hn_text, strlen(hn_text), 0644, err) < 0 ||
	    hull_write_file_atomic(hosts, hosts_text, strlen(hosts_text), 0644, err) < 0 ||
	    hull_write_file_atomic(resolv, resolv_text, strlen(resolv_text), 0644, err) < 0)
		return -1;
	return 0;
}

void hull_run_spec_free(struct hull_run_spec *rs)
{
	hull_strv_free(rs->args);
	hull_strv_free(rs->env);
	free(rs->cwd);
	free(rs->groups);
	free(rs->hostname);
	hull_strv_free(rs->cap_add);
	hull_strv_free(rs->cap_drop);
	for (size_t i = 0; i < rs->n_binds; i++) {
		free(rs->binds[i].source);
		free(rs->binds[i].destination);
		free(rs->binds[i].propagation);
	}
	free(rs->binds);
	for (size_t i = 0; i < rs->n_tmpfs; i++) {
		free(rs->tmpfs[i].destination);
		free(rs->tmpfs[i].options);
	}
	free(rs->tmpfs);
	for (size_t i = 0; i < rs->n_annotations; i++) {
		free(rs->annotations[i].key);
		free(rs->annotations[i].value);
	}
	free(rs->annotations);
	free(rs->cgroups_path);
	free(rs->netns_path);
	free(rs->seccomp_json);
	free(rs->etc_files_dir);
	memset(rs, 0, sizeof(*rs));
}
