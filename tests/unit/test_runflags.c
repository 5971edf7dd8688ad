/* SPDX-License-Identifier: Apache-2.0 */
/* `hull run`'s container options read as docker reads them (engine/runmounts.c and
 * engine/runflags.c), without volumes (no store): --mount, --tmpfs, -v host paths, --device,
 * --ulimit, --sysctl, --shm-size, --label(-file), --stop-timeout. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/runflags.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

/* the mounts of the options, or -1 with err */
static int mounts(char **volumes, char **mount, char **tmpfs, struct hull_run_spec *rs,
		  struct hull_err *err)
{
	struct hull_run_opts o = {.volumes = volumes, .mounts = mount, .tmpfs = tmpfs};
	return hull_run_mounts(NULL, &o, "x", "/", NULL, "/nonexistent", rs, err);
}

TEST(mount_flag_bind_and_tmpfs)
{
	char *m[] = {"type=bind,source=/tmp,target=/h,readonly,bind-propagation=rslave",
		     "\"type=tmpfs\",dst=/t,tmpfs-size=1m,tmpfs-mode=1770",
		     "type=bind,\"src=/\",\"target=/a,b\"", NULL};
	char *t[] = {"/x:exec,size=2m", "/y//z/../", NULL};
	struct hull_run_spec rs = {0};
	struct hull_err err = {0};

	CHECK_INT_EQ(mounts(NULL, m, t, &rs, &err), 0);
	CHECK_INT_EQ(rs.n_binds, 2);
	if (rs.n_binds == 2) {
		CHECK_STR_EQ(rs.binds[0].destination, "/h");
		CHECK(rs.binds[0].readonly);
		CHECK_STR_EQ(rs.binds[0].propagation, "rslave");
		CHECK_STR_EQ(rs.binds[1].destination, "/a,b");
		CHECK(!rs.binds[1].readonly);
	}
	CHECK_INT_EQ(rs.n_tmpfs, 3);
	if (rs.n_tmpfs == 3) {
		CHECK_STR_EQ(rs.tmpfs[0].options, "rw,nosuid,nodev,noexec,size=1048576,mode=1770");
		CHECK_STR_EQ(rs.tmpfs[1].options, "rw,nosuid,nodev,exec,size=2m");
		CHECK_STR_EQ(rs.tmpfs[2].options, "rw,nosuid,nodev,noexec");
		CHECK_STR_EQ(rs.tmpfs[2].destination, "/y"); /* cleaned, as docker does */
	}
	hull_run_spec_free(&rs);
}

static void refused(char **volumes, char **mount, char **tmpfs, const char *msg)
{
	struct hull_run_spec rs = {0};
	struct hull_err err = {0};

	CHECK_INT_EQ(mounts(volumes, mount, tmpfs, &rs, &err), -1);
	if (!strstr(err.msg, msg))
		UNIT_FAIL("`%s` not in: %s", msg, err.msg);
	hull_run_spec_free(&rs);
}

TEST(mount_errors_name_the_problem)
{
	refused(NULL, (char *[]){"type=bind,src=/nonexistent/x,dst=/x", NULL}, NULL,
		"bind source path does not exist");
	refused(NULL, (char *[]){"type=tmpfs,dst=/x,tmpfs-mode=8", NULL}, NULL, "octal");
	refused(NULL, (char *[]){"type=tmpfs,dst=/x,tmpfs-size=lots", NULL}, NULL, "tmpfs-size");
	refused(NULL, (char *[]){"type=volume,dst=/x,bind-propagation=shared", NULL}, NULL,
		"options of another type");
	refused(NULL, (char *[]){"type=volume,dst=/x,volume-opt=o=1", NULL}, NULL,
		"unsupported option `volume-opt=o=1`");
	refused(NULL, (char *[]){"type=volume,dst=/x,volume-driver=nfs", NULL}, NULL,
		"unsupported option");
	refused(NULL, (char *[]){"src=/tmp", NULL}, NULL, "target is required");
	refused(NULL, (char *[]){"type=tmpfs,dst=/", NULL}, NULL, "cannot be /");
	refused(NULL, (char *[]){"type=tmpfs,dst=/x,ro=yes", NULL}, NULL, "invalid value for ro");
	refused(NULL, NULL, (char *[]){"/x", "/x:size=1m", NULL}, "duplicate mount point /x");
	refused(NULL, NULL, (char *[]){"/x/y/", "//x/./z/../y", NULL}, "duplicate mount point");
	refused(NULL, (char *[]){"type=tmpfs,dst=/a/..", NULL}, NULL, "cannot be /");
	refused((char *[]){"/tmp:/x:bogus", NULL}, NULL, NULL, "unknown option `bogus`");
	refused((char *[]){"/tmp:x", NULL}, NULL, NULL, "must be absolute");
	/* without a container record there is no volume store */
	refused((char *[]){"/anon", NULL}, NULL, NULL, "need a container record");
	refused((char *[]){"-bad:/x", NULL}, NULL, NULL, "invalid volume name");
}

