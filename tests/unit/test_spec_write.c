/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json writer: read -> write -> read gives the same model, the text is complete
 * (fields hull does not model included), edits keep what they do not touch, and specs made in
 * code (spec_edit.h) read back as they were made. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec/spec.h"
#include "runtime/spec/spec_edit.h"
#include "tests/unit/unit.h"

/* Every section the model has, some fields it does not (scheduler, intelRdt, a mount's
 * uidMappings, unknownTop), numbers whose text matters (2.50, 2^64-1). */
static const char rich[] =
	"{\"ociVersion\":\"1.2.0\",\"unknownTop\":{\"x\":[1,2.50,null,true]},"
	"\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	"\"hostname\":\"h1\",\"domainname\":\"d1\","
	"\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
	" \"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6],"
	"  \"username\":\"u\"},"
	" \"args\":[\"sh\",\"-c\",\"echo \\\"hi\\\" \\u00e9\"],\"env\":[\"A=1\",\"B=\"],"
	" \"cwd\":\"/home\","
	" \"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"],\"effective\":[\"CAP_KILL\"],"
	"  \"inheritable\":[],\"permitted\":[\"CAP_KILL\"],\"ambient\":[]},"
	" \"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":100,\"hard\":200},"
	"  {\"type\":\"RLIMIT_CORE\",\"soft\":18446744073709551615,\"hard\":18446744073709551615}],"
	" \"noNewPrivileges\":true,\"oomScoreAdj\":-500,\"apparmorProfile\":\"aa\","
	" \"selinuxLabel\":\"sl\",\"scheduler\":{\"policy\":\"SCHED_IDLE\"}},"
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	" {\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\","
	"  \"options\":[\"rbind\",\"ro\",\"nosuid\",\"rprivate\",\"mode=755\"],"
	"  \"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]},"
	" {\"destination\":\"/t\",\"type\":\"tmpfs\",\"options\":[]}],"
	"\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\",\"x\"],"
	" \"env\":[\"K=V\"],\"timeout\":5}],\"createRuntime\":[{\"path\":\"/a\"}],"
	" \"createContainer\":[{\"path\":\"/b\"}],\"startContainer\":[{\"path\":\"/c\"}],"
	" \"poststart\":[{\"path\":\"/d\"}],\"poststop\":[{\"path\":\"/bin/false\"}]},"
	"\"annotations\":{\"run.hull.isolation\":\"vm\",\"k\":\"\"},"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":"
	" \"/run/netns/x\"},{\"type\":\"mount\"},{\"type\":\"user\"},{\"type\":\"time\"}],"
	" \"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
	" \"gidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":100},"
	"  {\"containerID\":100,\"hostID\":300,\"size\":1}],"
	" \"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,"
	"  \"fileMode\":438,\"uid\":0,\"gid\":0},{\"path\":\"/dev/p\",\"type\":\"p\"}],"
	" \"cgroupsPath\":\"/x/y\",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"kernel.msgmax\":"
	" \"8192\"},\"rootfsPropagation\":\"rslave\",\"mountLabel\":\"ml\","
	" \"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\",\"/proc/bus\"],"
	" \"timeOffsets\":{\"monotonic\":{\"secs\":86400,\"nanosecs\":5},\"boottime\":{\"secs\":-1,"
	"  \"nanosecs\":0}},"
	" \"resources\":{\"memory\":{\"limit\":1048576,\"swappiness\":0},\"cpu\":{\"shares\":1024,"
	"  \"quota\":-1,\"realtimeRuntime\":9223372036854775807},\"unified\":{\"memory.high\":"
	"  \"max\"},\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
	" \"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
	"  \"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],"
	"  \"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2,\"op\":"
	"  \"SCMP_CMP_EQ\"}]}]},"
	" \"personality\":{\"domain\":\"LINUX32\"},\"intelRdt\":{\"closID\":\"c\"}},"
	"\"vm\":{\"hypervisor\":{\"path\":\"/q\"},\"kernel\":{\"path\":\"/k\",\"parameters\":"
	" [\"console=ttyS0\"]}}}";

