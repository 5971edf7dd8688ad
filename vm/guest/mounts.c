/* The spec's kernel file systems, masks and read-only root inside a root the process is
 * already chrooted into: the sandbox's (init.c) and each app container's of a pod (pod.c). */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/guest/guest.h"
#include "vm/proto/records.h"

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t i, len = strlen(path);
	if (len >= sizeof(buf))
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		buf[i] = i < len ? '/' : 0;
	}
	return 0;
}

/* The spec's kernel file systems, mounted by the guest kernel itself.  Bind mounts were made
 * on the host, inside the shared root, before virtiofsd started. */
static int mount_one(const struct guest_mount *m, struct hull_err *err)
{
	const char *type = m->type, *data = m->data;
	unsigned long flags = m->flags;

	if (!strcmp(type, HULL_REC_MOUNT_BIND) || !strcmp(type, HULL_REC_MOUNT_NONE) ||
	    (flags & MS_BIND))
		return 0;
	/* the guest's own device nodes, instead of a tmpfs the host would fill */
	if (!strcmp(m->dest, "/dev") && !strcmp(type, "tmpfs")) {
		type = "devtmpfs";
		data = NULL;
	}
	/* the guest kernel has only the unified hierarchy to offer */
	if (!strcmp(type, "cgroup"))
		type = "cgroup2", data = NULL;
	if (mkdir_p(m->dest, 0755) < 0)
		return hull_error(err, errno, "mount %s: make the mount point", m->dest);
	if (mount(m->source && *m->source ? m->source : type, m->dest, type, flags, data) < 0)
		return hull_error(err, errno, "mount %s on %s", type, m->dest);
	return 0;
}

static void dev_links(void)
{
	static const char *const links[][2] = {
		{"/proc/self/fd", "/dev/fd"},	    {"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
		{"/proc/kcore", "/dev/core"},
	};
	struct stat sb;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		(void)!symlink(links[i][0], links[i][1]);
	if (stat("/dev/pts/ptmx", &sb) == 0) {
		unlink("/dev/ptmx");
		(void)!symlink("pts/ptmx", "/dev/ptmx");
	}
}

int guest_mounts_apply(const struct guest_config *c, struct hull_err *err)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (mount_one(&c->mounts[i], err) < 0)
			return -1;
	dev_links();
	if (guest_masks_apply(c, err) < 0)
		return -1;
	/* read-only last, once the mount points are made (container mode's order) */
	if (c->root_readonly && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return hull_error(err, errno, "make the root read-only");
	return 0;
}
