/* SPDX-License-Identifier: Apache-2.0 */
/* The process's security settings on their way into the VM guest: capability names turned
 * into masks and the compiled seccomp filter encoded by the host (vm/guestcfg.c), parsed back
 * by the guest init's parser (vm/guest/config.c), and applied by the guest's code
 * (vm/guest/security.c) in a forked child.  The guest's files are compiled in here: the guest
 * init is a separate static binary. */
#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "runtime/caps.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/seccomp/seccomp_default.h"
#include "tests/unit/unit.h"
#include "vm/guest/config.c"
#include "vm/guest/security.c"
#include "vm/host/host.h"

#define CAP(n) (1ULL << (n))

static struct hull_seccomp *build(const char *json)
{
	struct hull_seccomp *f = NULL;
	struct hull_err err = {0};
	char ebuf[256];
	yajl_val tree = yajl_tree_parse(json, ebuf, sizeof(ebuf));

	if (!tree || hull_seccomp_build(tree, NULL, &f, &err) < 0)
		UNIT_FAIL("filter: %s%s", tree ? "" : ebuf, err.msg);
	yajl_tree_free(tree);
	return f;
}

/* mkdir(2) fails with EPERM, everything else is allowed */
static const char *const deny_mkdir =
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	"\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";

static char *strv[8][4] = {
	{"CAP_CHOWN", "CAP_KILL", NULL},
	{"CAP_KILL", "CAP_NET_RAW", NULL},
	{"CAP_KILL", NULL},
};

/* host records -> the guest's parser */
static char *records(const struct hull_process *p, const struct hull_seccomp *f, size_t *len)
{
	struct hull_vm_buf b = {0};
	struct hull_err err = {0};

	hull_vm_rec(&b, HULL_REC_ARG, "true");
	hull_vm_rec(&b, HULL_REC_CWD, "/");
	if (hull_vm_process_records(&b, p, &err) < 0)
		UNIT_FAIL("records: %s", err.msg);
	if (f)
		hull_vm_seccomp_record(&b, f);
	*len = b.len;
	return b.p;
}

TEST(caps_nnp_and_filter_round_trip)
{
	struct hull_capabilities caps = {
		.bounding = strv[0],
		.effective = strv[0],
		.permitted = strv[0],
		.inheritable = strv[2],
		.ambient = strv[1], /* CAP_NET_RAW is not permitted: left out */
	};
	struct hull_process p = {.caps = &caps, .no_new_privileges = true};
	struct hull_seccomp *f = build(deny_mkdir);
	const struct sock_filter *prog;
	struct hull_err err = {0};
	struct guest_config c;
	unsigned int flags;
	size_t len, n;
	char *buf;

	if (!f)
		return;
	buf = records(&p, f, &len);
	if (guest_config_parse(buf, len, &c, &err) < 0) {
		UNIT_FAIL("guest parse: %s", err.msg);
		goto out;
	}
	CHECK(c.has_caps);
	CHECK_INT_EQ(c.caps[GUEST_CAP_BOUNDING], CAP(CAP_CHOWN) | CAP(CAP_KILL));
	CHECK_INT_EQ(c.caps[GUEST_CAP_EFFECTIVE], CAP(CAP_CHOWN) | CAP(CAP_KILL));
	CHECK_INT_EQ(c.caps[GUEST_CAP_PERMITTED], CAP(CAP_CHOWN) | CAP(CAP_KILL));
	CHECK_INT_EQ(c.caps[GUEST_CAP_INHERITABLE], CAP(CAP_KILL));
	CHECK_INT_EQ(c.caps[GUEST_CAP_AMBIENT], CAP(CAP_KILL));
	CHECK(c.no_new_privs);
	prog = hull_seccomp_program(f, &n, &flags);
	CHECK(c.seccomp != NULL);
	if (c.seccomp) {
		CHECK_INT_EQ(c.seccomp->len, n);
		CHECK_INT_EQ(c.seccomp->flags, flags);
		CHECK(!memcmp(c.seccomp->insns, prog, n * sizeof(*prog)));
	}
	guest_config_free(&c);
out:
	free(buf);
	hull_seccomp_free(f);
}

TEST(no_caps_section_no_records)
{
	struct hull_process p = {0};
	struct hull_err err = {0};
	struct guest_config c;
	size_t len;
	char *buf = records(&p, NULL, &len);

	CHECK(guest_config_parse(buf, len, &c, &err) == 0);
	CHECK(!c.has_caps && !c.no_new_privs && !c.seccomp);
	guest_config_free(&c);
	free(buf);
}

