/* SPDX-License-Identifier: Apache-2.0 */
/* The regression side of a fuzz target: run it once on every file of its seed corpus
 * (tests/fuzz/corpus/NAME/, found from this binary's place in build/tests/) and print one
 * `ok - fuzz: NAME: FILE` per file, the way tests/run.sh counts unit tests.  A crash stops
 * the binary, which tests/run.sh reports as a failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#ifndef FUZZ_NAME /* the Makefile names the target */
#define FUZZ_NAME "unnamed"
#endif

/* Targets that need set-up define it (libFuzzer calls it too). */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int read_all(int dirfd, const char *name, uint8_t **data, size_t *size)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	*data = malloc((size_t)st.st_size + 1);
	n = *data ? read(fd, *data, (size_t)st.st_size) : -1;
	close(fd);
	if (n != st.st_size)
		return -1;
	*size = (size_t)n;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int no_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	char exe[PATH_MAX], dir[PATH_MAX + 64];
	struct dirent **names;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int dirfd, count, i, failed = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	/* <repo>/build/tests/test_fuzz_NAME -> <repo>/tests/fuzz/corpus/NAME */
	if (n < 0)
		return perror("readlink /proc/self/exe"), 1;
	exe[n] = '\0';
	for (i = 0; i < 3 && (slash = strrchr(exe, '/')); i++)
		*slash = '\0';
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", exe, FUZZ_NAME);
	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	count = dirfd < 0 ? -1 : scandir(dir, &names, no_dots, by_name);
	if (count <= 0) {
		printf("not ok - fuzz: %s: no seed corpus in %s (%s)\n", FUZZ_NAME, dir,
		       count < 0 ? strerror(errno) : "empty");
		return 1;
	}
	for (i = 0; i < count; i++) {
		uint8_t *data = NULL;
		size_t size = 0;

		if (read_all(dirfd, names[i]->d_name, &data, &size) < 0) {
			printf("not ok - fuzz: %s: %s: unreadable\n", FUZZ_NAME, names[i]->d_name);
			failed = 1;
		} else {
			LLVMFuzzerTestOneInput(data, size);
			printf("ok - fuzz: %s: %s\n", FUZZ_NAME, names[i]->d_name);
		}
		fflush(stdout);
		free(data);
		free(names[i]);
	}
	free(names);
	close(dirfd);
	return failed;
}
