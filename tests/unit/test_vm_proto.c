/* SPDX-License-Identifier: Apache-2.0 */
/* The host<->guest contract (vm/proto/): the frames of the exec and terminal sessions and the
 * host's frame writer (vm/host/relay.c); records written by the host's encoder
 * (vm/host/guestcfg.c) and read back by the guest init's parser (vm/guest/config.c, compiled
 * in here: the guest init is a separate static binary); the status and control messages. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "vm/guest/config.c"
#include "vm/proto/control.h"
#include "vm/proto/proto.h"
#include "vm/host/host.h"
#include "vm/proto/records.h"
#include "vm/proto/status.h"

TEST(frame_round_trip)
{
	unsigned char buf[HULL_FRAME_HDR + 5];
	char type = 0;
	uint32_t len = 0;

	hull_frame_header(buf, HULL_F_STDIN, 5);
	memcpy(buf + HULL_FRAME_HDR, "hello", 5);
	CHECK_INT_EQ(hull_frame_parse(buf, sizeof(buf), &type, &len), (long)sizeof(buf));
	CHECK_INT_EQ(type, HULL_F_STDIN);
	CHECK_INT_EQ(len, 5);
	/* a partial frame asks for more, whatever its cut */
	for (unsigned long n = 0; n < sizeof(buf); n++)
		CHECK_INT_EQ(hull_frame_parse(buf, n, &type, &len), 0);
}

TEST(frame_garbage_and_oversize)
{
	unsigned char buf[HULL_FRAME_HDR] = {'x'};
	char type = 0;
	uint32_t len = 0;

	CHECK_INT_EQ(hull_frame_parse(buf, 1, &type, &len), -1);
	buf[0] = HULL_FRAME_MAGIC0;
	buf[1] = 'y';
	CHECK_INT_EQ(hull_frame_parse(buf, 2, &type, &len), -1);
	hull_frame_header(buf, HULL_F_STDOUT, HULL_FRAME_MAX + 1);
	CHECK_INT_EQ(hull_frame_parse(buf, sizeof(buf), &type, &len), -1);
}

TEST(send_frame_writes_one_frame)
{
	unsigned char got[64];
	char type = 0;
	uint32_t len = 0;
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(hull_vm_send_frame(sv[0], HULL_F_SIGNAL, "15", 2) == 0);
	CHECK_INT_EQ(read(sv[1], got, sizeof(got)), HULL_FRAME_HDR + 2);
	CHECK_INT_EQ(hull_frame_parse(got, HULL_FRAME_HDR + 2, &type, &len), HULL_FRAME_HDR + 2);
	CHECK_INT_EQ(type, HULL_F_SIGNAL);
	CHECK(!memcmp(got + HULL_FRAME_HDR, "15", 2));
	CHECK(hull_vm_send_frame(sv[0], HULL_F_STDIN, got, HULL_FRAME_MAX + 1) < 0);
	close(sv[0]);
	close(sv[1]);
}

/* Every kind has its own tag and 1 to HULL_REC_MAX_FIELDS fields. */
TEST(record_table_is_whole)
{
	for (int k = 0; k < HULL_REC_KINDS; k++) {
		CHECK(hull_rec_defs[k].tag != NULL);
		if (!hull_rec_defs[k].tag)
			continue;
		CHECK(hull_rec_defs[k].fields >= 1 &&
		      hull_rec_defs[k].fields <= HULL_REC_MAX_FIELDS);
		for (int j = 0; j < k; j++)
			if (hull_rec_defs[j].tag &&
			    !strcmp(hull_rec_defs[j].tag, hull_rec_defs[k].tag))
				UNIT_FAIL("tag `%s` twice", hull_rec_defs[k].tag);
	}
}