static char diff[512];

/* Each returns false and says where in diff when a and b differ. */
static bool same_str(const char *what, const char *a, const char *b)
{
	if ((!a && !b) || (a && b && !strcmp(a, b)))
		return true;
	snprintf(diff, sizeof(diff), "%s: `%s` vs `%s`", what, a ? a : "(null)", b ? b : "(null)");
	return false;
}

static bool same_int(const char *what, long long a, long long b)
{
	if (a == b)
		return true;
	snprintf(diff, sizeof(diff), "%s: %lld vs %lld", what, a, b);
	return false;
}

static bool same_strv(const char *what, char *const *a, char *const *b)
{
	size_t i;
	if (!a || !b)
		return same_int(what, a != NULL, b != NULL);
	for (i = 0; a[i] && b[i]; i++)
		if (!same_str(what, a[i], b[i]))
			return false;
	return same_int(what, a[i] != NULL, b[i] != NULL);
}

/* raw sections: the same text when written */
static bool same_tree(const char *what, yajl_val a, yajl_val b)
{
	yajl_gen ga = yajl_gen_alloc(NULL), gb = yajl_gen_alloc(NULL);
	const unsigned char *ba = (const unsigned char *)"", *bb = (const unsigned char *)"";
	size_t la = 0, lb = 0;
	bool same;
	if (a)
		sj_gen(ga, a), yajl_gen_get_buf(ga, &ba, &la);
	if (b)
		sj_gen(gb, b), yajl_gen_get_buf(gb, &bb, &lb);
	same = la == lb && !memcmp(ba, bb, la) && (a != NULL) == (b != NULL);
	if (!same)
		snprintf(diff, sizeof(diff), "%s: %.*s vs %.*s", what, (int)la, ba, (int)lb, bb);
	yajl_gen_free(ga);
	yajl_gen_free(gb);
	return same;
}

static bool same_kv(const char *what, const struct hull_kv *a, size_t na, const struct hull_kv *b,
		    size_t nb)
{
	if (!same_int(what, na, nb) || !same_int(what, a != NULL, b != NULL))
		return false;
	for (size_t i = 0; i < na; i++)
		if (!same_str(what, a[i].key, b[i].key) || !same_str(what, a[i].value, b[i].value))
			return false;
	return true;
}

static bool same_process(const struct hull_process *a, const struct hull_process *b)
{
	const struct hull_capabilities *ca = a->caps, *cb = b->caps;
	if (!same_int("terminal", a->terminal, b->terminal) ||
	    !same_int("consoleSize.height", a->console_height, b->console_height) ||
	    !same_int("consoleSize.width", a->console_width, b->console_width) ||
	    !same_int("uid", a->uid, b->uid) || !same_int("gid", a->gid, b->gid) ||
	    !same_int("has_umask", a->has_umask, b->has_umask) ||
	    !same_int("umask", a->umask, b->umask) ||
	    !same_int("additionalGids", a->n_additional_gids, b->n_additional_gids) ||
	    !same_int("additionalGids set", a->additional_gids != NULL,
		      b->additional_gids != NULL) ||
	    !same_strv("args", a->args, b->args) || !same_strv("env", a->env, b->env) ||
	    !same_str("cwd", a->cwd, b->cwd) || !same_int("caps set", ca != NULL, cb != NULL) ||
	    !same_int("rlimits", a->n_rlimits, b->n_rlimits) ||
	    !same_int("noNewPrivileges", a->no_new_privileges, b->no_new_privileges) ||
	    !same_int("has_oom", a->has_oom_score_adj, b->has_oom_score_adj) ||
	    !same_int("oomScoreAdj", a->oom_score_adj, b->oom_score_adj) ||
	    !same_str("apparmorProfile", a->apparmor_profile, b->apparmor_profile) ||
	    !same_str("selinuxLabel", a->selinux_label, b->selinux_label))
		return false;
	for (size_t i = 0; i < a->n_additional_gids; i++)
		if (!same_int("additionalGids[]", a->additional_gids[i], b->additional_gids[i]))
			return false;
	if (ca && (!same_strv("bounding", ca->bounding, cb->bounding) ||
		   !same_strv("effective", ca->effective, cb->effective) ||
		   !same_strv("inheritable", ca->inheritable, cb->inheritable) ||
		   !same_strv("permitted", ca->permitted, cb->permitted) ||
		   !same_strv("ambient", ca->ambient, cb->ambient)))
		return false;
	for (size_t i = 0; i < a->n_rlimits; i++)
		if (!same_str("rlimit type", a->rlimits[i].type, b->rlimits[i].type) ||
		    !same_int("rlimit resource", a->rlimits[i].resource, b->rlimits[i].resource) ||
		    a->rlimits[i].soft != b->rlimits[i].soft ||
		    a->rlimits[i].hard != b->rlimits[i].hard) {
			if (!diff[0])
				snprintf(diff, sizeof(diff), "rlimit %zu values", i);
			return false;
		}
	return true;
}

