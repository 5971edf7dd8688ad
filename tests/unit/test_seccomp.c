/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp profiles: compile errors name the field, unknown syscalls are skipped, and a
 * loaded filter answers with the profile's errno; sysctl keys and personality parsing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/spec/spec.h"
#include "runtime/sysctl.h"
#include "tests/unit/unit.h"

static int build(const char *json, struct hull_seccomp **f, struct hull_err *err)
{
	char ebuf[256];
	yajl_val tree = yajl_tree_parse(json, ebuf, sizeof(ebuf));
	int r;
	if (!tree) {
		UNIT_FAIL("bad test JSON: %s", ebuf);
		return -1;
	}
	r = hull_seccomp_build(tree, NULL, f, err);
	yajl_tree_free(tree);
	return r;
}

/* err must name every fragment */
static void fails_with(const char *json, const char *a, const char *b)
{
	struct hull_seccomp *f = NULL;
	struct hull_err err = {0};
	if (build(json, &f, &err) == 0) {
		UNIT_FAIL("accepted: %s", json);
		hull_seccomp_free(f);
		return;
	}
	CHECK(f == NULL);
	if (!strstr(err.msg, a) || (b && !strstr(err.msg, b)))
		UNIT_FAIL("error `%s` does not name `%s`/`%s`", err.msg, a, b ? b : "");
}

/* notify rules are loaded with a listener, and need listenerPath to reach one */
TEST(notify_needs_a_listener_path)
{
	struct hull_seccomp *f = NULL;
	struct hull_err err = {0};

	CHECK(build("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/l.sock\","
		    "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		    &f, &err) == 0);
	CHECK(hull_seccomp_has_notify(f));
	hull_seccomp_free(f);
	f = NULL;
	CHECK(build("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/l.sock\"}", &f,
		    &err) == 0);
	CHECK(!hull_seccomp_has_notify(f));
	hull_seccomp_free(f);
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
		   "\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		   "SCMP_ACT_NOTIFY needs `listenerPath`", NULL);
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":7}", "listenerPath",
		   "strings");
}

TEST(compile_errors_name_the_field)
{
	fails_with("{}", "linux.seccomp.defaultAction", "required");
	fails_with("{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "linux.seccomp.defaultAction",
		   "SCMP_ACT_NOPE");
	fails_with("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY", NULL);
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
		   "linux.seccomp.defaultAction", "errno");
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		   "\"SCMP_ARCH_VAX\"]}",
		   "linux.seccomp.architectures[1]", "SCMP_ARCH_VAX");
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]}",
		   "linux.seccomp.flags[0]", "SECCOMP_FILTER_FLAG_X");
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		   "\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"write\"],\"action\":\"KILL\"}]}",
		   "linux.seccomp.syscalls[1].action", "KILL");
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],"
		   "\"action\":\"SCMP_ACT_ERRNO\"}]}",
		   "linux.seccomp.syscalls[0].names", NULL);
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		   "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":7,\"value\":1,"
		   "\"op\":\"SCMP_CMP_EQ\"}]}]}",
		   "linux.seccomp.syscalls[0].args[0].index", NULL);
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		   "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,"
		   "\"op\":\"SCMP_CMP_SIMILAR\"}]}]}",
		   "linux.seccomp.syscalls[0].args[0].op", "SCMP_CMP_SIMILAR");
	fails_with("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		   "\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":3}]}",
		   "linux.seccomp.syscalls[0].action", NULL);
}

TEST(absent_section_is_no_filter)
{
	struct hull_seccomp *f = (struct hull_seccomp *)1;
	struct hull_err err = {0};
	CHECK_INT_EQ(hull_seccomp_build(NULL, NULL, &f, &err), 0);
	CHECK(f == NULL);
	CHECK_INT_EQ(hull_seccomp_load(NULL, &err), 0);
}

/* Load the filter in a child (with no_new_privs, so no privilege is needed) and report
 * what mkdirat and getppid returned there. */
