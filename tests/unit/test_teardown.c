/* SPDX-License-Identifier: Apache-2.0 */
/* Which cgroup delete sweeps (runtime/teardown.c): the one the runtime decided, never a path
 * only state.json names; and the state directory's removal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/teardown.h"
#include "tests/unit/unit.h"

static struct hull_cgroup_hier hier = {.mountpoint = "/nonexistent/cgroup",
				       .controllers = "",
				       .own = "/user.slice/me",
				       .v2 = true};
static const struct hull_cgroups cg = {&hier, 1};

static struct hull_spec *spec_with(const char *cgroups_path)
{
	char json[512];
	struct hull_err err = {0};
	struct hull_spec *s;
	snprintf(json, sizeof(json),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"linux\": "
		 "{%s%s%s}}",
		 cgroups_path ? "\"cgroupsPath\": \"" : "", cgroups_path ? cgroups_path : "",
		 cgroups_path ? "\"" : "");
	s = hull_spec_parse(json, &err);
	if (!s)
		fprintf(stderr, "%s\n", err.msg);
	return s;
}

/* state.json naming path, its init gone (pid 0): nothing to confirm it by but config.json */
static char *decide(const char *spec_path, bool have_spec, const char *recorded)
{
	struct hull_spec *spec = have_spec ? spec_with(spec_path) : NULL;
	struct hull_state st = {.id = "c1", .cgroup_path = (char *)recorded};
	char *out = hull_teardown_cgroup(&cg, "c1", spec, recorded ? &st : NULL);
	hull_spec_free(spec);
	return out;
}

#define CHECK_DECIDES(spec_path, have_spec, recorded, want)                                        \
	do {                                                                                       \
		char *_got = decide(spec_path, have_spec, recorded);                               \
		CHECK_STR_EQ(_got, want);                                                          \
		free(_got);                                                                        \
	} while (0)

TEST(recorded_path_used_when_config_agrees)
{
	CHECK_DECIDES(NULL, true, "/hull/c1", "/hull/c1");
	CHECK_DECIDES("/kubepods/pod1/c1", true, "/kubepods/pod1/c1", "/kubepods/pod1/c1");
	/* relative: below the creator's cgroup, which need not be ours; its tail must match */
	CHECK_DECIDES("machine/c1", true, "/system.slice/x/machine/c1",
		      "/system.slice/x/machine/c1");
}

TEST(edited_path_left_alone)
{
	CHECK_DECIDES(NULL, true, "/system.slice", "/hull/c1");
	CHECK_DECIDES("/kubepods/pod1/c1", true, "/user.slice", "/kubepods/pod1/c1");
	CHECK_DECIDES("machine/c1", true, "/evil", "/user.slice/me/machine/c1");
	/* a tail that only looks alike is not the same path */
	CHECK_DECIDES("machine/c1", true, "/x/othermachine/c1", "/user.slice/me/machine/c1");
}

TEST(damaged_state_or_config)
{
	/* no state.json: config.json decides */
	CHECK_DECIDES("/kubepods/pod1/c1", true, NULL, "/kubepods/pod1/c1");
	/* no config.json either: hull's default for the id, never the unconfirmed path */
	CHECK_DECIDES(NULL, false, NULL, "/hull/c1");
	CHECK_DECIDES(NULL, false, "/system.slice", "/hull/c1");
}

TEST(state_dir_removed_whole)
{
	char dir[] = "/tmp/hull-teardown-XXXXXX";
	char path[256];
	struct hull_err err = {0};
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/state.json", dir);
	CHECK(hull_write_file_atomic(path, "{}", 2, 0600, &err) == 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	CHECK(hull_write_file_atomic(path, "{}", 2, 0600, &err) == 0);
	snprintf(path, sizeof(path), "%s/vm/sock", dir);
	CHECK(hull_mkdir_p(path, 0700, &err) == 0);
	CHECK(hull_teardown_state_dir(dir, &err) == 0);
	CHECK(stat(dir, &st) < 0);
	/* a second delete (of a first one that was killed after the rmdir) has nothing to do */
	CHECK(hull_teardown_state_dir(dir, &err) == 0);
}

UNIT_MAIN()