static bool same_mount(const struct hull_mount *a, const struct hull_mount *b)
{
	return same_str("mount destination", a->destination, b->destination) &&
	       same_str("mount type", a->type, b->type) &&
	       same_str("mount source", a->source, b->source) &&
	       same_strv("mount options", a->options, b->options) &&
	       same_int("mount flags", (long long)a->flags, (long long)b->flags) &&
	       same_int("mount clear_flags", (long long)a->clear_flags,
			(long long)b->clear_flags) &&
	       same_int("mount propagation", (long long)a->propagation,
			(long long)b->propagation) &&
	       same_int("mount rec_attr_set", (long long)a->rec_attr_set,
			(long long)b->rec_attr_set) &&
	       same_int("mount rec_attr_clr", (long long)a->rec_attr_clr,
			(long long)b->rec_attr_clr) &&
	       same_str("mount data", a->data, b->data) && same_int("bind", a->bind, b->bind) &&
	       same_int("tmpcopyup", a->tmpcopyup, b->tmpcopyup);
}

static bool same_hooks(const char *phase, const struct hull_hook_list *a,
		       const struct hull_hook_list *b)
{
	if (!same_int(phase, a->n, b->n) || !same_int(phase, a->hooks != NULL, b->hooks != NULL))
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!same_str(phase, a->hooks[i].path, b->hooks[i].path) ||
		    !same_strv(phase, a->hooks[i].args, b->hooks[i].args) ||
		    !same_strv(phase, a->hooks[i].env, b->hooks[i].env) ||
		    !same_int(phase, a->hooks[i].timeout, b->hooks[i].timeout))
			return false;
	return true;
}

static bool same_idmaps(const char *what, const struct hull_id_map *a, size_t na,
			const struct hull_id_map *b, size_t nb)
{
	if (!same_int(what, na, nb))
		return false;
	for (size_t i = 0; i < na; i++)
		if (memcmp(&a[i], &b[i], sizeof(a[i])))
			return same_int(what, a[i].host_id, b[i].host_id) && same_int(what, 0, 1);
	return true;
}