static int run_child(struct hull_seccomp *f, int *mkdir_errno)
{
	int pipefd[2], st = 0, e = 0;
	pid_t pid;
	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct hull_err err = {0};
		close(pipefd[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || hull_seccomp_load(f, &err) < 0)
			_exit(2);
		e = mkdirat(AT_FDCWD, "/nonexistent-dir-hull/x", 0700) < 0 ? errno : 0;
		if (write(pipefd[1], &e, sizeof(e)) != sizeof(e))
			_exit(3);
		_exit(getppid() > 0 ? 0 : 4);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &e, sizeof(e)) != sizeof(e))
		e = -1;
	close(pipefd[0]);
	waitpid(pid, &st, 0);
	*mkdir_errno = e;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST(unknown_syscalls_skipped_and_errno_ret_applied)
{
	struct hull_seccomp *f = NULL;
	struct hull_err err = {0};
	int e = 0;
	int r = build("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":"
		      "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
		      "\"syscalls\":[{\"names\":[\"hull_not_a_syscall\",\"mkdirat\",\"mkdir\"],"
		      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":28},"
		      "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
		      &f, &err);
	if (r < 0) {
		UNIT_FAIL("build: %s", err.msg);
		return;
	}
	CHECK(f != NULL);
	CHECK_INT_EQ(run_child(f, &e), 0);
	CHECK_INT_EQ(e, ENOSPC);
	hull_seccomp_free(f);
}

