/* SPDX-License-Identifier: Apache-2.0 */
#include "image/durable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

#define SUFFIX ".unsynced"
/* The kernel writes dirty pages back once they are 30 s old (vm.dirty_expire_centisecs),
 * so by then the syncfs that confirms it has little left to do. */
#define SETTLE_AFTER_S 45

static const char *boot_id(void)
{
	static char id[64];
	if (!id[0]) {
		int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, id, sizeof(id) - 1) : -1;
		if (fd >= 0)
			close(fd);
		/* without a boot ID every marker looks like another boot's: layers are then
		 * unpacked again after each settle-less restart, never trusted wrongly */
		if (n <= 0)
			snprintf(id, sizeof(id), "unknown-%ld", (long)time(NULL));
		else
			id[strcspn(id, "\n")] = '\0';
	}
	return id;
}

static char *marker_path(const struct hull_store *s, const char *chain_id)
{
	return hull_strfmt("%s/layers/%s" SUFFIX, s->dir, hull_digest_hex(chain_id));
}

int hull_layer_mark_unsynced(struct hull_store *s, const char *chain_id, struct hull_err *err)
{
	cleanup_free char *p = marker_path(s, chain_id);
	cleanup_free char *tmp = hull_strfmt("%s.%d", p, (int)getpid());

	unlink(tmp);
	/* a symlink's target lives in its inode: the marker is metadata only, ordered with the
	 * rename that follows, and it replaces another boot's marker in one step */
	if (symlink(boot_id(), tmp) < 0)
		return hull_error(err, errno, "mark layer `%s` unsynced", p);
	if (rename(tmp, p) < 0) {
		int e = errno;
		unlink(tmp);
		return hull_error(err, e, "mark layer `%s` unsynced", p);
	}
	return 0;
}

bool hull_layer_suspect(const struct hull_store *s, const char *chain_id)
{
	cleanup_free char *p = marker_path(s, chain_id);
	char target[64];
	ssize_t n = readlink(p, target, sizeof(target) - 1);

	if (n < 0)
		return errno != ENOENT;
	target[n] = '\0';
	return strcmp(target, boot_id()) != 0;
}

void hull_store_settle(struct hull_store *s)
{
	cleanup_free char *dir = hull_strfmt("%s/layers", s->dir);
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char **ripe = NULL;
	cleanup_free ino_t *inos = NULL;
	size_t n = 0, cap = 0, i;
	time_t now = time(NULL);
	struct dirent *de;
	DIR *d;

	if (dfd < 0)
		return;
	d = fdopendir(dup(dfd));
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char target[64];
		struct stat st;
		ssize_t t;

		if (len <= strlen(SUFFIX) || strcmp(de->d_name + len - strlen(SUFFIX), SUFFIX))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    now - st.st_mtime < SETTLE_AFTER_S)
			continue;
		t = readlinkat(dfd, de->d_name, target, sizeof(target) - 1);
		if (t < 0)
			continue;
		target[t] = '\0';
		if (strcmp(target, boot_id()))
			continue; /* another boot's: its layer is unpacked again when used */
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			ripe = xrealloc(ripe, cap * sizeof(*ripe));
		}
		ripe[n] = xstrdup(de->d_name);
		inos = xrealloc(inos, cap * sizeof(*inos));
		inos[n++] = st.st_ino;
	}
	closedir(d);
	if (n && syncfs(dfd) == 0)
		for (i = 0; i < n; i++) {
			struct stat st;
			/* not one that a re-publish put there since (rename: a new inode) */
			if (fstatat(dfd, ripe[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    st.st_ino == inos[i])
				unlinkat(dfd, ripe[i], 0);
		}
	for (i = 0; i < n; i++)
		free(ripe[i]);
}