static bool same_linux(const struct hull_linux *a, const struct hull_linux *b)
{
	if (!same_int("namespaces", a->n_namespaces, b->n_namespaces) ||
	    !same_idmaps("uidMappings", a->uid_mappings, a->n_uid_mappings, b->uid_mappings,
			 b->n_uid_mappings) ||
	    !same_idmaps("gidMappings", a->gid_mappings, a->n_gid_mappings, b->gid_mappings,
			 b->n_gid_mappings) ||
	    !same_int("devices", a->n_devices, b->n_devices) ||
	    !same_str("cgroupsPath", a->cgroups_path, b->cgroups_path) ||
	    !same_kv("sysctl", a->sysctl, a->n_sysctl, b->sysctl, b->n_sysctl) ||
	    !same_str("rootfsPropagation", a->rootfs_propagation, b->rootfs_propagation) ||
	    !same_strv("maskedPaths", a->masked_paths, b->masked_paths) ||
	    !same_strv("readonlyPaths", a->readonly_paths, b->readonly_paths) ||
	    !same_str("mountLabel", a->mount_label, b->mount_label) ||
	    !same_int("timeOffsets", a->n_time_offsets, b->n_time_offsets) ||
	    !same_tree("resources", a->resources, b->resources) ||
	    !same_tree("seccomp", a->seccomp, b->seccomp) ||
	    !same_tree("personality", a->personality, b->personality))
		return false;
	for (size_t i = 0; i < a->n_namespaces; i++)
		if (!same_int("namespace type", a->namespaces[i].type, b->namespaces[i].type) ||
		    !same_str("namespace path", a->namespaces[i].path, b->namespaces[i].path))
			return false;
	for (size_t i = 0; i < a->n_devices; i++) {
		const struct hull_device *x = &a->devices[i], *y = &b->devices[i];
		if (!same_str("device path", x->path, y->path) ||
		    !same_int("device type", x->type, y->type) ||
		    !same_int("device major", x->major, y->major) ||
		    !same_int("device minor", x->minor, y->minor) ||
		    !same_int("device mode", x->has_file_mode ? (long long)x->file_mode : -1,
			      y->has_file_mode ? (long long)y->file_mode : -1) ||
		    !same_int("device uid", x->has_uid ? (long long)x->uid : -1,
			      y->has_uid ? (long long)y->uid : -1) ||
		    !same_int("device gid", x->has_gid ? (long long)x->gid : -1,
			      y->has_gid ? (long long)y->gid : -1))
			return false;
	}
	for (size_t i = 0; i < a->n_time_offsets; i++)
		if (!same_str("clock", a->time_offsets[i].clock, b->time_offsets[i].clock) ||
		    !same_int("secs", a->time_offsets[i].secs, b->time_offsets[i].secs) ||
		    !same_int("nanosecs", a->time_offsets[i].nanosecs, b->time_offsets[i].nanosecs))
			return false;
	return true;
}

static bool same_spec(const struct hull_spec *a, const struct hull_spec *b)
{
	diff[0] = '\0';
	if (!same_str("ociVersion", a->oci_version, b->oci_version) ||
	    !same_str("root.path", a->root_path, b->root_path) ||
	    !same_int("root.readonly", a->root_readonly, b->root_readonly) ||
	    !same_str("hostname", a->hostname, b->hostname) ||
	    !same_str("domainname", a->domainname, b->domainname) ||
	    !same_int("mounts", a->n_mounts, b->n_mounts) ||
	    !same_int("process", a->process != NULL, b->process != NULL) ||
	    !same_kv("annotations", a->annotations, a->n_annotations, b->annotations,
		     b->n_annotations) ||
	    !same_int("linux", a->linux_ != NULL, b->linux_ != NULL) ||
	    !same_tree("vm", a->vm, b->vm))
		return false;
	for (size_t i = 0; i < a->n_mounts; i++)
		if (!same_mount(&a->mounts[i], &b->mounts[i]))
			return false;
	if (a->process && !same_process(a->process, b->process))
		return false;
	if (!same_hooks("prestart", &a->hooks.prestart, &b->hooks.prestart) ||
	    !same_hooks("createRuntime", &a->hooks.create_runtime, &b->hooks.create_runtime) ||
	    !same_hooks("createContainer", &a->hooks.create_container,
			&b->hooks.create_container) ||
	    !same_hooks("startContainer", &a->hooks.start_container, &b->hooks.start_container) ||
	    !same_hooks("poststart", &a->hooks.poststart, &b->hooks.poststart) ||
	    !same_hooks("poststop", &a->hooks.poststop, &b->hooks.poststop))
		return false;
	return !a->linux_ || same_linux(a->linux_, b->linux_);
}

