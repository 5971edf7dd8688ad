/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiled seccomp filters, kept in the runtime's state root (`<root>/.seccomp/`, volatile like
 * the rest of it).  libseccomp takes about 20 ms to compile docker's default profile for its
 * three architectures, which is most of a container's start; every container of a host
 * mostly uses one of a handful of profiles.  An entry holds the profile's canonical text with
 * the program, and is used only when that text matches byte for byte, so the file name (a
 * 64-bit FNV-1a hash) need not resist collisions.  The text names hull's build, the libseccomp
 * version and the kernel's seccomp API level, which decide what the compiler emits.  A damaged or
 * foreign entry is ignored and replaced; the cache is emptied when it grows past CACHE_MAX entries.
 */
#include "runtime/seccomp/seccomp_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "lib/json.h"
#include "lib/util.h"

#define CACHE_DIR   ".seccomp"
#define CACHE_MAX   128
#define CACHE_MAGIC "hullbpf1"

struct entry_header {
	char magic[8];
	uint32_t flags, n_insns, text_len, pad;
};

char *hull_seccomp_cache_key(yajl_val section, size_t *len)
{
	const struct scmp_version *ver = seccomp_version();
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	char *key;
	size_t n;

	if (!g)
		return NULL;
	sj_gen(g, section);
	if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return NULL;
	}
	/* hull's own build too: a fix in how a profile is translated must not meet old entries */
	key = hull_strfmt("hull " HULL_VERSION " " HULL_COMMIT " libseccomp %u.%u.%u api %u\n%.*s",
			  ver ? ver->major : 0, ver ? ver->minor : 0, ver ? ver->micro : 0,
			  seccomp_api_get(), (int)n, (const char *)buf);
	yajl_gen_free(g);
	*len = strlen(key);
	return key;
}

static char *entry_path(const char *root, const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
	return hull_strfmt("%s/" CACHE_DIR "/%016llx", root, (unsigned long long)h);
}

/* Only what this user wrote, where nobody else can write: a planted program would weaken
 * every container that uses the profile (a state root others can write to is the caller's
 * mistake, but not one to make silently worse). */
static bool trusted(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

int hull_seccomp_cache_get(const char *root, const char *key, size_t len, struct sock_filter **bpf,
			   unsigned short *n_insns, unsigned int *flags)
{
	cleanup_free char *path = entry_path(root, key, len), *buf = NULL;
	cleanup_free char *dir = hull_strfmt("%s/" CACHE_DIR, root);
	cleanup_close int fd = -1;
	struct entry_header h;
	struct stat st;
	size_t size = 0, prog;

	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || !trusted(&st))
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !trusted(&st) ||
	    hull_read_fd(fd, &buf, &size, NULL) < 0 || size < sizeof(h))
		return -1;
	memcpy(&h, buf, sizeof(h));
	prog = (size_t)h.n_insns * sizeof(struct sock_filter);
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) || h.text_len != len || h.n_insns == 0 ||
	    h.n_insns > BPF_MAXINSNS || size != sizeof(h) + len + prog ||
	    memcmp(buf + sizeof(h), key, len))
		return -1;
	*bpf = xmalloc(prog);
	memcpy(*bpf, buf + sizeof(h) + len, prog);
	*n_insns = (unsigned short)h.n_insns;
	*flags = h.flags;
	return 0;
}

/* Past CACHE_MAX entries (a host whose profiles keep changing): start again. */
static void trim(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	if (n >= CACHE_MAX) {
		rewinddir(d);
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

void hull_seccomp_cache_put(const char *root, const char *key, size_t len,
			    const struct sock_filter *bpf, unsigned short n_insns,
			    unsigned int flags)
{
	cleanup_free char *dir = hull_strfmt("%s/" CACHE_DIR, root);
	cleanup_free char *path = entry_path(root, key, len), *tmp = NULL;
	struct entry_header h = {.flags = flags, .n_insns = n_insns, .text_len = (uint32_t)len};
	size_t prog = (size_t)n_insns * sizeof(struct sock_filter);
	int fd;

	/* best effort: a cache that cannot be written only costs the next create the compile */
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return;
	trim(dir);
	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	tmp = hull_strfmt("%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (hull_write_all(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    hull_write_all(fd, key, len) != (ssize_t)len ||
	    hull_write_all(fd, bpf, prog) != (ssize_t)prog) {
		close(fd);
		unlink(tmp);
		return;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		unlink(tmp);
}
