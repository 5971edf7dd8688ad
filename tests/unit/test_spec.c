/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json loader: fields, errors that name the field, the default spec. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "lib/util.h"
#include "runtime/spec/spec.h"
#include "tests/unit/unit.h"

static const char full[] =
	"{\"ociVersion\":\"1.2.0\",\"unknownTop\":{\"x\":1},"
	"\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	"\"hostname\":\"h1\",\"domainname\":\"d1\","
	"\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
	" \"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6]},"
	" \"args\":[\"sh\",\"-c\",\"true\"],\"env\":[\"A=1\"],\"cwd\":\"/home\","
	" \"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"ambient\":[]},"
	" \"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":100,\"hard\":200},"
	"  {\"type\":\"RLIMIT_CORE\",\"soft\":18446744073709551615,\"hard\":18446744073709551615}],"
	" \"noNewPrivileges\":true,\"oomScoreAdj\":-500},"
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	" {\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\","
	"  \"options\":[\"rbind\",\"ro\",\"nosuid\",\"rprivate\",\"mode=755\"]}],"
	"\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\",\"x\"],"
	" \"env\":[\"K=V\"],\"timeout\":5}],\"poststop\":[{\"path\":\"/bin/false\"}]},"
	"\"annotations\":{\"run.hull.isolation\":\"vm\"},"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":"
	" \"/run/netns/x\"},{\"type\":\"mount\"},{\"type\":\"time\"}],"
	" \"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
	" \"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,"
	"  \"fileMode\":438,\"uid\":0,\"gid\":0}],"
	" \"cgroupsPath\":\"/x/y\",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
	" \"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
	" \"timeOffsets\":{\"monotonic\":{\"secs\":86400,\"nanosecs\":5}},"
	" \"resources\":{\"memory\":{\"limit\":1}},\"seccomp\":{\"defaultAction\":\"SCMP_ACT_"
	"ALLOW\"}}}";

TEST(full_document)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_parse(full, &err);
	CHECK(s != NULL);
	if (!s) {
		UNIT_FAIL("%s", err.msg);
		return;
	}
	CHECK_STR_EQ(s->oci_version, "1.2.0");
	CHECK_STR_EQ(s->root_path, "rootfs");
	CHECK(s->root_readonly);
	CHECK_STR_EQ(s->hostname, "h1");
	CHECK_STR_EQ(s->domainname, "d1");
	CHECK(s->process->terminal);
	CHECK_INT_EQ(s->process->console_height, 24);
	CHECK_INT_EQ(s->process->uid, 1000);
	CHECK_INT_EQ(s->process->gid, 100);
	CHECK(s->process->has_umask);
	CHECK_INT_EQ(s->process->umask, 18);
	CHECK_INT_EQ(s->process->n_additional_gids, 2);
	CHECK_INT_EQ(s->process->additional_gids[1], 6);
	CHECK_STR_EQ(s->process->args[2], "true");
	CHECK(s->process->args[3] == NULL);
	CHECK_STR_EQ(s->process->cwd, "/home");
	CHECK_STR_EQ(s->process->caps->bounding[0], "CAP_KILL");
	CHECK(s->process->caps->ambient && s->process->caps->ambient[0] == NULL);
	CHECK_INT_EQ(s->process->n_rlimits, 2);
	CHECK_INT_EQ(s->process->rlimits[0].resource, RLIMIT_NOFILE);
	CHECK_INT_EQ(s->process->rlimits[0].hard, 200);
	CHECK(s->process->rlimits[1].soft == UINT64_MAX);
	CHECK(s->process->no_new_privileges);
	CHECK_INT_EQ(s->process->oom_score_adj, -500);
	CHECK_INT_EQ(s->n_mounts, 2);
	CHECK(s->mounts[1].bind);
	CHECK(s->mounts[1].flags & MS_REC);
	CHECK(s->mounts[1].flags & MS_RDONLY);
	CHECK_INT_EQ(s->mounts[1].propagation, MS_PRIVATE | MS_REC);
	CHECK_STR_EQ(s->mounts[1].data, "mode=755");
	CHECK_INT_EQ(s->hooks.prestart.n, 1);
	CHECK_INT_EQ(s->hooks.prestart.hooks[0].timeout, 5);
	CHECK_STR_EQ(s->hooks.prestart.hooks[0].args[1], "x");
	CHECK_STR_EQ(s->hooks.prestart.hooks[0].env[0], "K=V");
	CHECK_INT_EQ(s->hooks.poststop.n, 1);
	CHECK_STR_EQ(hull_spec_annotation(s, "run.hull.isolation"), "vm");
	CHECK(hull_spec_annotation(s, "nope") == NULL);
	CHECK_INT_EQ(s->linux_->n_namespaces, 4);
	CHECK(hull_spec_namespace(s, CLONE_NEWNET) != NULL);
	CHECK_STR_EQ(hull_spec_namespace(s, CLONE_NEWNET)->path, "/run/netns/x");
	CHECK(hull_spec_namespace(s, CLONE_NEWUTS) == NULL);
	CHECK_INT_EQ(s->linux_->uid_mappings[0].host_id, 100000);
	CHECK_INT_EQ(s->linux_->devices[0].minor, 229);
	CHECK_INT_EQ(s->linux_->devices[0].file_mode, 438);
	CHECK_STR_EQ(s->linux_->cgroups_path, "/x/y");
	CHECK_STR_EQ(s->linux_->sysctl[0].value, "1");
	CHECK_STR_EQ(s->linux_->masked_paths[0], "/proc/kcore");
	CHECK_INT_EQ(s->linux_->time_offsets[0].secs, 86400);
	CHECK(s->linux_->resources != NULL);
	CHECK(s->linux_->seccomp != NULL);
	hull_spec_free(s);
}

