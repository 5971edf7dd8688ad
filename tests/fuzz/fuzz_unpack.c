/* SPDX-License-Identifier: Apache-2.0 */
/* A layer tarball (plain, gzip or zstd) unpacked by hull_unpack_fd into a fresh temporary
 * directory, removed after each input.  Nothing may land outside it: after each run the
 * directory's parent must hold nothing but it. */
#include <ftw.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/unpack.h"
#include "tests/fuzz/fuzz.h"

static char base[64];

/* Byte mutations nearly always break a tar header's checksum, and libarchive then stops at
 * the first header: coverage stalls.  So the checksum of every ustar header of a plain tar
 * is made right again, walking the headers by their size fields; what follows a header whose
 * size does not parse is left as it is. */
static void fix_checksums(uint8_t *d, size_t n)
{
	size_t off = 0;

	while (off + 512 <= n && !memcmp(d + off + 257, "ustar", 5)) {
		uint8_t *h = d + off;
		unsigned long sum = 0, size = 0;
		size_t i;

		memset(h + 148, ' ', 8);
		for (i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 8, "%06lo", sum & 0777777);
		h[155] = ' ';
		for (i = 124; i < 135 && h[i] >= '0' && h[i] <= '7'; i++)
			size = size * 8 + (unsigned long)(h[i] - '0');
		if (i == 124 || size > n)
			break;
		off += 512 + (size + 511) / 512 * 512;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(base, sizeof(base), "/tmp/hull-fuzz-unpack.XXXXXX");
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

static void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

__attribute__((destructor)) static void cleanup(void)
{
	if (base[0])
		rm_tree(base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	char dest[96], diff_id[HULL_DIGEST_SIZE];
	uint64_t unpacked = 0;
	int fd = memfd_create("layer", MFD_CLOEXEC);
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, data, size);
	fix_checksums(copy, size);
	if (fd < 0 || write(fd, copy, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	free(copy);
	snprintf(dest, sizeof(dest), "%s/layer", base);
	if (mkdir(dest, 0755) < 0)
		abort();
	hull_unpack_fd(fd, dest, diff_id, &unpacked, NULL, "fuzz", &err);
	close(fd);
	rm_tree(dest);
	/* the layer directory was the only thing in base: anything else escaped it */
	if (rmdir(base) < 0 || mkdir(base, 0700) < 0) {
		fprintf(stderr, "unpack wrote outside its directory\n");
		abort();
	}
	return 0;
}
