/* SPDX-License-Identifier: Apache-2.0 */
/* The systemd cgroup driver's names and its split of linux.resources: runc's
 * "slice:prefix:name" cgroupsPath, slice nesting, and which sections unit properties cover. */
#include <errno.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "lib/util.h"
#include "runtime/cgroup/systemd.h"
#include "tests/unit/unit.h"

static void check_slice(const char *slice, const char *want)
{
	struct hull_err err = {0};
	cleanup_free char *got = hull_sd_slice_path(slice, &err);
	if (!want) {
		CHECK(got == NULL);
		CHECK(err.errnum == EINVAL);
		CHECK(strstr(err.msg, slice) != NULL);
		return;
	}
	CHECK_STR_EQ(got, want);
}

TEST(slice_paths_nest_at_each_dash)
{
	check_slice("system.slice", "/system.slice");
	check_slice("a-b.slice", "/a.slice/a-b.slice");
	check_slice("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
	check_slice("-.slice", "");
	check_slice("machine", NULL);
	check_slice("-a.slice", NULL);
	check_slice("a-.slice", NULL);
	check_slice("a--b.slice", NULL);
	check_slice("a/b.slice", NULL);
	check_slice(".slice", NULL);
}

static void check_unit(const char *cgpath, const char *slice, const char *name, const char *path)
{
	struct hull_sd_unit u;
	struct hull_err err = {0};
	if (hull_sd_unit_parse(cgpath, "ID", &u, &err) < 0) {
		UNIT_FAIL("parse `%s`: %s", cgpath ? cgpath : "(null)", err.msg);
		return;
	}
	CHECK_STR_EQ(u.slice, slice);
	CHECK_STR_EQ(u.name, name);
	CHECK_STR_EQ(u.path, path);
	CHECK_STR_EQ(hull_sd_unit_of_path(u.path), name);
	hull_sd_unit_free(&u);
}

TEST(cgroups_path_slice_prefix_name)
{
	check_unit("system.slice:docker:abc", "system.slice", "docker-abc.scope",
		   "/system.slice/docker-abc.scope");
	check_unit(":docker:abc", "system.slice", "docker-abc.scope",
		   "/system.slice/docker-abc.scope");
	check_unit("machine-hull.slice:libpod:x", "machine-hull.slice", "libpod-x.scope",
		   "/machine.slice/machine-hull.slice/libpod-x.scope");
	check_unit("user.slice::plain", "user.slice", "plain.scope", "/user.slice/plain.scope");
	check_unit(NULL, "system.slice", "hull-ID.scope", "/system.slice/hull-ID.scope");
	check_unit("", "system.slice", "hull-ID.scope", "/system.slice/hull-ID.scope");
}

static void check_refused(const char *cgpath, const char *why)
{
	struct hull_sd_unit u;
	struct hull_err err = {0};
	if (hull_sd_unit_parse(cgpath, "ID", &u, &err) == 0) {
		UNIT_FAIL("`%s` was accepted as %s", cgpath, u.name);
		hull_sd_unit_free(&u);
		return;
	}
	if (!strstr(err.msg, why))
		UNIT_FAIL("`%s`: `%s` not in: %s", cgpath, why, err.msg);
}

TEST(cgroups_path_bad_forms_refused_clearly)
{
	check_refused("/hull/abc", "slice:prefix:name");
	check_refused("system.slice:abc", "slice:prefix:name");
	check_refused("a:b:c:d", "slice:prefix:name");
	check_refused("system.slice:docker:", "name is empty");
	check_refused("system.slice:docker:../x", "plain name");
	check_refused("system.slice:do/cker:x", "plain name");
	check_refused("system:docker:x", "NAME.slice");
	check_refused("system.slice::x.slice", "not supported");
}

static unsigned covered(const char *json, bool unified)
{
	char ebuf[128];
	struct hull_cg_resources r;
	struct hull_err err = {0};
	yajl_val t = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	unsigned c;
	if (!t || hull_cg_res_parse(t, "linux.resources", &r, &err) < 0) {
		UNIT_FAIL("parse %s: %s", json, t ? err.msg : ebuf);
		yajl_tree_free(t);
		return ~0u;
	}
	yajl_tree_free(t);
	c = hull_sd_covered(&r, ~0u, unified);
	hull_cg_res_free(&r);
	return c;
}

TEST(properties_cover_what_systemd_has)
{
	/* docker run --memory 64m --cpus 0.5 --pids-limit 64 --cpu-shares 512 */
	const char *docker = "{\"memory\":{\"limit\":67108864,\"swap\":134217728},"
			     "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000},"
			     "\"pids\":{\"limit\":64},\"blockIO\":{\"weight\":300}}";
	CHECK(covered(docker, true) ==
	      (HULL_CG_MEMORY | HULL_CG_CPU | HULL_CG_PIDS | HULL_CG_BLKIO));
	/* v1 systemd has no memory+swap property: the cgroupfs writer sets it */
	CHECK(covered(docker, false) == (HULL_CG_CPU | HULL_CG_PIDS | HULL_CG_BLKIO));
	/* 33 ms per 100 ms is not a 10 ms step: the exact quota is written to the files */
	CHECK(!(covered("{\"cpu\":{\"quota\":33333,\"period\":100000}}", true) & HULL_CG_CPU));
	CHECK(covered("{\"cpu\":{\"quota\":150000,\"period\":100000}}", true) & HULL_CG_CPU);
	/* what has no property at all */
	CHECK(!(covered("{\"memory\":{\"limit\":1048576,\"swappiness\":10}}", true) &
		HULL_CG_MEMORY));
	CHECK(!(covered("{\"cpu\":{\"realtimeRuntime\":1000}}", true) & HULL_CG_CPU));
	CHECK(!(covered("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,"
			"\"rate\":1048576}]}}",
			true) &
		HULL_CG_BLKIO));
	CHECK(covered("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":2097152}],"
		      "\"cpu\":{\"cpus\":\"0\"}}",
		      true) == 0);
	/* swap below the limit is refused by the cgroupfs writer, with the reason */
	CHECK(!(covered("{\"memory\":{\"limit\":4096000,\"swap\":1024000}}", true) &
		HULL_CG_MEMORY));
}

UNIT_MAIN()
