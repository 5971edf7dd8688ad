/* SPDX-License-Identifier: Apache-2.0 */
/* timeit N NAME=CMD... : run each command N times, in rounds (so drift hits all alike), each
 * round in a new order (a command slows the one after it: runc's exit leaves the kernel
 * work that a fixed order would always hand to the same neighbour),
 * and print per command the median and mean wall time and the median peak RSS (wait4's
 * ru_maxrss: the process and the children it waited for).  "{}" in a command becomes the
 * run number, for unique container ids.  A benchmark helper, not part of hull. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char *expand(const char *cmd, int i)
{
	static char out[8192];
	const char *p = strstr(cmd, "{}");
	if (!p)
		snprintf(out, sizeof(out), "%s", cmd);
	else
		snprintf(out, sizeof(out), "%.*s%d%s", (int)(p - cmd), cmd, i, p + 2);
	return out;
}

int main(int argc, char **argv)
{
	int n, k, i, j, r, fails = 0;
	double *wall, *rss;
	int *order;

	if (argc < 3) {
		fprintf(stderr, "usage: timeit N NAME=CMD...\n");
		return 2;
	}
	n = atoi(argv[1]);
	k = argc - 2;
	wall = calloc((size_t)(n * k), sizeof(double));
	rss = calloc((size_t)(n * k), sizeof(double));
	order = calloc((size_t)k, sizeof(int));
	srand(1); /* the same orders every time */
	for (j = 0; j < k; j++)
		order[j] = j;
	for (i = 0; i < n; i++) {
		for (j = k - 1; j > 0; j--) {
			int x = rand() % (j + 1), t = order[j];
			order[j] = order[x];
			order[x] = t;
		}
		for (r = 0; r < k; r++) {
			const char *cmd;
			struct timespec t0, t1;
			struct rusage ru;
			int status;
			pid_t pid;
			j = order[r];
			cmd = strchr(argv[2 + j], '=') + 1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			pid = fork();
			if (pid == 0) {
				execl("/bin/sh", "sh", "-c", expand(cmd, i), (char *)NULL);
				_exit(127);
			}
			wait4(pid, &status, 0, &ru);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				fails++;
			wall[j * n + i] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
			rss[j * n + i] = ru.ru_maxrss / 1024.0;
		}
	}
	printf("| command | median ms | mean ms | peak RSS MiB (median) |\n|---|---|---|---|\n");
	for (j = 0; j < k; j++) {
		double sum = 0;
		char name[64];
		const char *eq = strchr(argv[2 + j], '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - argv[2 + j]), argv[2 + j]);
		for (i = 0; i < n; i++)
			sum += wall[j * n + i];
		printf("| %s | %.2f | %.2f | %.2f |\n", name, median(wall + j * n, n), sum / n,
		       median(rss + j * n, n));
	}
	if (fails)
		fprintf(stderr, "timeit: %d runs failed\n", fails);
	return fails ? 1 : 0;
}
