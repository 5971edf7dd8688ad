/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bridge network's traffic out is masqueraded by one rule per network in the nat table's
 * POSTROUTING chain, "-s SUBNET ! -o BRIDGE -j MASQUERADE", docker's rule.  CNI's bridge
 * plugin can do it (ipMasq), but per container: a chain and four rules made and removed with
 * some eight iptables runs at each start and each end, most of what a container's network
 * costs (measured: bench/hull-run.sh, docs/architecture.md).  The rule is set when the
 * network is first used and recorded by a marker under the runtime root; both are volatile,
 * so both go at a reboot.  A user network's rule goes with the network; the default
 * network's stays, as docker0's does.
 */
#include "network/masq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

#define MARK_DIR  "masq"
#define LOCK_FILE "masq.lock"
#define IPTABLES  "iptables"

/* iptables -t nat OP POSTROUTING <the rule>: its exit status, or -1 when it did not run */
static int iptables(const char *op, const struct hull_network *n)
{
	cleanup_free char *comment = hull_strfmt("hull network %s", n->name);
	char *argv[] = {IPTABLES,    "-t",    "nat", (char *)op,   "POSTROUTING", "-s",
			n->subnet,   "!",     "-o",  n->bridge,	   "-m",	  "comment",
			"--comment", comment, "-j",  "MASQUERADE", "--wait",	  NULL};
	char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execvpe(IPTABLES, argv, env);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int lock(const char *state_dir, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/%s", state_dir, LOCK_FILE);

	if (hull_mkdir_p(state_dir, 0700, err) < 0)
		return -1;
	return hull_lock_path(path, err);
}

int hull_masq_ensure(const char *state_dir, const struct hull_network *n, struct hull_err *err)
{
	cleanup_free char *dir = hull_strfmt("%s/%s", state_dir, MARK_DIR);
	cleanup_free char *mark = hull_strfmt("%s/%s", dir, n->name);
	cleanup_close int fd = -1;
	struct stat st;
	int rc;

	if (n->internal || stat(mark, &st) == 0)
		return 0;
	fd = lock(state_dir, err);
	if (fd < 0)
		return -1;
	if (stat(mark, &st) == 0)
		return 0;
	rc = iptables("-C", n);
	if (rc != 0 && iptables("-A", n) != 0)
		return hull_error(
			err, EIO,
			"iptables -t nat -A POSTROUTING -s %s ! -o %s -j MASQUERADE failed "
			"(is iptables installed?)",
			n->subnet, n->bridge);
	if (hull_mkdir_p(dir, 0700, err) < 0)
		return -1;
	return hull_write_file_atomic(mark, n->subnet, strlen(n->subnet), 0600, err);
}

int hull_masq_remove(const char *state_dir, const struct hull_network *n, struct hull_err *err)
{
	cleanup_free char *mark = hull_strfmt("%s/%s/%s", state_dir, MARK_DIR, n->name);
	cleanup_close int fd = -1;
	struct stat st;

	if (stat(mark, &st) < 0)
		return 0;
	fd = lock(state_dir, err);
	if (fd < 0)
		return -1;
	/* every copy of the rule (a second one is no one's) */
	while (iptables("-D", n) == 0)
		;
	if (unlink(mark) < 0 && errno != ENOENT)
		return hull_error(err, errno, "remove %s", mark);
	return 0;
}
