/* SPDX-License-Identifier: Apache-2.0 */
/* mmapw FILE TEXT: write TEXT into FILE through a shared mapping only, and exit without msync:
 * the data reaches the file only through page writeback (a test helper, built static). */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len;
	char *p;
	int fd;

	if (argc != 3)
		return 2;
	len = strlen(argv[2]);
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)len) < 0)
		return 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	/* closed first: a close would write the pages back itself (FUSE flushes on close) */
	if (p == MAP_FAILED || close(fd) < 0)
		return 1;
	memcpy(p, argv[2], len);
	return 0;
}
