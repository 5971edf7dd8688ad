/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources -> cgroup files: the model, the v1 and v2 writers against a fake cgroup2
 * tree in a temp dir, the v2 freezer, and the eBPF device filter on the real cgroup2 mount. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"
#include "tests/unit/unit.h"

static int parse(const char *json, struct hull_cg_resources *r, struct hull_err *err)
{
	char ebuf[128];
	yajl_val t = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	int rc;
	if (!t)
		return hull_error(err, EINVAL, "bad test JSON: %s", ebuf);
	rc = hull_cg_res_parse(t, "linux.resources", r, err);
	yajl_tree_free(t);
	return rc;
}

static const char *find(const struct hull_cg_writes *ws, const char *file)
{
	size_t i;
	for (i = 0; i < ws->n; i++)
		if (!strcmp(ws->w[i].file, file))
			return ws->w[i].value;
	return NULL;
}

#define CHECK_WRITE(ws, file, val)                                                                 \
	do {                                                                                       \
		const char *_v = find(ws, file);                                                   \
		if (!_v || strcmp(_v, val))                                                        \
			UNIT_FAIL("%s: got `%s`, want `%s`", file, _v ? _v : "(none)", val);       \
	} while (0)

TEST(conversions_match_runc)
{
	CHECK(hull_cg_shares_to_weight(2) == 1);
	CHECK(hull_cg_shares_to_weight(1024) == 39);
	CHECK(hull_cg_shares_to_weight(262144) == 10000);
	CHECK(hull_cg_blkio_to_io_weight(10) == 1);
	CHECK(hull_cg_blkio_to_io_weight(500) == 4950);
	CHECK(hull_cg_blkio_to_io_weight(1000) == 10000);
	/* out of range: clamped, 0 stays "not set" */
	CHECK(hull_cg_shares_to_weight(1) == 1);
	CHECK(hull_cg_shares_to_weight(1000000) == 10000);
	CHECK(hull_cg_shares_to_weight(0) == 0);
	CHECK(hull_cg_blkio_to_io_weight(5) == 1);
	CHECK(hull_cg_blkio_to_io_weight(5000) == 10000);
	CHECK(hull_cg_blkio_to_io_weight(0) == 0);
}

TEST(v2_writes_convert)
{
	struct hull_cg_resources r;
	struct hull_cg_writes ws = {0};
	struct hull_err err = {0};
	CHECK(parse("{\"memory\":{\"limit\":67108864,\"swap\":134217728,\"reservation\":1024},"
		    "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"cpus\":\"0-1\","
		    "\"mems\":\"0\",\"idle\":1},"
		    "\"pids\":{\"limit\":-1},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":"
		    "4194304}],\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":8,"
		    "\"minor\":0,\"rate\":1048576}],\"throttleWriteIOPSDevice\":[{\"major\":8,"
		    "\"minor\":0,\"rate\":100}]},\"unified\":{\"memory.high\":\"50000000\"}}",
		    &r, &err) == 0);
	CHECK(hull_cg_v2_writes(&r, ~0u, &ws, &err) == 0);
	CHECK_WRITE(&ws, "memory.max", "67108864");
	CHECK_WRITE(&ws, "memory.swap.max", "67108864");
	CHECK_WRITE(&ws, "memory.low", "1024");
	CHECK_WRITE(&ws, "cpu.weight", "39");
	CHECK_WRITE(&ws, "cpu.max", "50000 100000");
	CHECK_WRITE(&ws, "cpu.idle", "1");
	CHECK_WRITE(&ws, "cpuset.cpus", "0-1");
	CHECK_WRITE(&ws, "cpuset.mems", "0");
	CHECK_WRITE(&ws, "pids.max", "max");
	CHECK_WRITE(&ws, "hugetlb.2MB.max", "4194304");
	CHECK_WRITE(&ws, "io.bfq.weight", "500");
	CHECK_WRITE(&ws, "memory.high", "50000000");
	CHECK(find(&ws, "io.max") && !strcmp(find(&ws, "io.max"), "8:0 rbps=1048576"));
	hull_cg_writes_free(&ws);
	hull_cg_res_free(&r);
}

TEST(v2_period_alone_and_unlimited_swap)
{
	struct hull_cg_resources r;
	struct hull_cg_writes ws = {0};
	struct hull_err err = {0};
	CHECK(parse("{\"memory\":{\"limit\":1048576,\"swap\":-1},\"cpu\":{\"period\":50000}}", &r,
		    &err) == 0);
	CHECK(hull_cg_v2_writes(&r, ~0u, &ws, &err) == 0);
	CHECK_WRITE(&ws, "cpu.max", "max 50000");
	CHECK_WRITE(&ws, "memory.swap.max", "max");
	hull_cg_writes_free(&ws);
	hull_cg_res_free(&r);
}