static struct hull_spec *parse_or_fail(const char *json)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_parse(json, &err);
	if (!s)
		UNIT_FAIL("parse: %s in %.300s", err.msg, json);
	return s;
}

/* the value at a path of a document's text */
static yajl_val at(yajl_val doc, const char *const *path)
{
	return yajl_tree_get(doc, (const char **)path, yajl_t_any);
}

TEST(round_trip_keeps_the_model)
{
	struct hull_spec *a = parse_or_fail(rich), *b = NULL, *c = NULL;
	cleanup_free char *text = NULL, *again = NULL;

	if (!a)
		return;
	text = hull_spec_write(a, false);
	b = parse_or_fail(text);
	if (b && !same_spec(a, b))
		UNIT_FAIL("read -> write -> read differs: %s", diff);
	/* and the text is a fixed point: writing what was read back writes the same bytes */
	if (b) {
		again = hull_spec_write(b, true);
		c = parse_or_fail(again);
		if (c && !same_spec(a, c))
			UNIT_FAIL("pretty text differs: %s", diff);
		free(again);
		again = hull_spec_write(b, false);
		CHECK_STR_EQ(again, text);
	}
	/* the comparison itself sees a difference */
	if (b) {
		b->process->console_width = 81;
		CHECK(!same_spec(a, b));
		CHECK(strstr(diff, "consoleSize.width") != NULL);
	}
	hull_spec_free(a);
	hull_spec_free(b);
	hull_spec_free(c);
}

