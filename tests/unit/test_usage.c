/* SPDX-License-Identifier: Apache-2.0 */
/* engine/usage.c: a cgroup's counters through libcgroup, checked against a real cgroup in
 * which a child burns CPU, touches memory and writes through to the disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/usage.h"
#include "tests/unit/unit.h"

#define MiB (1024 * 1024)

/* The hierarchy holding a controller: a v1 mount, else the cgroup2 one (hybrid or pure). */
static const char *hierarchy(const char *v1, char *buf, size_t n)
{
	struct stat st;
	snprintf(buf, n, "/sys/fs/cgroup/%s", v1);
	if (stat(buf, &st) == 0)
		return buf;
	if (stat("/sys/fs/cgroup/unified/cgroup.procs", &st) == 0)
		return "/sys/fs/cgroup/unified";
	return "/sys/fs/cgroup";
}

static void join(const char *dir, pid_t pid)
{
	char path[2048];
	FILE *f;
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
}

static void work(void)
{
	volatile unsigned long x = 0;
	volatile char *m = malloc(32 * MiB);
	struct timespec t0, t;
	/* every page touched, through a volatile pointer the compiler cannot drop */
	for (size_t i = 0; m && i < 32 * MiB; i += 4096)
		m[i] = 1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 50);
	free((void *)m);
}

TEST(counters_of_a_real_cgroup)
{
	char name[64], dirs[3][512], buf[256];
	const char *v1[3] = {"cpuacct", "memory", "blkio"};
	struct hull_cgroup_usage u;
	struct hull_err err = {0};
	int status;
	pid_t pid;

	if (geteuid() != 0)
		UNIT_SKIP("needs root to make a cgroup");
	snprintf(name, sizeof(name), "/hull-usage-test-%d", (int)getpid());
	for (int i = 0; i < 3; i++) {
		snprintf(dirs[i], sizeof(dirs[i]), "%s%s", hierarchy(v1[i], buf, sizeof(buf)),
			 name);
		if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
			UNIT_SKIP("cannot make %s: %s", dirs[i], strerror(errno));
	}
	/* a child moves itself in, then does the work */
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++)
			join(dirs[i], getpid());
		work();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(hull_cgroup_usage_read(name, &u, &err) == 0);
	CHECK(u.cpu_ns >= 30ULL * 1000 * 1000);		      /* ~50 ms of CPU */
	CHECK(u.peak_bytes == 0 || u.peak_bytes >= 32 * MiB); /* 0: a kernel without a peak */
	for (int i = 2; i >= 0; i--)
		rmdir(dirs[i]);
	/* a cgroup that is not there */
	memset(&err, 0, sizeof(err));
	CHECK(hull_cgroup_usage_read("/hull-usage-test-none", &u, &err) < 0);
	CHECK(strstr(err.msg, "/hull-usage-test-none") != NULL);
}

UNIT_MAIN()
