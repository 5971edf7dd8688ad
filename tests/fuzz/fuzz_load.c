/* SPDX-License-Identifier: Apache-2.0 */
/* `hull load` of an archive (docker-archive or oci-archive, any compression): the whole
 * of hull_image_load — the archive scan, links between members, manifest.json, index.json,
 * manifests, configs, layers — into a fresh store in a temporary directory per input. */
#include <ftw.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/load.h"
#include "tests/fuzz/fuzz.h"

static char base[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(base, sizeof(base), "/tmp/hull-fuzz-load.XXXXXX");
	if (!mkdtemp(base))
		abort();
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

__attribute__((destructor)) static void cleanup(void)
{
	if (base[0])
		nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	struct hull_store s;
	struct hull_loaded out;
	char root[96], path[64];
	int fd = memfd_create("archive", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(root, sizeof(root), "%s/store", base);
	if (hull_store_open(&s, root, false, &err) < 0)
		abort();
	if (hull_image_load(&s, path, &out, &err) == 0)
		hull_loaded_free(&out);
	hull_store_close(&s);
	close(fd);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