/* Each broken document must fail with a message holding the given words. */
static void expect_error(const char *json, const char *words)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_parse(json, &err);
	if (s) {
		hull_spec_free(s);
		UNIT_FAIL("accepted: %s", json);
		return;
	}
	if (!strstr(err.msg, words))
		UNIT_FAIL("message `%.300s` lacks `%s`", err.msg, words);
}

TEST(errors_name_the_field)
{
	expect_error("{", "invalid JSON");
	expect_error("[]", "JSON object");
	expect_error("{\"root\":{}}", "`ociVersion` is required");
	expect_error("{\"ociVersion\":1}", "`ociVersion` must be a string");
	expect_error("{\"ociVersion\":\"1\",\"process\":{\"args\":\"sh\",\"cwd\":\"/\"}}",
		     "`process.args` must be an array of strings");
	expect_error("{\"ociVersion\":\"1\",\"process\":{\"args\":[1],\"cwd\":\"/\"}}",
		     "`process.args`");
	expect_error("{\"ociVersion\":\"1\",\"process\":{\"args\":[\"sh\"]}}",
		     "`process.cwd` is required");
	expect_error("{\"ociVersion\":\"1\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"rel\"}}",
		     "must be absolute");
	expect_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":-1}}}",
		     "`process.user.uid` is out of range");
	expect_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":\"0\"}}}",
		     "`process.user.uid` must be an integer");
	expect_error("{\"ociVersion\":\"1\",\"mounts\":[{\"type\":\"tmpfs\"}]}",
		     "`mounts[0].destination` is required");
	expect_error("{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":\"foo\"}]}}",
		     "unknown namespace type `foo`");
	expect_error("{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
		     "{\"type\":\"pid\"}]}}",
		     "listed twice");
	expect_error("{\"ociVersion\":\"1\",\"hooks\":{\"prestart\":[{\"path\":\"rel\"}]}}",
		     "`hooks.prestart[0].path` must be an absolute path");
	expect_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":"
		     "\"RLIMIT_BOGUS\",\"soft\":1,\"hard\":1}]}}",
		     "unknown rlimit `RLIMIT_BOGUS`");
	expect_error("{\"ociVersion\":\"1\",\"linux\":{\"devices\":[{\"path\":\"/dev/x\","
		     "\"type\":\"c\"}]}}",
		     "major and minor");
	expect_error("{\"ociVersion\":\"1\",\"linux\":{\"devices\":[{\"path\":\"/dev/x\","
		     "\"type\":\"z\",\"major\":1,\"minor\":1}]}}",
		     "must be c, b, u or p");
	expect_error("{\"ociVersion\":\"1\",\"root\":{\"readonly\":\"yes\"}}",
		     "`root.readonly` must be true or false");
	expect_error("{\"ociVersion\":\"1\",\"annotations\":{\"a\":1}}", "`annotations.a`");
}

TEST(minimal_and_empty_args)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_parse(
		"{\"ociVersion\":\"1.0.0\",\"process\":{\"cwd\":\"/\",\"args\":[]}}", &err);
	CHECK(s != NULL);
	if (s) {
		CHECK(s->process->args != NULL && s->process->args[0] == NULL);
		CHECK(s->linux_ == NULL);
		CHECK(s->root_path == NULL);
		hull_spec_free(s);
	}
}

TEST(namespace_names)
{
	CHECK_INT_EQ(hull_namespace_type("pid"), CLONE_NEWPID);
	CHECK_INT_EQ(hull_namespace_type("network"), CLONE_NEWNET);
	CHECK_INT_EQ(hull_namespace_type("mount"), CLONE_NEWNS);
	CHECK_INT_EQ(hull_namespace_type("user"), CLONE_NEWUSER);
	CHECK_INT_EQ(hull_namespace_type("cgroup"), CLONE_NEWCGROUP);
	CHECK_INT_EQ(hull_namespace_type("time"), 0x80);
	CHECK_INT_EQ(hull_namespace_type("bogus"), 0);
	CHECK_STR_EQ(hull_namespace_name(CLONE_NEWUTS), "uts");
}

/* `hull-oci spec`'s text: runc's default model, written */
static char *default_text(bool rootless)
{
	struct hull_err err = {0};
	struct hull_spec *d = hull_spec_default_runc(rootless, &err);
	char *json;
	if (!d) {
		UNIT_FAIL("%s", err.msg);
		return xstrdup("");
	}
	json = hull_spec_write(d, true);
	hull_spec_free(d);
	return json;
}

TEST(default_spec_parses)
{
	struct hull_err err = {0};
	cleanup_free char *json = default_text(false);
	cleanup_free char *rl = default_text(true);
	struct hull_spec *s = hull_spec_parse(json, &err), *r;
	CHECK(s != NULL);
	if (s) {
		CHECK_STR_EQ(s->process->args[0], "sh");
		CHECK(s->process->terminal);
		CHECK(hull_spec_namespace(s, CLONE_NEWNET) != NULL);
		CHECK(hull_spec_namespace(s, CLONE_NEWUSER) == NULL);
		CHECK(s->linux_->masked_paths != NULL);
		hull_spec_free(s);
	}
	r = hull_spec_parse(rl, &err);
	CHECK(r != NULL);
	if (r) {
		CHECK(hull_spec_namespace(r, CLONE_NEWUSER) != NULL);
		CHECK(hull_spec_namespace(r, CLONE_NEWNET) == NULL);
		CHECK_INT_EQ(r->linux_->n_uid_mappings, 1);
		hull_spec_free(r);
	}
}

UNIT_MAIN()