TEST(device_ulimit_sysctl_shm)
{
	struct hull_run_opts o = {
		.devices = (char *[]){"/dev/null:/dev/mynull:rw", "/dev/zero:r", NULL},
		.ulimits =
			(char *[]){"nofile=10:20", "core=0", "nofile=5", "stack=unlimited", NULL},
		.sysctls = (char *[]){"kernel.shmmax=1=2", NULL},
		.shm_size = "2m",
	};
	struct hull_run_spec rs = {0};
	struct hull_err err = {0};

	CHECK_INT_EQ(hull_run_flags(&o, -1, false, &rs, &err), 0);
	CHECK_INT_EQ(rs.n_devices, 2);
	if (rs.n_devices == 2) {
		CHECK_STR_EQ(rs.devices[0].path, "/dev/mynull");
		CHECK_STR_EQ(rs.devices[0].access, "rw");
		CHECK_INT_EQ(rs.devices[0].major, 1);
		CHECK_INT_EQ(rs.devices[0].minor, 3);
		CHECK_STR_EQ(rs.devices[1].path, "/dev/zero"); /* HOST:PERMS */
		CHECK_STR_EQ(rs.devices[1].access, "r");
	}
	CHECK_INT_EQ(rs.n_rlimits, 3); /* the second nofile replaces the first */
	if (rs.n_rlimits == 3) {
		CHECK_STR_EQ(rs.rlimits[0].type, "RLIMIT_NOFILE");
		CHECK_INT_EQ(rs.rlimits[0].soft, 5);
		CHECK_INT_EQ(rs.rlimits[0].hard, 5);
		CHECK_STR_EQ(rs.rlimits[2].type, "RLIMIT_STACK");
		CHECK(rs.rlimits[2].hard == RLIM_INFINITY);
	}
	CHECK_INT_EQ(rs.n_sysctls, 1);
	if (rs.n_sysctls == 1) {
		CHECK_STR_EQ(rs.sysctls[0].key, "kernel.shmmax");
		CHECK_STR_EQ(rs.sysctls[0].value, "1=2");
	}
	CHECK_INT_EQ(rs.shm_size, 2 << 20);
	hull_run_spec_free(&rs);
}

/* a directory of devices: every node in it, under the container path given */
TEST(device_directory)
{
	struct hull_run_opts o = {.devices = (char *[]){"/dev/:/hostdev:r", NULL}};
	struct hull_run_spec rs = {0};
	struct hull_err err = {0};
	bool null = false;

	CHECK_INT_EQ(hull_run_flags(&o, -1, false, &rs, &err), 0);
	for (size_t i = 0; i < rs.n_devices; i++) {
		null |= !strcmp(rs.devices[i].path, "/hostdev/null") && rs.devices[i].major == 1 &&
			rs.devices[i].minor == 3;
		CHECK_STR_EQ(rs.devices[i].access, "r");
	}
	CHECK(null);
	hull_run_spec_free(&rs);
}

static void flag_refused(struct hull_run_opts o, bool vm, const char *msg)
{
	struct hull_run_spec rs = {0};
	struct hull_err err = {0};

	CHECK_INT_EQ(hull_run_flags(&o, -1, vm, &rs, &err), -1);
	if (!strstr(err.msg, msg))
		UNIT_FAIL("`%s` not in: %s", msg, err.msg);
	hull_run_spec_free(&rs);
}

TEST(flag_errors_name_the_problem)
{
	flag_refused((struct hull_run_opts){.devices = (char *[]){"/dev/null:/x:rwx", NULL}}, false,
		     "invalid permissions `rwx`");
	flag_refused((struct hull_run_opts){.devices = (char *[]){"/dev/null:/x:rr", NULL}}, false,
		     "invalid permissions");
	flag_refused((struct hull_run_opts){.devices = (char *[]){"/etc/hostname", NULL}}, false,
		     "not a device node");
	flag_refused((struct hull_run_opts){.devices = (char *[]){"/dev/null", NULL}}, true,
		     "vm isolation level");
	flag_refused((struct hull_run_opts){.ulimits = (char *[]){"nofile", NULL}}, false,
		     "NAME=SOFT[:HARD]");
	flag_refused((struct hull_run_opts){.ulimits = (char *[]){"as=1", NULL}}, false,
		     "unknown limit `as`");
	flag_refused((struct hull_run_opts){.ulimits = (char *[]){"nofile=2:1", NULL}}, false,
		     "soft limit is above the hard limit");
	flag_refused((struct hull_run_opts){.ulimits = (char *[]){"nofile=-2", NULL}}, false,
		     "counts, -1 or unlimited");
	flag_refused((struct hull_run_opts){.sysctls = (char *[]){"=1", NULL}}, false, "KEY=VALUE");
	flag_refused((struct hull_run_opts){.shm_size = "0"}, false, "--shm-size");
}