TEST(v2_refuses_what_it_cannot_express)
{
	struct hull_cg_resources r;
	struct hull_cg_writes ws = {0};
	struct hull_err err = {0};
	CHECK(parse("{\"memory\":{\"limit\":2097152,\"swap\":1048576}}", &r, &err) == 0);
	CHECK(hull_cg_v2_writes(&r, ~0u, &ws, &err) < 0);
	CHECK(strstr(err.msg, "memory.swap.max") && strstr(err.msg, "1048576"));
	hull_cg_writes_free(&ws);
	hull_cg_res_free(&r);
	CHECK(parse("{\"cpu\":{\"realtimeRuntime\":1000}}", &r, &err) == 0);
	CHECK(hull_cg_v2_writes(&r, ~0u, &ws, &err) < 0);
	CHECK(strstr(err.msg, "realtime") != NULL);
	hull_cg_writes_free(&ws);
	hull_cg_res_free(&r);
	CHECK(parse("{\"unified\":{\"cgroup.procs\":\"1\"}}", &r, &err) == 0);
	CHECK(hull_cg_v2_writes(&r, ~0u, &ws, &err) < 0);
	CHECK(strstr(err.msg, "cgroup.procs") != NULL);
	hull_cg_writes_free(&ws);
	hull_cg_res_free(&r);
}

TEST(v1_writes_and_device_list)
{
	struct hull_cg_resources r;
	struct hull_cg_writes ws = {0};
	struct hull_err err = {0};
	struct hull_device dev = {.path = "/dev/fuse", .type = 'c', .major = 10, .minor = 229};
	struct hull_linux lx = {.devices = &dev, .n_devices = 1};
	CHECK(parse("{\"memory\":{\"limit\":1048576,\"swap\":2097152,\"swappiness\":0,"
		    "\"disableOOMKiller\":true},\"cpu\":{\"shares\":512,\"quota\":-1,"
		    "\"realtimeRuntime\":0},\"pids\":{\"limit\":20},"
		    "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,"
		    "\"type\":\"c\",\"major\":4,\"access\":\"rw\"}]}",
		    &r, &err) == 0);
	CHECK(hull_cg_v1_writes(&r, ~0u, &ws, &err) == 0);
	CHECK_WRITE(&ws, "memory.limit_in_bytes", "1048576");
	CHECK_WRITE(&ws, "memory.memsw.limit_in_bytes", "2097152");
	CHECK_WRITE(&ws, "memory.swappiness", "0");
	CHECK_WRITE(&ws, "memory.oom_control", "1");
	CHECK_WRITE(&ws, "cpu.shares", "512");
	CHECK_WRITE(&ws, "cpu.cfs_quota_us", "-1");
	CHECK(find(&ws, "cpu.rt_runtime_us") == NULL); /* zero: left alone */
	CHECK_WRITE(&ws, "pids.max", "20");
	hull_cg_writes_free(&ws);
	hull_cg_v1_device_writes(&r, &lx, &ws);
	CHECK(ws.n == 3 + hull_cg_n_default_devices + 1);
	CHECK(!strcmp(ws.w[0].file, "devices.deny") && !strcmp(ws.w[0].value, "a"));
	CHECK(!strcmp(ws.w[1].file, "devices.deny") && !strcmp(ws.w[1].value, "a"));
	CHECK(!strcmp(ws.w[2].file, "devices.allow") && !strcmp(ws.w[2].value, "c 4:* rw"));
	CHECK(!strcmp(ws.w[ws.n - 1].value, "c 10:229 rwm"));
	hull_cg_writes_free(&ws);
	hull_cg_res_free(&r);
}

/* Every v1 write of blkio, hugetlb and network, with the files and values runc writes; the
 * weights carry their BFQ alternative (kernels without CFQ), and a section left out of the
 * mask writes nothing. */
