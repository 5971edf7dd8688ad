/* SPDX-License-Identifier: Apache-2.0 */
/* `hull run`'s spec: docker's defaults (engine/docker_spec.c) and the run flags on them
 * (engine/runspec.c), checked on the model and on the text the runtime reads back. */
#include <sched.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>

#include "engine/docker_spec.h"
#include "engine/runspec.h"
#include "lib/json.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

static bool has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* the capabilities hull itself may give */
static size_t bounded(void)
{
	size_t n = 0;
	for (int c = 0; c < cap_max_bits(); c++)
		n += cap_get_bound((cap_value_t)c) == 1;
	return n;
}

static bool bound(cap_value_t c)
{
	return cap_get_bound(c) == 1;
}

/* the spec as the runtime will read it */
static struct hull_spec *written(const struct hull_spec *s)
{
	struct hull_err err = {0};
	cleanup_free char *text = hull_spec_write(s, false);
	struct hull_spec *r = hull_spec_parse(text, &err);
	if (!r)
		UNIT_FAIL("read back: %s", err.msg);
	return r;
}

TEST(docker_defaults)
{
	struct hull_err err = {0};
	struct hull_spec *d = hull_docker_spec(&err), *s;
	yajl_val devices;

	CHECK(d != NULL);
	if (!d || !(s = written(d))) {
		hull_spec_free(d);
		return;
	}
	CHECK_INT_EQ(hull_strv_len(s->linux_->masked_paths), 11);
	CHECK_STR_EQ(s->linux_->masked_paths[0], "/proc/asound");
	CHECK(has(s->linux_->masked_paths, "/sys/devices/virtual/powercap"));
	CHECK_INT_EQ(hull_strv_len(s->linux_->readonly_paths), 5);
	CHECK(has(s->linux_->readonly_paths, "/proc/sysrq-trigger"));
	CHECK_INT_EQ(s->n_mounts, 7);
	CHECK_STR_EQ(s->mounts[3].destination, "/sys");
	CHECK(s->mounts[3].flags & MS_RDONLY);
	CHECK(s->mounts[4].flags & MS_RDONLY);
	CHECK_STR_EQ(s->mounts[6].destination, "/dev/shm");
	CHECK_STR_EQ(s->mounts[6].data, "mode=1777,size=65536k");
	CHECK_INT_EQ(s->linux_->n_namespaces, 5);
	CHECK(hull_spec_namespace(s, CLONE_NEWNET) && !hull_spec_namespace(s, CLONE_NEWUSER));
	CHECK(hull_spec_namespace(s, CLONE_NEWCGROUP) == NULL);
	/* docker's set, no more, as bounding, effective and permitted */
	CHECK(has(s->process->caps->bounding, "CAP_CHOWN") == bound(CAP_CHOWN));
	CHECK(has(s->process->caps->permitted, "CAP_NET_RAW") == bound(CAP_NET_RAW));
	CHECK(!has(s->process->caps->bounding, "CAP_SYS_ADMIN"));
	CHECK(hull_strv_len(s->process->caps->bounding) <= 14);
	CHECK_INT_EQ(hull_strv_len(s->process->caps->effective),
		     hull_strv_len(s->process->caps->bounding));
	devices = sj_get(s->linux_->resources, "devices");
	CHECK(devices && YAJL_IS_ARRAY(devices) && devices->u.array.len == 13);
	if (devices && devices->u.array.len == 13) {
		CHECK(YAJL_IS_FALSE(sj_get(devices->u.array.values[0], "allow")));
		CHECK_INT_EQ(YAJL_GET_INTEGER(sj_get(devices->u.array.values[11], "major")), 136);
		CHECK(sj_get(devices->u.array.values[11], "minor") == NULL);
	}
	CHECK(s->linux_->seccomp == NULL);
	CHECK(s->process->terminal == false && s->process->uid == 0);
	hull_spec_free(d);
	hull_spec_free(s);
}

static char *args[] = {"sh", "-c", "true", NULL};
static char *env[] = {"PATH=/bin", "HOSTNAME=box", NULL};