TEST(written_text_is_complete)
{
	struct hull_spec *s = parse_or_fail(rich);
	cleanup_free char *text = NULL;
	char ebuf[128];
	yajl_val doc;

	if (!s)
		return;
	text = hull_spec_write(s, true);
	doc = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	CHECK(doc != NULL);
	if (!doc) {
		UNIT_FAIL("not JSON: %s", ebuf);
		hull_spec_free(s);
		return;
	}
	/* the top level holds exactly the keys of the document read */
	CHECK_INT_EQ(doc->u.object.len, 11);
	{
		const char *p[] = {"process", "rlimits", NULL};
		yajl_val r = at(doc, p);
		CHECK(r && YAJL_IS_ARRAY(r) && r->u.array.len == 2);
		if (r && r->u.array.len == 2)
			CHECK_STR_EQ(sj_get(r->u.array.values[1], "soft")->u.number.r,
				     "18446744073709551615");
	}
	{
		const char *p[] = {"unknownTop", "x", NULL};
		yajl_val x = at(doc, p);
		CHECK(x && YAJL_IS_ARRAY(x) && x->u.array.len == 4);
		if (x && x->u.array.len == 4) {
			CHECK_STR_EQ(x->u.array.values[1]->u.number.r, "2.50");
			CHECK(YAJL_IS_NULL(x->u.array.values[2]));
		}
	}
	{
		const char *p1[] = {"process", "scheduler", "policy", NULL};
		const char *p2[] = {"process", "user", "username", NULL};
		const char *p3[] = {"linux", "intelRdt", "closID", NULL};
		const char *p4[] = {"linux", "resources", "cpu", "realtimeRuntime", NULL};
		const char *p5[] = {"vm", "kernel", "parameters", NULL};
		const char *p6[] = {"linux", "seccomp", "syscalls", NULL};
		const char *p7[] = {"process", "args", NULL};
		const char *p8[] = {"linux", "devices", NULL};
		yajl_val v;
		CHECK_STR_EQ(hull_json_str(at(doc, p1)), "SCHED_IDLE");
		CHECK_STR_EQ(hull_json_str(at(doc, p2)), "u");
		CHECK_STR_EQ(hull_json_str(at(doc, p3)), "c");
		v = at(doc, p4);
		CHECK(v && YAJL_IS_NUMBER(v) && !strcmp(v->u.number.r, "9223372036854775807"));
		v = at(doc, p5);
		CHECK(v && YAJL_IS_ARRAY(v) && v->u.array.len == 1);
		v = at(doc, p6);
		CHECK(v && YAJL_IS_ARRAY(v) && v->u.array.len == 1 &&
		      sj_get(v->u.array.values[0], "args") != NULL);
		v = at(doc, p7);
		CHECK(v && v->u.array.len == 3 &&
		      !strcmp(v->u.array.values[2]->u.string, "echo \"hi\" \xc3\xa9"));
		/* a pipe has no numbers; a char device has its mode and owner */
		v = at(doc, p8);
		CHECK(v && v->u.array.len == 2);
		if (v && v->u.array.len == 2) {
			CHECK(sj_get(v->u.array.values[1], "major") == NULL);
			CHECK(sj_get(v->u.array.values[0], "fileMode") != NULL);
			CHECK(sj_get(v->u.array.values[0], "uid") != NULL);
		}
	}
	{
		/* each mount keeps its own unmodeled fields; an empty option list stays one */
		const char *p[] = {"mounts", NULL};
		yajl_val m = at(doc, p);
		CHECK(m && m->u.array.len == 3);
		if (m && m->u.array.len == 3) {
			CHECK(sj_get(m->u.array.values[0], "uidMappings") == NULL);
			CHECK(sj_get(m->u.array.values[0], "options") == NULL);
			CHECK(sj_get(m->u.array.values[1], "uidMappings") != NULL);
			CHECK(sj_get(m->u.array.values[2], "options") != NULL &&
			      sj_get(m->u.array.values[2], "options")->u.array.len == 0);
			CHECK(sj_get(m->u.array.values[2], "source") == NULL);
		}
	}
	{
		const char *p1[] = {"hooks", "startContainer", NULL};
		const char *p2[] = {"linux", "timeOffsets", "boottime", "secs", NULL};
		const char *p3[] = {"annotations", "k", NULL};
		const char *p4[] = {"process", "capabilities", "inheritable", NULL};
		yajl_val v = at(doc, p1);
		CHECK(v && v->u.array.len == 1);
		v = at(doc, p2);
		CHECK(v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) == -1);
		CHECK_STR_EQ(hull_json_str(at(doc, p3)), "");
		v = at(doc, p4);
		CHECK(v && YAJL_IS_ARRAY(v) && v->u.array.len == 0);
	}
	yajl_tree_free(doc);
	hull_spec_free(s);
}