TEST(v1_writes_blkio_hugetlb_network)
{
	struct hull_cg_resources r;
	struct hull_cg_writes ws = {0};
	struct hull_err err = {0};
	size_t i, prios = 0;

	CHECK(parse("{\"blockIO\":{\"weight\":300,\"leafWeight\":200,\"weightDevice\":[{"
		    "\"major\":8,\"minor\":0,\"weight\":500,\"leafWeight\":400}],"
		    "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":16,\"rate\":1024}],"
		    "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":32,\"rate\":30}]},"
		    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
		    "\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\","
		    "\"priority\":5},{\"name\":\"lo\",\"priority\":2}]}}",
		    &r, &err) == 0);
	CHECK(hull_cg_v1_writes(&r, ~0u, &ws, &err) == 0);
	CHECK_WRITE(&ws, "blkio.weight", "300");
	CHECK_WRITE(&ws, "blkio.leaf_weight", "200");
	CHECK_WRITE(&ws, "blkio.weight_device", "8:0 500");
	CHECK_WRITE(&ws, "blkio.leaf_weight_device", "8:0 400");
	CHECK_WRITE(&ws, "blkio.throttle.read_bps_device", "8:16 1024");
	CHECK_WRITE(&ws, "blkio.throttle.write_iops_device", "8:32 30");
	CHECK_WRITE(&ws, "hugetlb.2MB.limit_in_bytes", "4194304");
	CHECK_WRITE(&ws, "net_cls.classid", "1048577");
	for (i = 0; i < ws.n; i++) {
		const struct hull_cg_write *w = &ws.w[i];
		if (!strcmp(w->file, "blkio.weight"))
			CHECK(w->alt_file && !strcmp(w->alt_file, "blkio.bfq.weight") &&
			      !strcmp(w->alt_value, "300"));
		else if (!strcmp(w->file, "blkio.weight_device"))
			CHECK(w->alt_file && !strcmp(w->alt_file, "blkio.bfq.weight_device") &&
			      !strcmp(w->alt_value, "8:0 500"));
		else if (!strcmp(w->file, "net_prio.ifpriomap"))
			CHECK(!strcmp(w->value, prios++ ? "lo 2" : "eth0 5"));
		else
			CHECK(w->alt_file == NULL);
	}
	CHECK(prios == 2);
	hull_cg_writes_free(&ws);
	/* pids: the smallest limit is a limit; 0 and -1 mean none */
	{
		struct hull_cg_resources pr;
		struct hull_cg_writes pw = {0};
		CHECK(parse("{\"pids\":{\"limit\":1}}", &pr, &err) == 0);
		CHECK(hull_cg_v1_writes(&pr, ~0u, &pw, &err) == 0);
		CHECK_WRITE(&pw, "pids.max", "1");
		hull_cg_writes_free(&pw);
		hull_cg_res_free(&pr);
		CHECK(parse("{\"pids\":{\"limit\":-1}}", &pr, &err) == 0);
		CHECK(hull_cg_v1_writes(&pr, ~0u, &pw, &err) == 0);
		CHECK_WRITE(&pw, "pids.max", "max");
		hull_cg_writes_free(&pw);
		hull_cg_res_free(&pr);
	}
	/* blkio and hugetlb only: no net_cls or net_prio write */
	CHECK(hull_cg_v1_writes(&r, HULL_CG_BLKIO | HULL_CG_HUGETLB, &ws, &err) == 0);
	CHECK(find(&ws, "net_cls.classid") == NULL && find(&ws, "net_prio.ifpriomap") == NULL);
	CHECK_WRITE(&ws, "hugetlb.2MB.limit_in_bytes", "4194304");
	hull_cg_writes_free(&ws);
	hull_cg_res_free(&r);
}

TEST(parse_errors_name_the_field)
{
	struct hull_cg_resources r;
	struct hull_err err = {0};
	CHECK(parse("{\"memory\":{\"limit\":\"1g\"}}", &r, &err) < 0);
	CHECK(strstr(err.msg, "linux.resources.memory") && strstr(err.msg, "limit"));
	CHECK(parse("{\"blockIO\":{\"weight\":5}}", &r, &err) < 0);
	CHECK(strstr(err.msg, "weight") != NULL);
	CHECK(parse("{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}", &r, &err) < 0);
	CHECK(strstr(err.msg, "devices[0].access") != NULL);
	CHECK(parse("{\"hugepageLimits\":[{\"pageSize\":\"../x\",\"limit\":1}]}", &r, &err) < 0);
	CHECK(parse("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"rate\":1}]}}", &r,
		    &err) < 0);
	CHECK(strstr(err.msg, "major and minor") != NULL);
	/* each section's errors stop the parse and name the field */
	CHECK(parse("{\"network\":{\"classID\":\"x\"}}", &r, &err) < 0);
	CHECK(strstr(err.msg, "linux.resources.network") && strstr(err.msg, "classID"));
	CHECK(parse("{\"network\":{\"priorities\":[{\"priority\":1}]}}", &r, &err) < 0);
	CHECK(strstr(err.msg, "network.priorities[0]") && strstr(err.msg, "name"));
	CHECK(parse("{\"network\":{\"priorities\":[{\"name\":\"lo\",\"priority\":-1}]}}", &r,
		    &err) < 0);
	CHECK(strstr(err.msg, "priorities[0]") != NULL);
	CHECK(parse("{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}", &r, &err) < 0);
	CHECK(strstr(err.msg, "hugepageLimits[0]") && strstr(err.msg, "limit"));
	CHECK(parse("{\"devices\":[{\"access\":\"r\"}]}", &r, &err) < 0);
	CHECK(strstr(err.msg, "devices[0].allow") != NULL);
	CHECK(parse("{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", &r, &err) < 0);
	CHECK(strstr(err.msg, "devices[0].type") != NULL);
	CHECK(parse("{\"blockIO\":{\"weightDevice\":[{\"minor\":0,\"weight\":10}]}}", &r, &err) <
	      0);
	CHECK(strstr(err.msg, "weightDevice[0]") && strstr(err.msg, "major and minor"));
	CHECK(parse("{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0}]}}", &r,
		    &err) < 0);
	CHECK(strstr(err.msg, "throttleWriteIOPSDevice[0]") && strstr(err.msg, "rate"));
}