TEST(argument_conditions_same_index_are_ored)
{
	struct hull_seccomp *f = NULL;
	struct hull_err err = {0};
	int e = 0;
	/* mode 0700 matches one of two conditions on argument 2 */
	int r = build("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
		      "[\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":["
		      "{\"index\":2,\"value\":448,\"op\":\"SCMP_CMP_EQ\"},"
		      "{\"index\":2,\"value\":420,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		      &f, &err);
	if (r < 0) {
		UNIT_FAIL("build: %s", err.msg);
		return;
	}
	CHECK_INT_EQ(run_child(f, &e), 0);
	CHECK_INT_EQ(e, EIO);
	hull_seccomp_free(f);
	/* a masked comparison that does not match leaves the call alone */
	r = build("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
		  "[\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":["
		  "{\"index\":2,\"value\":7,\"valueTwo\":1,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
		  &f, &err);
	CHECK_INT_EQ(r, 0);
	CHECK_INT_EQ(run_child(f, &e), 0);
	CHECK_INT_EQ(e, ENOENT);
	hull_seccomp_free(f);
}

static struct hull_spec *spec_with(const char *linux_json)
{
	char buf[2048];
	struct hull_err err = {0};
	struct hull_spec *s;
	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{"
		 "\"args\":[\"sh\"],\"cwd\":\"/\"},\"linux\":%s}",
		 linux_json);
	s = hull_spec_parse(buf, &err);
	if (!s)
		UNIT_FAIL("parse: %s", err.msg);
	return s;
}

static void sysctl_case(const char *linux_json, const char *fragment)
{
	struct hull_err err = {0};
	struct hull_spec *s = spec_with(linux_json);
	int r;
	if (!s)
		return;
	r = hull_sysctl_check(s, &err);
	if (!fragment && r < 0)
		UNIT_FAIL("refused %s: %s", linux_json, err.msg);
	if (fragment && (r == 0 || !strstr(err.msg, fragment)))
		UNIT_FAIL("%s: got `%s`, expected `%s`", linux_json, err.msg, fragment);
	hull_spec_free(s);
}

TEST(sysctl_keys_need_their_namespace)
{
	sysctl_case("{\"namespaces\":[{\"type\":\"network\"}],\"sysctl\":"
		    "{\"net.ipv4.ip_forward\":\"1\"}}",
		    NULL);
	sysctl_case("{\"namespaces\":[{\"type\":\"mount\"}],\"sysctl\":"
		    "{\"net.ipv4.ip_forward\":\"1\"}}",
		    "net.ipv4.ip_forward");
	sysctl_case("{\"namespaces\":[{\"type\":\"ipc\"}],\"sysctl\":{\"kernel.shmmax\":\"1\","
		    "\"fs.mqueue.msg_max\":\"5\"}}",
		    NULL);
	sysctl_case(
		"{\"namespaces\":[{\"type\":\"network\"}],\"sysctl\":{\"kernel.msgmax\":\"1\"}}",
		"kernel.msgmax");
	sysctl_case(
		"{\"namespaces\":[{\"type\":\"uts\"}],\"sysctl\":{\"kernel.domainname\":\"x\"}}",
		NULL);
	sysctl_case("{\"namespaces\":[{\"type\":\"ipc\"}],\"sysctl\":{\"kernel.hostname\":\"x\"}}",
		    "kernel.hostname");
	/* the hostname has a field of its own: refused even with a UTS namespace, as runc and
	 * crun refuse it */
	sysctl_case("{\"namespaces\":[{\"type\":\"uts\"}],\"sysctl\":{\"kernel.hostname\":\"x\"}}",
		    "conflicts with the `hostname` field");
	sysctl_case(
		"{\"namespaces\":[{\"type\":\"ipc\"},{\"type\":\"network\"},{\"type\":\"uts\"}],"
		"\"sysctl\":{\"vm.swappiness\":\"1\"}}",
		"vm.swappiness");
	sysctl_case("{\"namespaces\":[{\"type\":\"network\"}],\"sysctl\":{\"net/../x\":\"1\"}}",
		    "net/../x");
	/* joining the runtime's own network namespace is the host's */
	sysctl_case("{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}],"
		    "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}",
		    "net.ipv4.ip_forward");
}

/* dockerd sets the domainname through the sysctl (runc and crun accept it); only a
 * `domainname` field that says otherwise conflicts */
TEST(sysctl_domainname_against_the_field)
{
	struct hull_spec *s = spec_with("{\"namespaces\":[{\"type\":\"uts\"}],"
					"\"sysctl\":{\"kernel.domainname\":\"x\"}}");
	struct hull_err err = {0};
	if (!s)
		return;
	CHECK(hull_sysctl_check(s, &err) == 0);
	s->domainname = xstrdup("x");
	CHECK(hull_sysctl_check(s, &err) == 0);
	free(s->domainname);
	s->domainname = xstrdup("y");
	CHECK(hull_sysctl_check(s, &err) < 0);
	CHECK(strstr(err.msg, "conflicts with the `domainname` field") != NULL);
	hull_spec_free(s);
}

TEST(personality_parse)
{
	struct hull_spec *s = spec_with("{\"personality\":{\"domain\":\"LINUX32\",\"flags\":"
					"[\"ADDR_NO_RANDOMIZE\"]}}");
	struct hull_err err = {0};
	unsigned long p = 0;
	bool set = false;
	if (!s)
		return;
	CHECK_INT_EQ(hull_personality_parse(s->linux_->personality, &p, &set, &err), 0);
	CHECK(set);
	CHECK_INT_EQ(p, PER_LINUX32 | ADDR_NO_RANDOMIZE);
	hull_spec_free(s);
	s = spec_with("{\"personality\":{\"domain\":\"SVR4\"}}");
	CHECK_INT_EQ(hull_personality_parse(s->linux_->personality, &p, &set, &err), -1);
	CHECK(strstr(err.msg, "linux.personality.domain") && strstr(err.msg, "SVR4"));
	hull_spec_free(s);
	CHECK_INT_EQ(hull_personality_parse(NULL, &p, &set, &err), 0);
	CHECK(!set);
}

TEST(default_spec_profile_compiles)
{
	for (int rootless = 0; rootless < 2; rootless++) {
		struct hull_err err = {0};
		struct hull_spec *d = hull_spec_default_runc(rootless, &err);
		char *json = d ? hull_spec_write(d, true) : xstrdup("");
		struct hull_spec *s = hull_spec_parse(json, &err);
		struct hull_seccomp *f = NULL;
		yajl_val def;
		const char *path[] = {"defaultAction", NULL};
		free(json);
		hull_spec_free(d);
		if (!s) {
			UNIT_FAIL("parse: %s", err.msg);
			return;
		}
		CHECK(s->linux_->seccomp != NULL);
		def = yajl_tree_get(s->linux_->seccomp, path, yajl_t_string);
		CHECK_STR_EQ(def ? YAJL_GET_STRING(def) : NULL, "SCMP_ACT_ERRNO");
		if (hull_seccomp_build(s->linux_->seccomp, NULL, &f, &err) < 0)
			UNIT_FAIL("build: %s", err.msg);
		hull_seccomp_free(f);
		hull_spec_free(s);
	}
}

UNIT_MAIN()

/* --- the cache of compiled filters (runtime/seccomp_cache.c) --- */

static const char *const deny_mkdir =
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	"\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":7}]}";

static struct hull_seccomp *build_cached(const char *root, const char *json)
{
	struct hull_seccomp *f = NULL;
	struct hull_err err = {0};
	yajl_val tree = yajl_tree_parse(json, NULL, 0);
	if (!tree || hull_seccomp_build(tree, root, &f, &err) < 0 || !f)
		UNIT_FAIL("build: %s", err.msg);
	yajl_tree_free(tree);
	return f;
}