/* What `hull run` does to a spec: add, remove and change entries, set sections. */
TEST(edits_keep_what_they_do_not_touch)
{
	struct hull_spec *s = parse_or_fail(rich), *r = NULL;
	struct hull_err err = {0};
	char *opts[] = {"rbind", "ro", NULL};
	cleanup_free char *text = NULL;
	yajl_val seccomp, mem;

	if (!s)
		return;
	/* drop /data (the mount with uidMappings): its fields go with it */
	free(s->mounts[1].destination);
	free(s->mounts[1].type);
	free(s->mounts[1].source);
	hull_strv_free(s->mounts[1].options);
	free(s->mounts[1].data);
	memmove(&s->mounts[1], &s->mounts[2], 2 * sizeof(*s->mounts));
	s->n_mounts--;
	CHECK_INT_EQ(hull_spec_add_mount(s, "/vol", "bind", "/host", opts, &err), 0);
	CHECK(hull_spec_find_mount(s, "/vol") != NULL && hull_spec_find_mount(s, "/vol")->bind);
	hull_strv_push(&s->process->env, "C=3");
	free(s->hostname);
	s->hostname = NULL; /* the model owns the key: not taken back from the document */
	hull_spec_set_annotation(s, "k", "v");
	hull_spec_set_annotation(s, "new", "1");
	hull_spec_set_namespace(s, CLONE_NEWNET, "/run/netns/y");
	hull_spec_set_namespace(s, CLONE_NEWUTS, NULL);
	hull_spec_remove_namespace(s, CLONE_NEWUSER);
	/* a section the document had, replaced; another edited in place */
	seccomp = hull_tree_object();
	hull_tree_put(seccomp, "defaultAction", hull_tree_string("SCMP_ACT_LOG"));
	hull_spec_set_section(s, &s->linux_->seccomp, seccomp);
	mem = hull_tree_object();
	hull_tree_put(mem, "limit", hull_tree_int(2048));
	hull_tree_put(hull_spec_resources(s), "memory", mem);
	hull_tree_put(hull_spec_resources(s), "pids", hull_tree_object());
	hull_spec_set_section(s, &s->linux_->personality, NULL);

	text = hull_spec_write(s, false);
	r = parse_or_fail(text);
	if (!r) {
		hull_spec_free(s);
		return;
	}
	if (!same_spec(s, r))
		UNIT_FAIL("edited model read back differs: %s", diff);
	CHECK_INT_EQ(r->n_mounts, 3);
	CHECK_STR_EQ(r->mounts[1].destination, "/t");
	CHECK_STR_EQ(r->mounts[2].destination, "/vol");
	CHECK(r->mounts[2].flags & MS_RDONLY);
	CHECK(strstr(text, "\"hostID\":1000,\"size\":1}") == NULL);
	CHECK(strstr(text, "\"unknownTop\":{\"x\":[1,2.50,null,true]}") != NULL);
	CHECK(strstr(text, "\"scheduler\":{\"policy\":\"SCHED_IDLE\"}") != NULL);
	CHECK(strstr(text, "\"intelRdt\":{\"closID\":\"c\"}") != NULL);
	CHECK(strstr(text, "\"hostname\"") == NULL);
	CHECK(r->hostname == NULL);
	CHECK_STR_EQ(r->process->env[2], "C=3");
	CHECK_STR_EQ(hull_spec_annotation(r, "k"), "v");
	CHECK_STR_EQ(r->annotations[2].key, "new");
	CHECK_STR_EQ(hull_spec_namespace(r, CLONE_NEWNET)->path, "/run/netns/y");
	CHECK(hull_spec_namespace(r, CLONE_NEWUTS) != NULL);
	CHECK(hull_spec_namespace(r, CLONE_NEWUSER) == NULL);
	CHECK(hull_spec_namespace(r, CLONE_NEWNS) != NULL);
	CHECK(r->linux_->personality == NULL);
	CHECK(strstr(text, "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_LOG\"}") != NULL);
	/* the resources the document had, with the limit changed in place */
	CHECK(strstr(text, "\"memory\":{\"limit\":2048}") != NULL);
	CHECK(strstr(text, "\"unified\":{\"memory.high\":\"max\"}") != NULL);
	CHECK(strstr(text, "\"pids\":{}") != NULL);
	hull_spec_free(s);
	hull_spec_free(r);
}