TEST(run_flags_edit_the_defaults)
{
	struct hull_err err = {0};
	char *add[] = {"CAP_SYS_ADMIN", NULL}, *drop[] = {"CAP_CHOWN", NULL};
	struct hull_bind binds[] = {{"/host/a", "/a", true, NULL},
				    {"/host/b", "/b", false, "rshared"}};
	struct hull_tmpfs tmpfs[] = {{"/run", "size=1m"}, {"/scratch", NULL}};
	struct hull_kv ann[] = {{"k", "v"}, {"run.hull.isolation", "vm"}};
	gid_t groups[] = {5, 6};
	struct hull_run_spec rs = {
		.args = args,
		.env = env,
		.cwd = "/tmp",
		.uid = 1000,
		.gid = 1000,
		.groups = groups,
		.n_groups = 2,
		.hostname = "box",
		.read_only = true,
		.no_new_privs = true,
		.netns_path = "/run/netns/x",
		.cap_add = add,
		.cap_drop = drop,
		.binds = binds,
		.n_binds = 2,
		.tmpfs = tmpfs,
		.n_tmpfs = 2,
		.memory = 1 << 26,
		.cpu_quota = 50000,
		.pids_limit = -1,
		.annotations = ann,
		.n_annotations = 2,
		.cgroups_path = "/parent/hull-x",
		.default_seccomp = true,
		.etc_files_dir = "/ctr",
		.rootfs_has_etc = true,
		.rootfs = "/ctr/rootfs",
	};
	struct hull_spec *m = hull_run_spec_build(&rs, &err), *s;
	cleanup_free char *text = NULL;

	CHECK(m != NULL);
	if (!m) {
		UNIT_FAIL("%s", err.msg);
		return;
	}
	text = hull_spec_write(m, false);
	s = written(m);
	hull_spec_free(m);
	if (!s)
		return;
	CHECK_STR_EQ(s->root_path, "/ctr/rootfs");
	CHECK(s->root_readonly);
	CHECK_STR_EQ(s->hostname, "box");
	CHECK_STR_EQ(s->process->args[2], "true");
	CHECK_STR_EQ(s->process->env[1], "HOSTNAME=box");
	CHECK_STR_EQ(s->process->cwd, "/tmp");
	CHECK_INT_EQ(s->process->uid, 1000);
	CHECK_INT_EQ(s->process->n_additional_gids, 2);
	CHECK_INT_EQ(s->process->additional_gids[1], 6);
	CHECK(s->process->no_new_privileges);
	/* a non-root user has the set as its bounding set only */
	CHECK(has(s->process->caps->bounding, "CAP_SYS_ADMIN") == bound(CAP_SYS_ADMIN));
	CHECK(!has(s->process->caps->bounding, "CAP_CHOWN"));
	CHECK(has(s->process->caps->bounding, "CAP_KILL") == bound(CAP_KILL));
	CHECK(s->process->caps->effective && !s->process->caps->effective[0]);
	CHECK(s->process->caps->permitted && !s->process->caps->permitted[0]);
	/* docker's mounts, then the /etc files, -v, --tmpfs in that order */
	CHECK_INT_EQ(s->n_mounts, 14);
	if (s->n_mounts == 14) {
		CHECK_STR_EQ(s->mounts[7].destination, "/etc/hostname");
		CHECK_STR_EQ(s->mounts[7].source, "/ctr/hostname");
		CHECK_STR_EQ(s->mounts[9].destination, "/etc/resolv.conf");
		CHECK_STR_EQ(s->mounts[10].destination, "/a");
		CHECK(s->mounts[10].bind && (s->mounts[10].flags & MS_RDONLY));
		CHECK_INT_EQ(s->mounts[10].propagation, MS_PRIVATE | MS_REC);
		CHECK_INT_EQ(s->mounts[11].propagation, MS_SHARED | MS_REC);
		CHECK(!(s->mounts[11].flags & MS_RDONLY));
		CHECK_STR_EQ(s->mounts[12].data, "size=1m");
		CHECK(s->mounts[12].options[1] == NULL);
		CHECK((s->mounts[13].flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)) ==
		      (MS_NOSUID | MS_NODEV | MS_NOEXEC));
	}
	CHECK_STR_EQ(hull_spec_annotation(s, "run.hull.isolation"), "vm");
	CHECK_STR_EQ(s->linux_->cgroups_path, "/parent/hull-x");
	CHECK_STR_EQ(hull_spec_namespace(s, CLONE_NEWNET)->path, "/run/netns/x");
	CHECK(strstr(text, "\"memory\":{\"limit\":67108864}") != NULL);
	CHECK(strstr(text, "\"cpu\":{\"quota\":50000,\"period\":100000}") != NULL);
	CHECK(strstr(text, "\"pids\":{\"limit\":-1}") != NULL);
	/* docker's profile for this set: CAP_SYS_ADMIN's syscalls allowed, when it is given */
	CHECK(s->linux_->seccomp != NULL);
	CHECK((strstr(text, "\"unshare\"") != NULL) == bound(CAP_SYS_ADMIN));
	CHECK(s->linux_->masked_paths && s->linux_->readonly_paths);
	hull_spec_free(s);
}

