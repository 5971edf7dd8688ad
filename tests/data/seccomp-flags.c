/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp-flags PID: the flags the kernel keeps for each seccomp filter of process PID, newest
 * first, one line each ("log" or "-"), read with PTRACE_SECCOMP_GET_METADATA (root with
 * CAP_SYS_ADMIN, not itself under seccomp).  The kernel reports SECCOMP_FILTER_FLAG_LOG only:
 * the other load flags leave no trace it shows.  A test helper (test_seccomp.sh). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

/* <linux/ptrace.h>'s, which clashes with glibc's header */
#define HULL_PTRACE_SECCOMP_GET_METADATA 0x420d
struct seccomp_meta {
	uint64_t filter_off;
	uint64_t flags;
};

#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif

int main(int argc, char **argv)
{
	struct seccomp_meta md;
	unsigned long i;
	int status, n = 0;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: seccomp-flags PID\n");
		return 2;
	}
	pid = (pid_t)atoi(argv[1]);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0 || ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0 ||
	    waitpid(pid, &status, __WALL) < 0) {
		fprintf(stderr, "seccomp-flags: stop %d: %s\n", pid, strerror(errno));
		return 1;
	}
	for (i = 0;; i++) {
		memset(&md, 0, sizeof(md));
		md.filter_off = i;
		if (ptrace((enum __ptrace_request)HULL_PTRACE_SECCOMP_GET_METADATA, pid, sizeof(md),
			   &md) < 0)
			break;
		printf("%s\n", (md.flags & SECCOMP_FILTER_FLAG_LOG) ? "log" : "-");
		n++;
	}
	if (n == 0 && errno != ENOENT) {
		fprintf(stderr, "seccomp-flags: %d: %s\n", pid, strerror(errno));
		return 1;
	}
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return 0;
}