TEST(specs_made_in_code_read_back)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_new(), *r = NULL;
	char *opts[] = {"nosuid", "size=1m", "rprivate", NULL};
	char *bad[] = {"nosuid", "", NULL};
	cleanup_free char *text = NULL;
	yajl_val dev, parsed;

	CHECK(hull_spec_process(s) == s->process);
	CHECK_STR_EQ(s->process->cwd, "/");
	hull_strv_push(&s->process->args, "true");
	s->root_path = xstrdup("/r");
	CHECK_INT_EQ(hull_spec_add_mount(s, "/run", "tmpfs", "tmpfs", opts, &err), 0);
	CHECK_STR_EQ(s->mounts[0].data, "size=1m");
	CHECK_INT_EQ(s->mounts[0].propagation, MS_PRIVATE | MS_REC);
	CHECK_INT_EQ(hull_spec_add_mount(s, "/x", "tmpfs", "tmpfs", bad, &err), -1);
	CHECK(strstr(err.msg, "mount `/x`: empty option") != NULL);
	s->n_mounts--; /* what failed is not kept by the caller */
	hull_strv_free(s->mounts[1].options);
	free(s->mounts[1].destination), free(s->mounts[1].type), free(s->mounts[1].source);
	free(s->mounts[1].data);
	memset(&s->mounts[1], 0, sizeof(s->mounts[1]));
	hull_spec_set_namespace(s, CLONE_NEWPID, NULL);
	dev = hull_tree_object();
	hull_tree_put(dev, "allow", hull_tree_bool(true));
	hull_tree_put(dev, "allow", hull_tree_bool(false)); /* replaced, not doubled */
	hull_tree_put(dev, "major", hull_tree_int(-5));
	hull_spec_set_section(s, &hull_spec_linux(s)->resources, hull_tree_object());
	hull_tree_put(s->linux_->resources, "devices", hull_tree_array());
	hull_tree_append(sj_get(s->linux_->resources, "devices"), dev);
	parsed = hull_tree_parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "profile", &err);
	CHECK(parsed != NULL);
	hull_spec_set_section(s, &s->linux_->seccomp, parsed);
	CHECK(hull_tree_parse("{nope", "profile.json", &err) == NULL);
	CHECK(strstr(err.msg, "profile.json: invalid JSON") != NULL);

	text = hull_spec_write(s, false);
	CHECK(strstr(text, "\"resources\":{\"devices\":[{\"allow\":false,\"major\":-5}]}") != NULL);
	r = parse_or_fail(text);
	if (r && !same_spec(s, r))
		UNIT_FAIL("model made in code read back differs: %s", diff);
	if (r) {
		CHECK_STR_EQ(r->oci_version, HULL_SPEC_OCI_VERSION);
		CHECK_STR_EQ(r->process->args[0], "true");
		CHECK(!r->process->terminal);
		CHECK(r->process->caps == NULL);
		CHECK(hull_spec_namespace(r, CLONE_NEWPID) != NULL);
	}
	hull_spec_free(s);
	hull_spec_free(r);
}

TEST(runc_defaults)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_default_runc(false, &err),
			 *rl = hull_spec_default_runc(true, &err);
	CHECK(s && rl);
	if (!s || !rl) {
		UNIT_FAIL("%s", err.msg);
		hull_spec_free(s);
		hull_spec_free(rl);
		return;
	}
	CHECK_INT_EQ(hull_strv_len(s->linux_->masked_paths), 10);
	CHECK_STR_EQ(s->linux_->masked_paths[0], "/proc/acpi");
	CHECK_STR_EQ(s->linux_->masked_paths[9], "/proc/scsi");
	CHECK_INT_EQ(hull_strv_len(s->linux_->readonly_paths), 5);
	CHECK_INT_EQ(s->n_mounts, 7);
	CHECK_STR_EQ(s->mounts[6].destination, "/sys/fs/cgroup");
	CHECK(s->mounts[0].options == NULL);
	CHECK(s->linux_->resources != NULL && rl->linux_->resources == NULL);
	CHECK(s->linux_->seccomp != NULL && rl->linux_->seccomp != NULL);
	CHECK_INT_EQ(s->process->n_rlimits, 1);
	CHECK_INT_EQ(s->process->rlimits[0].resource, RLIMIT_NOFILE);
	CHECK_INT_EQ(rl->n_mounts, 6);
	CHECK_STR_EQ(rl->mounts[5].type, "none");
	CHECK(rl->mounts[5].bind);
	CHECK(hull_spec_namespace(rl, CLONE_NEWUSER) && !hull_spec_namespace(rl, CLONE_NEWNET));
	CHECK_INT_EQ(rl->linux_->n_uid_mappings, 1);
	CHECK_INT_EQ(rl->linux_->uid_mappings[0].host_id, getuid());
	hull_spec_free(s);
	hull_spec_free(rl);
}

UNIT_MAIN()