/* A spec with something for every record of /hull/config. */
static const char full_spec[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	"\"hostname\":\"box\",\"domainname\":\"example.org\","
	"\"process\":{\"terminal\":true,\"args\":[\"sh\",\"-c\",\"echo hi\"],"
	"\"env\":[\"PATH=/bin\",\"A=b c\"],\"cwd\":\"/work\","
	"\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024}],"
	"\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
	"\"permitted\":[\"CAP_KILL\"]},"
	"\"noNewPrivileges\":true,\"oomScoreAdj\":-5},"
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\","
	"\"options\":[\"nosuid\",\"noexec\"]},"
	"{\"destination\":\"/data\",\"source\":\"/srv/data\",\"options\":[\"rbind\"]},"
	"{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"mode=1777\",\"size=64k\"]}],"
	"\"linux\":{\"sysctl\":{\"kernel.msgmax\":\"8192\"},"
	"\"readonlyPaths\":[\"/proc/sys\"],\"maskedPaths\":[\"/proc/kcore\"]}}";

/* /hull/config: what the host writes for a spec is what the guest reads */
TEST(guest_config_round_trip)
{
	struct hull_err err = {0};
	struct hull_spec *spec = hull_spec_parse(full_spec, &err);
	struct guest_config c;
	size_t len;
	char *buf;

	if (!spec) {
		UNIT_FAIL("spec: %s", err.msg);
		return;
	}
	buf = hull_vm_guest_config(spec, NULL, &len, &err);
	if (!buf || guest_config_parse(buf, len, &c, &err) < 0) {
		UNIT_FAIL("round trip: %s", err.msg);
		goto out;
	}
	CHECK(c.args && c.args[0] && c.args[1] && c.args[2] && !c.args[3]);
	if (c.args && c.args[0] && c.args[1] && c.args[2])
		CHECK_STR_EQ(c.args[2], "echo hi");
	CHECK(c.env && c.env[0] && c.env[1] && !c.env[2]);
	if (c.env && c.env[0] && c.env[1])
		CHECK_STR_EQ(c.env[1], "A=b c");
	CHECK_STR_EQ(c.cwd, "/work");
	CHECK_INT_EQ(c.uid, 1000);
	CHECK_INT_EQ(c.gid, 100);
	CHECK_INT_EQ(c.umask, 18);
	CHECK_INT_EQ(c.n_gids, 2);
	if (c.n_gids == 2)
		CHECK_INT_EQ(c.gids[1], 6);
	CHECK_INT_EQ(c.n_rlimits, 1);
	if (c.n_rlimits == 1) {
		CHECK_INT_EQ(c.rlimits[0].resource, RLIMIT_NOFILE);
		CHECK_INT_EQ(c.rlimits[0].soft, 1024);
		CHECK_INT_EQ(c.rlimits[0].hard, 2048);
	}
	CHECK(c.has_caps);
	CHECK_INT_EQ(c.caps[GUEST_CAP_PERMITTED], 1ULL << 5); /* CAP_KILL */
	CHECK_INT_EQ(c.caps[GUEST_CAP_AMBIENT], 0);
	CHECK(c.no_new_privs);
	CHECK(c.has_oom_score_adj);
	CHECK_INT_EQ(c.oom_score_adj, -5);
	CHECK_STR_EQ(c.hostname, "box");
	CHECK_STR_EQ(c.domainname, "example.org");
	CHECK(c.root_readonly);
	CHECK(c.terminal);
	CHECK_INT_EQ(c.n_mounts, 3);
	if (c.n_mounts == 3) {
		CHECK_STR_EQ(c.mounts[0].dest, "/proc");
		CHECK_STR_EQ(c.mounts[0].type, "proc");
		CHECK_STR_EQ(c.mounts[0].source, "proc");
		CHECK_INT_EQ(c.mounts[0].flags, MS_NOSUID | MS_NOEXEC);
		CHECK(c.mounts[0].data == NULL);
		CHECK_STR_EQ(c.mounts[1].type, HULL_REC_MOUNT_BIND);
		CHECK_STR_EQ(c.mounts[1].source, "/srv/data");
		CHECK_STR_EQ(c.mounts[2].data, "mode=1777,size=64k");
	}
	CHECK_INT_EQ(c.n_sysctls, 1);
	if (c.n_sysctls == 1)
		CHECK_STR_EQ(c.sysctls[0].value, "8192");
	CHECK_INT_EQ(c.n_readonly_paths, 1);
	CHECK_INT_EQ(c.n_masked_paths, 1);
	CHECK(!c.seccomp && !c.nonce && !c.tty);
	guest_config_free(&c);
out:
	free(buf);
	hull_spec_free(spec);
}

/* The other side of a read-write root, no terminal, no umask, no capabilities */
TEST(guest_config_defaults_round_trip)
{
	struct hull_err err = {0};
	struct hull_spec *spec =
		hull_spec_parse("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
				"\"process\":{\"args\":[\"true\"],\"cwd\":\"/\"}}",
				&err);
	struct guest_config c;
	size_t len;
	char *buf;

	if (!spec) {
		UNIT_FAIL("spec: %s", err.msg);
		return;
	}
	buf = hull_vm_guest_config(spec, NULL, &len, &err);
	if (!buf || guest_config_parse(buf, len, &c, &err) < 0) {
		UNIT_FAIL("round trip: %s", err.msg);
		goto out;
	}
	CHECK(!c.root_readonly && !c.terminal && !c.has_caps && !c.no_new_privs);
	CHECK_INT_EQ(c.umask, -1);
	CHECK(!c.hostname && !c.domainname && !c.has_oom_score_adj);
	CHECK_INT_EQ(c.n_mounts, 0);
	guest_config_free(&c);
out:
	free(buf);
	hull_spec_free(spec);
}

/* An exec's OPEN payload (as vm/host/exec.c builds it) and /hull/net's records */
TEST(exec_request_and_net_round_trip)
{
	char *args[] = {"ls", "-l", NULL};
	struct hull_process p = {.args = args, .cwd = "/", .uid = 7};
	struct hull_vm_buf b = {0};
	struct hull_err err = {0};
	struct guest_config c;

	hull_vm_rec(&b, HULL_REC_NONCE, "abc123");
	CHECK(hull_vm_process_records(&b, &p, &err) == 0);
	hull_vm_rec(&b, HULL_REC_TTY, "24", "80");
	hull_vm_rec(&b, HULL_REC_NIC, "02:00:00:00:00:01", "eth0", "1500");
	hull_vm_rec(&b, HULL_REC_ADDR, "02:00:00:00:00:01", "10.0.0.2/24");
	hull_vm_rec(&b, HULL_REC_ROUTE, "02:00:00:00:00:01", "0.0.0.0/0", "10.0.0.1", NULL);
	if (guest_config_parse(b.p, b.len, &c, &err) < 0) {
		UNIT_FAIL("parse: %s", err.msg);
		free(b.p);
		return;
	}
	CHECK_STR_EQ(c.nonce, "abc123");
	CHECK(c.tty);
	CHECK_INT_EQ(c.rows, 24);
	CHECK_INT_EQ(c.cols, 80);
	CHECK_INT_EQ(c.uid, 7);
	CHECK(c.args && c.args[1]);
	if (c.args && c.args[1])
		CHECK_STR_EQ(c.args[1], "-l");
	CHECK_INT_EQ(c.n_nics, 1);
	CHECK_INT_EQ(c.n_addrs, 1);
	CHECK_INT_EQ(c.n_routes, 1);
	if (c.n_nics == 1 && c.n_addrs == 1 && c.n_routes == 1) {
		CHECK_STR_EQ(c.nics[0].name, "eth0");
		CHECK_INT_EQ(c.nics[0].mtu, 1500);
		CHECK_STR_EQ(c.addrs[0].cidr, "10.0.0.2/24");
		CHECK_STR_EQ(c.routes[0].gw, "10.0.0.1");
		CHECK_STR_EQ(c.routes[0].metric, ""); /* NULL is written as "" */
	}
	guest_config_free(&c);
	free(b.p);
}

/* The reader stops at what the writer would never write. */
TEST(record_reader_is_strict)
{
	static char unknown[] = "arg\0x\0bogus\0y\0";
	static char short_[] = "user\0001\0002\0";
	static char no_nul[] = {'a', 'r', 'g', 0, 'x'};
	struct hull_err err = {0};
	struct hull_rec r;
	size_t off = 0;

	CHECK_INT_EQ(hull_rec_next(unknown, sizeof(unknown) - 1, &off, &r, &err), 1);
	CHECK_INT_EQ(r.kind, HULL_REC_ARG);
	CHECK_STR_EQ(r.f[0], "x");
	CHECK_INT_EQ(hull_rec_next(unknown, sizeof(unknown) - 1, &off, &r, &err), -1);
	CHECK(strstr(err.msg, "`bogus`: unknown") != NULL);
	off = 0;
	CHECK_INT_EQ(hull_rec_next(short_, sizeof(short_) - 1, &off, &r, &err), -1);
	CHECK(strstr(err.msg, "`user`: cut short") != NULL);
	off = 0;
	CHECK_INT_EQ(hull_rec_next(no_nul, sizeof(no_nul), &off, &r, &err), -1);
	CHECK(strstr(err.msg, "NUL") != NULL);
	off = 0;
	CHECK_INT_EQ(hull_rec_next(no_nul, 0, &off, &r, &err), 0);
}

/* A record written with another number of fields than its kind has is hull's bug: it stops
 * there rather than write what the guest would misread. */
TEST(record_with_wrong_field_count_aborts)
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct hull_vm_buf b = {0};
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		hull_vm_rec(&b, HULL_REC_USER, "1", "2");
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

TEST(status_round_trip)
{
	char buf[HULL_STATUS_MAX];
	int n = -1;

	hull_status_format(buf, sizeof(buf), 143, 0);
	CHECK_STR_EQ(buf, "exit 143");
	CHECK_INT_EQ(hull_status_parse(buf, &n), HULL_STATUS_EXITED);
	CHECK_INT_EQ(n, 143);
	CHECK_INT_EQ(hull_status_format(buf, sizeof(buf), 0, 9), 8);
	CHECK_STR_EQ(buf, "signal 9");
	CHECK_INT_EQ(hull_status_parse("signal 9\n", &n), HULL_STATUS_SIGNALED);
	CHECK_INT_EQ(n, 9);
	CHECK_INT_EQ(hull_status_parse("exited 1", &n), HULL_STATUS_NONE);
}

TEST(control_round_trip)
{
	char buf[HULL_CTL_MAX];
	bool all = false;
	int sig = 0, e = 0;

	hull_ctl_kill_format(buf, sizeof(buf), 15, true);
	CHECK_STR_EQ(buf, "kill 15 1\n");
	CHECK_INT_EQ(hull_ctl_kill_parse(buf, &sig, &all), 0);
	CHECK_INT_EQ(sig, 15);
	CHECK(all);
	CHECK_INT_EQ(hull_ctl_kill_parse("kill 15", &sig, &all), -1);
	hull_ctl_reply_format(buf, sizeof(buf), 0);
	CHECK_STR_EQ(buf, "ok\n");
	CHECK_INT_EQ(hull_ctl_reply_parse(buf, &e), 0);
	hull_ctl_reply_format(buf, sizeof(buf), 3);
	CHECK_STR_EQ(buf, "error 3\n");
	CHECK_INT_EQ(hull_ctl_reply_parse(buf, &e), -1);
	CHECK_INT_EQ(e, 3);
	CHECK_INT_EQ(hull_ctl_reply_parse("what\n", &e), -2);
}

/* STARTED and ERROR answer a request by its nonce */
TEST(answer_carries_the_nonce)
{
	char buf[64];
	const char *rest;

	snprintf(buf, sizeof(buf), HULL_STARTED_FMT, "beef", 42);
	rest = hull_answer_for("beef", buf, strlen(buf));
	CHECK(rest && !strcmp(rest, "42"));
	snprintf(buf, sizeof(buf), HULL_ERROR_FMT, "beef", "exec `x`: No such file");
	rest = hull_answer_for("beef", buf, strlen(buf));
	CHECK(rest && !strcmp(rest, "exec `x`: No such file"));
	CHECK(hull_answer_for("bee", buf, strlen(buf)) == NULL);
	CHECK(hull_answer_for("beef", buf, 4) == NULL);
}

UNIT_MAIN()

/* A pod's records: the sandbox's (pod, hold), an app container's limits (cgroup), and the
 * OPEN that starts an app container (no process: it is in its config) or runs in one */
TEST(pod_records_round_trip)
{
	char *args[] = {"sh", NULL};
	struct hull_process p = {.args = args, .cwd = "/"};
	struct hull_vm_buf b = {0};
	struct hull_err err = {0};
	struct guest_config c;

	CHECK(hull_vm_process_records(&b, &p, &err) == 0);
	hull_vm_rec(&b, HULL_REC_POD, "24");
	hull_vm_rec(&b, HULL_REC_HOLD, HULL_REC_ON);
	hull_vm_rec(&b, HULL_REC_CGROUP, "memory.max", "67108864");
	hull_vm_rec(&b, HULL_REC_CGROUP, "cpu.max", "50000 100000");
	if (guest_config_parse(b.p, b.len, &c, &err) < 0) {
		UNIT_FAIL("parse: %s", err.msg);
	} else {
		CHECK_INT_EQ(c.pod_ports, 24);
		CHECK(c.hold);
		CHECK_INT_EQ(c.n_cgroups, 2);
		if (c.n_cgroups == 2) {
			CHECK_STR_EQ(c.cgroups[0].key, "memory.max");
			CHECK_STR_EQ(c.cgroups[1].value, "50000 100000");
		}
		guest_config_free(&c);
	}
	free(b.p);

	/* a number of ports the guest could not open is the host's bug */
	b = (struct hull_vm_buf){0};
	CHECK(hull_vm_process_records(&b, &p, &err) == 0);
	hull_vm_rec(&b, HULL_REC_POD, "99");
	CHECK(guest_config_parse(b.p, b.len, &c, &err) < 0);
	free(b.p);

	/* start: a nonce and the container's id (and its terminal) are the whole request */
	b = (struct hull_vm_buf){0};
	hull_vm_rec(&b, HULL_REC_NONCE, "n1");
	hull_vm_rec(&b, HULL_REC_CONTAINER, "ctr-a");
	hull_vm_rec(&b, HULL_REC_TTY, "30", "90");
	if (guest_config_parse(b.p, b.len, &c, &err) < 0) {
		UNIT_FAIL("parse a start: %s", err.msg);
	} else {
		CHECK_STR_EQ(c.container, "ctr-a");
		CHECK(c.tty && c.rows == 30 && c.cols == 90);
		CHECK(c.into == NULL);
		guest_config_free(&c);
	}
	free(b.p);

	/* exec in a container: the process, as any exec */
	b = (struct hull_vm_buf){0};
	hull_vm_rec(&b, HULL_REC_NONCE, "n2");
	hull_vm_rec(&b, HULL_REC_INTO, "ctr-a");
	CHECK(hull_vm_process_records(&b, &p, &err) == 0);
	if (guest_config_parse(b.p, b.len, &c, &err) < 0) {
		UNIT_FAIL("parse an exec: %s", err.msg);
	} else {
		CHECK_STR_EQ(c.into, "ctr-a");
		CHECK(c.container == NULL);
		CHECK(c.args && !strcmp(c.args[0], "sh"));
		guest_config_free(&c);
	}
	free(b.p);

	/* without the container and without a process: no request */
	b = (struct hull_vm_buf){0};
	hull_vm_rec(&b, HULL_REC_NONCE, "n3");
	hull_vm_rec(&b, HULL_REC_INTO, "ctr-a");
	CHECK(guest_config_parse(b.p, b.len, &c, &err) < 0);
	free(b.p);
}

/* cgroup requests on the control channel: the value may hold spaces, nothing may hold a
 * newline, the id and file no space */
TEST(control_cgroup_round_trip)
{
	char buf[HULL_CTL_MAX], *id = NULL, *file = NULL, *value = NULL;

	CHECK_INT_EQ(hull_ctl_cgroup_format(buf, sizeof(buf), "abc", "cpu.max", "50000 100000"),
		     (int)strlen("cgroup abc cpu.max 50000 100000\n"));
	CHECK_STR_EQ(buf, "cgroup abc cpu.max 50000 100000\n");
	buf[strlen(buf) - 1] = 0;
	CHECK_INT_EQ(hull_ctl_cgroup_parse(buf, &id, &file, &value), 0);
	CHECK_STR_EQ(id, "abc");
	CHECK_STR_EQ(file, "cpu.max");
	CHECK_STR_EQ(value, "50000 100000");
	CHECK_INT_EQ(hull_ctl_cgroup_format(buf, sizeof(buf), "a b", "f", "v"), -1);
	CHECK_INT_EQ(hull_ctl_cgroup_format(buf, sizeof(buf), "a", "f", "v\nkill 9 1"), -1);
	{
		char line[] = "cgroup abc";
		CHECK_INT_EQ(hull_ctl_cgroup_parse(line, &id, &file, &value), -1);
	}
	{
		char line[] = "kill 15 0";
		CHECK_INT_EQ(hull_ctl_cgroup_parse(line, &id, &file, &value), -1);
	}
}
