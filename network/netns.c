/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's network namespace made before the container, so CNI can set it up first and
 * the container joins it by path (linux.namespaces) — what podman and containerd do.  A child
 * unshares a new namespace and binds its /proc/self/ns/net onto the file; the bind mount keeps
 * the namespace alive after the child exits, until hull_netns_remove.  Loopback comes up here:
 * CNI's loopback plugin would be one more process for one netlink request.
 */
#include "network/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

static int loopback_up(void)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

int hull_netns_create(const char *path, struct hull_err *err)
{
	cleanup_free char *dir = xstrdup(path);
	int fd, status, e[2] = {0, 0}, p[2];
	pid_t pid;

	*strrchr(dir, '/') = 0;
	if (hull_mkdir_p(dir, 0711, err) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return hull_error(err, errno, "create the network namespace file `%s`", path);
	close(fd);
	if (pipe2(p, O_CLOEXEC) < 0) {
		hull_error(err, errno, "pipe");
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		hull_error(err, errno, "fork");
		goto fail;
	}
	if (pid == 0) {
		int what = 0;
		if (unshare(CLONE_NEWNET) < 0)
			what = 1;
		else if (loopback_up() < 0)
			what = 2;
		else if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
			what = 3;
		if (what) {
			int v[2] = {what, errno};
			(void)!write(p[1], v, sizeof(v));
		}
		_exit(what ? 1 : 0);
	}
	close(p[1]);
	if (read(p[0], e, sizeof(e)) != sizeof(e))
		e[0] = 0;
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (e[0] || !WIFEXITED(status) || WEXITSTATUS(status)) {
		static const char *const what[] = {"make it", "make it", "bring loopback up in it",
						   "bind it"};
		hull_error(err, e[0] ? e[1] : EIO, "network namespace `%s`: %s", path,
			   what[e[0] > 0 && e[0] < 4 ? e[0] : 0]);
		goto fail;
	}
	return 0;
fail:
	umount2(path, MNT_DETACH);
	unlink(path);
	return -1;
}

bool hull_netns_bound(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && (sf.f_type == NSFS_MAGIC || sf.f_type == PROC_SUPER_MAGIC);
}

int hull_netns_remove(const char *path, struct hull_err *err)
{
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return hull_error(err, errno, "unbind the network namespace `%s`", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return hull_error(err, errno, "remove `%s`", path);
	return 0;
}