/* as runc and crun: a name the host does not know is left out, the others apply */
TEST(unknown_capability_is_left_out)
{
	char *bad[] = {"CAP_CHOWN", "CAP_NOPE", "cap_kill", NULL};
	struct hull_capabilities caps = {.effective = bad, .permitted = bad};
	struct hull_process p = {.caps = &caps};
	struct guest_config c;
	struct hull_err err = {0};
	size_t len;
	char *buf = records(&p, NULL, &len);

	CHECK(guest_config_parse(buf, len, &c, &err) == 0);
	CHECK(c.has_caps);
	CHECK_INT_EQ(c.caps[GUEST_CAP_EFFECTIVE], CAP(CAP_CHOWN));
	CHECK_INT_EQ(c.caps[GUEST_CAP_PERMITTED], CAP(CAP_CHOWN));
	guest_config_free(&c);
	free(buf);
}

static void rejected(const char *rec, size_t len, const char *why_part)
{
	char *buf = malloc(len + 32);
	struct hull_err err = {0};
	struct guest_config c;
	size_t n;

	static const char head[] = "arg\0true\0cwd\0/"; /* and its own NUL */

	memcpy(buf, head, sizeof(head));
	n = sizeof(head);
	memcpy(buf + n, rec, len);
	n += len;
	if (guest_config_parse(buf, n, &c, &err) == 0) {
		UNIT_FAIL("accepted: %s", rec);
		guest_config_free(&c);
	} else if (!strstr(err.msg, why_part)) {
		UNIT_FAIL("`%s` does not say `%s`", err.msg, why_part);
	}
	free(buf);
}

/* linux.sysctl, readonlyPaths, maskedPaths and process.oomScoreAdj reach the guest as the spec
 * has them, in order */
TEST(paths_sysctl_and_oom_round_trip)
{
	struct hull_err err = {0};
	struct hull_spec *s = hull_spec_parse(
		"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"true\"],\"cwd\":\"/\","
		"\"oomScoreAdj\":-17},\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
		"\"readonlyPaths\":[\"/proc/sys\",\"/proc/bus\"],"
		"\"maskedPaths\":[\"/proc/kcore\",\"/sys/firmware\",\"/secret\"]}}",
		&err);
	struct guest_config c;
	size_t len;
	char *buf;

	if (!s) {
		UNIT_FAIL("spec: %s", err.msg);
		return;
	}
	buf = hull_vm_guest_config(s, NULL, &len, &err);
	if (!buf || guest_config_parse(buf, len, &c, &err) < 0) {
		UNIT_FAIL("round trip: %s", err.msg);
		goto out;
	}
	CHECK(c.has_oom_score_adj);
	CHECK_INT_EQ(c.oom_score_adj, -17);
	CHECK_INT_EQ(c.n_sysctls, 1);
	if (c.n_sysctls == 1) {
		CHECK_STR_EQ(c.sysctls[0].key, "net.ipv4.ip_forward");
		CHECK_STR_EQ(c.sysctls[0].value, "1");
	}
	CHECK_INT_EQ(c.n_readonly_paths, 2);
	CHECK_INT_EQ(c.n_masked_paths, 3);
	if (c.n_readonly_paths == 2 && c.n_masked_paths == 3) {
		CHECK_STR_EQ(c.readonly_paths[1], "/proc/bus");
		CHECK_STR_EQ(c.masked_paths[0], "/proc/kcore");
		CHECK_STR_EQ(c.masked_paths[2], "/secret");
	}
	guest_config_free(&c);
out:
	free(buf);
	hull_spec_free(s);
}

#define REJECTED(lit, why) rejected(lit, sizeof(lit) - 1, why)

TEST(guest_rejects_malformed_records)
{
	REJECTED("caps\0"
		 "21\0"
		 "21\0"
		 "x1\0"
		 "0\0"
		 "0\0",
		 "caps");
	REJECTED("caps\0"
		 "21\0"
		 "21\0"
		 "\0"
		 "0\0"
		 "0\0",
		 "caps");
	REJECTED("caps\0"
		 "11112222333344445\0"
		 "0\0"
		 "0\0"
		 "0\0"
		 "0\0",
		 "caps");
	REJECTED("caps\0"
		 "21\0"
		 "21\0",
		 "cut short");
	REJECTED("seccomp\0"
		 "0\0"
		 "0600\0",
		 "seccomp"); /* not a whole instruction */
	REJECTED("seccomp\0"
		 "0\0"
		 "\0",
		 "seccomp"); /* empty program */
	REJECTED("seccomp\0"
		 "x\0"
		 "0600000000000000\0",
		 "seccomp"); /* flags */
	REJECTED("seccomp\0"
		 "0\0"
		 "06000000000000zz\0",
		 "seccomp"); /* not hex */
	REJECTED("sekcomp\0"
		 "0\0",
		 "unknown");
	REJECTED("oom\0"
		 "1001\0",
		 "oom");
	REJECTED("oom\0"
		 "\0",
		 "oom");
	REJECTED("sysctl\0"
		 "net.ipv4.ip_forward\0",
		 "cut short");
}