TEST(merge_and_record_round_trip)
{
	struct hull_cg_resources a, b, c;
	struct hull_err err = {0};
	cleanup_free char *json = NULL;
	CHECK(parse("{\"memory\":{\"limit\":100},\"pids\":{\"limit\":5},"
		    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}]}",
		    &a, &err) == 0);
	CHECK(parse("{\"memory\":{\"swap\":300},\"cpu\":{\"cpus\":\"1\"},"
		    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":2097152}]}",
		    &b, &err) == 0);
	hull_cg_res_merge(&a, &b);
	json = hull_cg_res_to_json(&a);
	CHECK(parse(json, &c, &err) == 0);
	CHECK(c.memory.limit.set && c.memory.limit.v == 100);
	CHECK(c.memory.swap.set && c.memory.swap.v == 300);
	CHECK(c.pids_limit.v == 5 && c.cpu.cpus && !strcmp(c.cpu.cpus, "1"));
	CHECK(c.n_hugetlb == 1 && c.hugetlb[0].limit == 2097152);
	hull_cg_res_free(&a);
	hull_cg_res_free(&b);
	hull_cg_res_free(&c);
}

/* ---- a fake cgroup2 tree ---- */

static void put(const char *dir, const char *file, const char *content)
{
	cleanup_free char *p = hull_strfmt("%s/%s", dir, file);
	CHECK(hull_write_file_atomic(p, content, strlen(content), 0644, NULL) == 0);
}

static char *get(const char *dir, const char *file)
{
	cleanup_free char *p = hull_strfmt("%s/%s", dir, file);
	char *buf = NULL;
	if (hull_read_file(p, &buf, NULL, NULL) < 0)
		return xstrdup("(missing)");
	return buf;
}

#define CHECK_FILE(dir, file, want)                                                                \
	do {                                                                                       \
		cleanup_free char *_g = get(dir, file);                                            \
		if (strcmp(_g, want))                                                              \
			UNIT_FAIL("%s: got `%s`, want `%s`", file, _g, want);                      \
	} while (0)

