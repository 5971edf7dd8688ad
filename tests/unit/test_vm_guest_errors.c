/* SPDX-License-Identifier: Apache-2.0 */
/* The guest init's failures carry their context up as a struct hull_err to the one place
 * that tells them and picks the status (vm/guest/): a process that cannot start reports why on
 * its error pipe and ends with 125 (setup), 127 (not found) or 126 (cannot run), the statuses
 * the host passes on; a bad sysctl or a malformed /hull/config says which.  The guest's files
 * are compiled in here: the guest init is a separate static binary. */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "vm/guest/config.c"
#include "vm/guest/masks.c"
#include "vm/guest/security.c"
#include "vm/guest/mounts.c"
#include "vm/guest/pod.c"
#include "vm/guest/session.c"
#include "vm/guest/workload.c"

/* init.c's, which holds main */
int guest_log_fd = -1;
void guest_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* guest_become in a child, as session.c runs an exec: its status and what it wrote on the
 * error pipe (empty when the exec happened). */
static int run_become(const struct guest_config *c, char *msg, size_t size)
{
	int ep[2], st = -1, null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ssize_t n;
	pid_t pid;

	msg[0] = 0;
	if (null < 0 || pipe2(ep, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		guest_become(c, null, null, null, false, ep[1]);
	close(ep[1]);
	n = read(ep[0], msg, size - 1);
	msg[n > 0 ? n : 0] = 0;
	close(ep[0]);
	close(null);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* guest_become sets the groups, which needs root */
static bool as_root(void)
{
	if (getuid() == 0)
		return true;
	printf("# skipped: guest_become needs root\n");
	return false;
}

static struct guest_config process(char **args, const char *cwd)
{
	static char *env[] = {"PATH=/nonexistent-dir:/bin:/usr/bin", NULL};
	struct guest_config c = {.args = args, .env = env, .umask = -1};
	c.cwd = (char *)cwd;
	c.uid = getuid();
	c.gid = getgid();
	return c;
}

TEST(exec_statuses_and_reasons)
{
	char *missing[] = {"hull-no-such-command", NULL}, *ok[] = {"true", NULL};
	char msg[HULL_ERR_MAX], notexec[] = "/tmp/hull-test-notexec-XXXXXX", *noexec[2];
	struct guest_config c;
	int fd;

	if (!as_root())
		return;
	c = process(ok, "/");
	CHECK_INT_EQ(run_become(&c, msg, sizeof(msg)), 0);
	CHECK_STR_EQ(msg, "");

	c = process(missing, "/");
	CHECK_INT_EQ(run_become(&c, msg, sizeof(msg)), HULL_EXIT_NOT_FOUND);
	CHECK_STR_EQ(msg, "exec `hull-no-such-command`: no such file or directory");

	fd = mkstemp(notexec);
	CHECK(fd >= 0);
	if (fd >= 0) {
		close(fd);
		chmod(notexec, 0644);
		noexec[0] = notexec;
		noexec[1] = NULL;
		c = process(noexec, "/");
		/* root may read it, but nobody execs a file without an x bit */
		CHECK_INT_EQ(run_become(&c, msg, sizeof(msg)), HULL_EXIT_CANNOT_RUN);
		CHECK(strstr(msg, "permission denied") != NULL);
		unlink(notexec);
	}

	c = process(ok, "/hull-no-such-dir");
	CHECK_INT_EQ(run_become(&c, msg, sizeof(msg)), HULL_EXIT_ERROR);
	CHECK_STR_EQ(msg, "cwd `/hull-no-such-dir`: No such file or directory");
}

TEST(setup_failures_say_what)
{
	char *ok[] = {"true", NULL}, msg[HULL_ERR_MAX];
	struct guest_rlimit bad = {.resource = 999, .soft = 1, .hard = 1};
	struct guest_config c = process(ok, "/");

	if (!as_root())
		return;
	c.rlimits = &bad;
	c.n_rlimits = 1;
	CHECK_INT_EQ(run_become(&c, msg, sizeof(msg)), HULL_EXIT_ERROR);
	CHECK_STR_EQ(msg, "set rlimit 999: Invalid argument");
}

TEST(sysctl_name_is_checked)
{
	struct guest_kv kv = {"kernel/../x", "1"};
	struct guest_config c = {.sysctls = &kv, .n_sysctls = 1};
	struct hull_err err = {0};

	CHECK(guest_masks_apply(&c, &err) < 0);
	CHECK_STR_EQ(err.msg, "sysctl `kernel/../x`: not a sysctl name");
}

TEST(config_load_names_the_file)
{
	char path[] = "/tmp/hull-test-config-XXXXXX";
	static const char bad[] = "arg\0true\0cwd\0/\0bogus\0";
	struct hull_err err = {0};
	struct guest_config c;
	int fd = mkstemp(path);

	CHECK(guest_config_load("/hull-no-such-config", "/nonexistent", &c, &err) < 0);
	CHECK_STR_EQ(err.msg, "open `/hull-no-such-config`: No such file or directory");
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, bad, sizeof(bad) - 1) == sizeof(bad) - 1);
	close(fd);
	CHECK(guest_config_load(path, "/nonexistent", &c, &err) < 0);
	CHECK(strstr(err.msg, path) == err.msg + 1); /* "`PATH`: record `bogus`: unknown" */
	CHECK(strstr(err.msg, "record `bogus`: unknown") != NULL);
	unlink(path);
}

UNIT_MAIN()