/* docker's default profile, as `hull-oci spec` writes it, compiles to a program the guest
 * takes (it travels in /hull/config, not in a 16 KiB exec frame) */
TEST(default_profile_fits)
{
	static const char *const caps[] = {"CAP_CHOWN", "CAP_KILL", NULL};
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *json;
	struct hull_seccomp *f;
	struct guest_config c;
	char *buf, *obj;
	size_t len, glen, n;
	unsigned int flags;

	yajl_gen_map_open(g);
	hull_seccomp_default_gen(g, caps);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &json, &glen);
	/* {"seccomp": {...}} -> {...} */
	obj = strndup((const char *)json + strlen("{\"seccomp\":"),
		      glen - strlen("{\"seccomp\":") - 1);
	f = build(obj);
	if (f) {
		hull_seccomp_program(f, &n, &flags);
		CHECK(n > 100 && n <= 4096);
		buf = records(&(struct hull_process){0}, f, &len);
		CHECK(guest_config_parse(buf, len, &c, NULL) == 0);
		CHECK(c.seccomp && c.seccomp->len == n);
		guest_config_free(&c);
		free(buf);
		hull_seccomp_free(f);
	}
	free(obj);
	yajl_gen_free(g);
}

static unsigned long long status_hex(const char *field)
{
	char line[256];
	unsigned long long v = ~0ULL;
	FILE *s = fopen("/proc/self/status", "r");

	while (s && fgets(line, sizeof(line), s))
		if (!strncmp(line, field, strlen(field)))
			v = strtoull(line + strlen(field) + 1, NULL, 16);
	if (s)
		fclose(s);
	return v;
}

/* The guest's code in a child: bounding, the uid change with kept capabilities, the sets,
 * ambient, no_new_privs and the filter; exit code = the first check that failed. */
static int child(const struct guest_config *c)
{
	struct hull_err err = {0};

	if (guest_security_before_user(c, &err) < 0)
		return fprintf(stderr, "%s\n", err.msg), 10;
	if (setgid(1000) < 0 || setuid(1000) < 0)
		return 11;
	if (guest_security_after_user(c, &err) < 0)
		return fprintf(stderr, "%s\n", err.msg), 12;
	if (guest_security_last(c, &err) < 0)
		return fprintf(stderr, "%s\n", err.msg), 13;
	if (status_hex("CapBnd:") != (CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_KILL)))
		return 20;
	if (status_hex("CapEff:") != CAP(CAP_NET_BIND_SERVICE) ||
	    status_hex("CapPrm:") != CAP(CAP_NET_BIND_SERVICE) ||
	    status_hex("CapInh:") != CAP(CAP_NET_BIND_SERVICE) ||
	    status_hex("CapAmb:") != CAP(CAP_NET_BIND_SERVICE))
		return 21;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 22;
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
		return 23;
	if (mkdir("/tmp/hull-unit-never", 0700) == 0 || errno != EPERM)
		return 24;
	return 0;
}

TEST(guest_applies_caps_nnp_and_filter)
{
	struct hull_seccomp *f;
	struct guest_config c = {0};
	size_t n;
	unsigned int flags;
	int st = 0;
	pid_t pid;

	if (geteuid() != 0)
		return; /* needs CAP_SETUID and a bounding set to drop from */
	f = build(deny_mkdir);
	if (!f)
		return;
	c.has_caps = true;
	c.caps[GUEST_CAP_BOUNDING] = CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_KILL);
	c.caps[GUEST_CAP_EFFECTIVE] = c.caps[GUEST_CAP_PERMITTED] = c.caps[GUEST_CAP_INHERITABLE] =
		c.caps[GUEST_CAP_AMBIENT] = CAP(CAP_NET_BIND_SERVICE);
	c.no_new_privs = true;
	c.seccomp = &(struct guest_seccomp){0};
	c.seccomp->insns = (void *)hull_seccomp_program(f, &n, &flags);
	c.seccomp->len = (unsigned short)n;
	c.seccomp->flags = flags;
	pid = fork();
	if (pid == 0)
		_exit(child(&c));
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st));
	CHECK_INT_EQ(WEXITSTATUS(st), 0);
	hull_seccomp_free(f);
}

UNIT_MAIN()