TEST(privileged_host_network_and_profiles)
{
	struct hull_err err = {0};
	char *drop[] = {"CAP_KILL", NULL}, *none[] = {"ALL", NULL}, *chown_[] = {"CAP_CHOWN", NULL};
	struct hull_run_spec rs = {.args = args,
				   .env = env,
				   .hostname = "h",
				   .privileged = true,
				   .host_network = true,
				   .cap_drop = drop,
				   .default_seccomp = true,
				   .rootfs = "/r"};
	struct hull_spec *m = hull_run_spec_build(&rs, &err), *s;
	yajl_val devices;

	CHECK(m != NULL);
	if (!m || !(s = written(m))) {
		hull_spec_free(m);
		return;
	}
	hull_spec_free(m);
	/* everything hull has, --cap-drop ignored as docker does */
	CHECK_INT_EQ(hull_strv_len(s->process->caps->bounding), bounded());
	CHECK_INT_EQ(hull_strv_len(s->process->caps->effective), bounded());
	CHECK(!(s->mounts[3].flags & MS_RDONLY) && !(s->mounts[4].flags & MS_RDONLY));
	CHECK(!has(s->mounts[3].options, "ro"));
	CHECK(s->linux_->masked_paths == NULL && s->linux_->readonly_paths == NULL);
	CHECK(s->linux_->seccomp == NULL);
	devices = sj_get(s->linux_->resources, "devices");
	CHECK(devices && devices->u.array.len == 1 &&
	      YAJL_IS_TRUE(sj_get(devices->u.array.values[0], "allow")));
	CHECK(hull_spec_namespace(s, CLONE_NEWNET) == NULL);
	CHECK(s->linux_->cgroups_path == NULL);
	hull_spec_free(s);

	/* --cap-drop ALL --cap-add CHOWN, a profile from a file */
	rs = (struct hull_run_spec){.args = args,
				    .hostname = "h",
				    .cap_drop = none,
				    .cap_add = chown_,
				    .seccomp_json =
					    "{\"defaultAction\":\"SCMP_ACT_LOG\",\"n\":1.50}",
				    .rootfs = "/r"};
	m = hull_run_spec_build(&rs, &err);
	CHECK(m != NULL);
	if (m) {
		cleanup_free char *text = hull_spec_write(m, false);
		CHECK(strstr(text, "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_LOG\",\"n\":1.50}"));
		CHECK_INT_EQ(hull_strv_len(m->process->caps->bounding), bound(CAP_CHOWN) ? 1 : 0);
		CHECK(strstr(text, "\"env\":[]") != NULL);
		hull_spec_free(m);
	}
	rs.seccomp_json = "{\"defaultAction\":";
	CHECK(hull_run_spec_build(&rs, &err) == NULL);
	CHECK(strstr(err.msg, "seccomp profile: invalid JSON") != NULL);
	rs.args = NULL;
	CHECK(hull_run_spec_build(&rs, &err) == NULL);
	CHECK(strstr(err.msg, "no command given") != NULL);
}

UNIT_MAIN()