static char *fake_v2(struct hull_cgroups *cg, char **leaf)
{
	char tmpl[] = "/tmp/hull-fakecg.XXXXXX";
	char *root = xstrdup(mkdtemp(tmpl));
	static const char *const files[] = {
		"memory.max",	   "memory.low",   "memory.swap.max", "cpu.weight",
		"cpu.max",	   "pids.max",	   "io.weight",	      "io.max",
		"hugetlb.2MB.max", "cpuset.cpus",  "cgroup.freeze",   "cgroup.subtree_control",
		"memory.high",	   "cgroup.events"};
	size_t i;
	cleanup_free char *mid = hull_strfmt("%s/a", root);
	*leaf = hull_strfmt("%s/a/c", root);
	CHECK(mkdir(mid, 0755) == 0 && mkdir(*leaf, 0755) == 0);
	put(root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
	put(root, "cgroup.subtree_control", "");
	put(mid, "cgroup.subtree_control", "");
	for (i = 0; i < ARRAY_SIZE(files); i++)
		put(*leaf, files[i], "");
	cg->n = 1;
	cg->h = xzalloc(sizeof(*cg->h));
	cg->h[0] = (struct hull_cgroup_hier){xstrdup(root), xstrdup(""), xstrdup("/"), true};
	return root;
}

TEST(v2_apply_on_a_fake_tree)
{
	struct hull_cgroups cg = {0};
	cleanup_free char *leaf = NULL;
	cleanup_free char *root = fake_v2(&cg, &leaf);
	struct hull_cg_resources r;
	struct hull_err err = {0};

	CHECK(parse("{\"memory\":{\"limit\":67108864},\"cpu\":{\"shares\":2,\"quota\":20000},"
		    "\"pids\":{\"limit\":30},\"blockIO\":{\"weight\":10},\"unified\":{"
		    "\"memory.high\":\"1000000\"},\"network\":{\"classID\":5}}",
		    &r, &err) == 0);
	if (hull_cgroup_apply(&cg, "/a/c", &r, ~0u, NULL, false, &err) < 0)
		UNIT_FAIL("apply: %s", err.msg);
	CHECK_FILE(leaf, "memory.max", "67108864");
	CHECK_FILE(leaf, "cpu.weight", "1");
	CHECK_FILE(leaf, "cpu.max", "20000 100000");
	CHECK_FILE(leaf, "pids.max", "30");
	CHECK_FILE(leaf, "io.weight", "1"); /* no io.bfq.weight here: converted */
	CHECK_FILE(leaf, "memory.high", "1000000");
	{
		cleanup_free char *sc = get(root, "cgroup.subtree_control");
		cleanup_free char *sc2 = get(root, "a/cgroup.subtree_control");
		CHECK(sc[0] == '+' && sc2[0] == '+'); /* controllers enabled in both parents */
	}
	hull_cg_res_free(&r);
	/* a controller the tree does not have: named, nothing written */
	CHECK(parse("{\"unified\":{\"rdma.max\":\"x\"}}", &r, &err) == 0);
	CHECK(hull_cgroup_apply(&cg, "/a/c", &r, ~0u, NULL, false, &err) < 0);
	CHECK(strstr(err.msg, "rdma.max") && strstr(err.msg, "rdma"));
	hull_cg_res_free(&r);
	/* the v2 freezer: cgroup.freeze, settled by cgroup.events */
	put(leaf, "cgroup.events", "populated 1\nfrozen 1\n");
	CHECK(hull_cgroup_freeze(&cg, "/a/c", true, &err) == 0);
	CHECK_FILE(leaf, "cgroup.freeze", "1");
	{
		bool frozen = false;
		CHECK(hull_cgroup_frozen(&cg, "/a/c", &frozen, &err) == 0 && frozen);
	}
	hull_cgroups_free(&cg);
	hull_remove_tree(root, NULL);
}

/* The eBPF device filter for real, on the host's cgroup2 mount (it needs no controller). */
TEST(bpf_device_filter_on_cgroup2)
{
	static const struct hull_cg_dev_rule rules[] = {
		{true, 'a', -1, -1, "rwm"},
		{false, 'c', 1, 3, "rw"},  /* /dev/null: denied */
		{true, 'c', 1, 3, "w"},	   /* ... but writing it is allowed again */
		{false, 'c', 1, 9, "rwm"}, /* /dev/urandom: denied */
	};
	char dir[] = "/sys/fs/cgroup/unified/hull-unit-bpf";
	const char *base = "/sys/fs/cgroup/unified";
	int fd, status;
	pid_t pid;
	struct hull_err err = {0};

	if (access(base, W_OK) < 0) {
		base = "/sys/fs/cgroup";
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/hull-unit-bpf");
	}
	{
		cleanup_free char *ctl = hull_strfmt("%s/cgroup.controllers", base);
		if (geteuid() != 0 || access(ctl, F_OK) < 0) {
			printf("# skipped: needs root and a cgroup2 mount\n");
			return;
		}
	}
	rmdir(dir);
	CHECK(mkdir(dir, 0755) == 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (hull_cg_bpf_devices_attach(fd, rules, ARRAY_SIZE(rules), &err) < 0)
		UNIT_FAIL("attach: %s", err.msg);
	pid = fork();
	if (pid == 0) {
		cleanup_free char *procs = hull_strfmt("%s/cgroup.procs", dir);
		int ok;
		if (hull_write_string(procs, "0", NULL) < 0)
			_exit(10);
		ok = open("/dev/null", O_RDONLY) < 0 && errno == EPERM;
		ok = ok && open("/dev/null", O_WRONLY) >= 0;
		ok = ok && open("/dev/urandom", O_RDONLY) < 0 && errno == EPERM;
		ok = ok && open("/dev/zero", O_RDONLY) >= 0;
		_exit(ok ? 0 : 11);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	CHECK(rmdir(dir) == 0);
}

UNIT_MAIN()
