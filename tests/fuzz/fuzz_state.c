/* SPDX-License-Identifier: Apache-2.0 */
/* state.json, read back by every hull-oci command after create: hull_state_load on a state
 * directory in a temporary root.  The pid it names is only probed (signal 0, /proc). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/state.h"
#include "tests/fuzz/fuzz.h"

static char root[64];
static char file[192];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[128];

	snprintf(root, sizeof(root), "/tmp/hull-fuzz-state.XXXXXX");
	if (!mkdtemp(root))
		abort();
	snprintf(dir, sizeof(dir), "%s/c1", root);
	if (mkdir(dir, 0700) < 0)
		abort();
	snprintf(file, sizeof(file), "%s/state.json", dir);
	return 0;
}

__attribute__((destructor)) static void cleanup(void)
{
	char dir[128];

	if (!root[0])
		return;
	unlink(file);
	snprintf(dir, sizeof(dir), "%s/c1", root);
	rmdir(dir);
	rmdir(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	struct hull_state *st = NULL;
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (hull_state_load(root, "c1", &st, &err) == 0)
		hull_state_free(st);
	return 0;
}