static bool same_program(const struct hull_seccomp *a, const struct hull_seccomp *b)
{
	size_t na, nb;
	unsigned int fa, fb;
	const struct sock_filter *pa = hull_seccomp_program(a, &na, &fa);
	const struct sock_filter *pb = hull_seccomp_program(b, &nb, &fb);
	return na == nb && fa == fb && !memcmp(pa, pb, na * 8);
}

/* the one entry in root/.seccomp (there must be exactly one) */
static char *only_entry(const char *root)
{
	char *dir = hull_strfmt("%s/.seccomp", root), *path = NULL;
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			free(path);
			path = hull_strfmt("%s/%s", dir, de->d_name);
			n++;
		}
	if (d)
		closedir(d);
	free(dir);
	if (n != 1)
		UNIT_FAIL("%d cache entries, expected 1", n);
	return path;
}

static void edit_entry(const char *path, off_t off_from_end, const char *bytes, size_t n)
{
	int fd = open(path, O_RDWR);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 ||
	    pwrite(fd, bytes, n, st.st_size - off_from_end) != (ssize_t)n)
		UNIT_FAIL("edit %s", path);
	if (fd >= 0)
		close(fd);
}

TEST(cache_gives_the_compiled_program_back)
{
	char root[] = "/tmp/hull-unit-scache.XXXXXX";
	struct hull_seccomp *fresh, *again, *other, *after;
	char *entry;

	if (!mkdtemp(root)) {
		UNIT_FAIL("mkdtemp");
		return;
	}
	fresh = build_cached(root, deny_mkdir);
	entry = only_entry(root);
	again = build_cached(root, deny_mkdir);
	if (fresh && again)
		CHECK(same_program(fresh, again));
	/* the entry is what the second build used: a program changed in it comes back */
	edit_entry(entry, 8, "\x06\x00\x00\x00\x63\x00\x05\x00", 8); /* last: ERRNO(99) */
	after = build_cached(root, deny_mkdir);
	if (fresh && after)
		CHECK(!same_program(fresh, after));
	hull_seccomp_free(after);
	/* an entry cut short, or whose profile text differs, is not used and is replaced */
	if (truncate(entry, 40) < 0)
		UNIT_FAIL("truncate");
	after = build_cached(root, deny_mkdir);
	if (fresh && after)
		CHECK(same_program(fresh, after));
	hull_seccomp_free(after);
	{
		struct stat st;
		CHECK(stat(entry, &st) == 0 && st.st_size > 40);
	}
	{
		/* flip one byte of the stored profile text: "mkdir" -> "mkdis" */
		int fd = open(entry, O_RDWR);
		char buf[8192];
		ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf), 0) : -1;
		char *p = n > 0 ? memmem(buf, (size_t)n, "mkdir", 5) : NULL;
		if (!p || pwrite(fd, "s", 1, p - buf + 4) != 1)
			UNIT_FAIL("edit the profile text");
		/* and change its program: used, it would show */
		if (fd >= 0)
			close(fd);
		edit_entry(entry, 8, "\x06\x00\x00\x00\x63\x00\x05\x00", 8);
	}
	after = build_cached(root, deny_mkdir);
	if (fresh && after)
		CHECK(same_program(fresh, after));
	hull_seccomp_free(after);
	/* an entry others may write to is not trusted, nor one in a directory they may */
	edit_entry(entry, 8, "\x06\x00\x00\x00\x63\x00\x05\x00", 8);
	CHECK(chmod(entry, 0646) == 0);
	after = build_cached(root, deny_mkdir);
	if (fresh && after)
		CHECK(same_program(fresh, after));
	hull_seccomp_free(after);
	edit_entry(entry, 8, "\x06\x00\x00\x00\x63\x00\x05\x00", 8);
	{
		char *dir = hull_strfmt("%s/.seccomp", root);
		CHECK(chmod(dir, 0777) == 0);
		after = build_cached(root, deny_mkdir);
		if (fresh && after)
			CHECK(same_program(fresh, after));
		hull_seccomp_free(after);
		CHECK(chmod(dir, 0700) == 0);
		free(dir);
	}
	/* another profile, another entry */
	other = build_cached(root, "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
	if (fresh && other)
		CHECK(!same_program(fresh, other));
	hull_seccomp_free(other);
	{
		char *cmd =
			hull_strfmt("ls %s/.seccomp | wc -l | grep -qx 2 && rm -rf %s", root, root);
		CHECK(system(cmd) == 0);
		free(cmd);
	}
	free(entry);
	hull_seccomp_free(fresh);
	hull_seccomp_free(again);
}