TEST(ulimit_above_the_hard_limit)
{
	struct rlimit now;
	char spec[64];

	if (getrlimit(RLIMIT_NOFILE, &now) < 0 || now.rlim_max == RLIM_INFINITY) {
		UNIT_SKIP("no finite hard limit on open files");
	}
	snprintf(spec, sizeof(spec), "nofile=1:%llu", (unsigned long long)now.rlim_max + 1);
	/* with CAP_SYS_RESOURCE (root on most hosts) it may be raised: no error to see */
	if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){now.rlim_cur, now.rlim_max + 1}) == 0) {
		setrlimit(RLIMIT_NOFILE, &now);
		UNIT_SKIP("this process may raise its hard limits");
	}
	flag_refused((struct hull_run_opts){.ulimits = (char *[]){spec, NULL}}, false,
		     "CAP_SYS_RESOURCE");
	/* the guest kernel of a VM has limits of its own */
	{
		struct hull_run_opts o = {.ulimits = (char *[]){spec, NULL}};
		struct hull_run_spec rs = {0};
		struct hull_err err = {0};
		CHECK_INT_EQ(hull_run_flags(&o, -1, true, &rs, &err), 0);
		hull_run_spec_free(&rs);
	}
}

TEST(labels_and_stop_timeout)
{
	char path[] = "/tmp/hull-labels-XXXXXX";
	int fd = mkstemp(path);
	struct hull_kv image[] = {{"a", "image"}, {"b", "image"}};
	struct hull_run_opts o = {.labels = (char *[]){"b=flag", "c", NULL},
				  .label_files = (char *[]){path, NULL}};
	struct hull_kv *l = NULL;
	struct hull_err err = {0};
	size_t n = 0;
	int t = -1;

	if (fd < 0) {
		UNIT_FAIL("mkstemp");
		return;
	}
	CHECK(write(fd, "# x\na=file\nd=1\n\n", 16) == 16);
	close(fd);
	CHECK_INT_EQ(hull_run_labels(&o, image, 2, &l, &n, &err), 0);
	unlink(path);
	CHECK_INT_EQ(n, 4);
	if (n == 4) {
		CHECK_STR_EQ(l[0].value, "file");
		CHECK_STR_EQ(l[1].value, "flag");
		CHECK_STR_EQ(l[2].key, "d");
		CHECK_STR_EQ(l[3].key, "c");
		CHECK_STR_EQ(l[3].value, "");
	}
	for (size_t i = 0; i < n; i++) {
		free(l[i].key);
		free(l[i].value);
	}
	free(l);
	CHECK_INT_EQ(hull_run_stop_timeout("30", &t, &err), 0);
	CHECK_INT_EQ(t, 30);
	CHECK_INT_EQ(hull_run_stop_timeout("-1", &t, &err), -1);
	CHECK_INT_EQ(hull_run_stop_timeout("1s", &t, &err), -1);
}

/* as docker sorts them: /x before /x/y whatever the order given, else /x would hide /x/y */
TEST(mounts_parents_first)
{
	char *args[] = {"true", NULL};
	struct hull_bind binds[] = {{"/host/deep", "/x/y", false, NULL},
				    {"/host/z", "/z", false, NULL}};
	struct hull_tmpfs tmpfs[] = {{"/x", NULL}};
	struct hull_run_spec rs = {.args = args,
				   .binds = binds,
				   .n_binds = 2,
				   .tmpfs = tmpfs,
				   .n_tmpfs = 1,
				   .hostname = "h",
				   .rootfs = "/r"};
	struct hull_err err = {0};
	struct hull_spec *s = hull_run_spec_build(&rs, &err);
	size_t n;

	if (!s) {
		UNIT_FAIL("%s", err.msg);
		return;
	}
	n = s->n_mounts;
	CHECK(n >= 3);
	if (n >= 3) {
		CHECK_STR_EQ(s->mounts[n - 3].destination, "/z");
		CHECK_STR_EQ(s->mounts[n - 2].destination, "/x");
		CHECK_STR_EQ(s->mounts[n - 1].destination, "/x/y");
	}
	hull_spec_free(s);
}

UNIT_MAIN()
