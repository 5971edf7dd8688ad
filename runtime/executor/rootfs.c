/* SPDX-License-Identifier: Apache-2.0 */
/* Mounting the container's root file system inside its new mount namespace. */
#include "runtime/executor/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/pathres.h"
#include "lib/util.h"
#include "lib/vfsflags.h"
#include "runtime/bind.h"
#include "runtime/idmap.h"
#include "runtime/spec/mount_opts.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static unsigned long root_propagation(const struct hull_spec *spec, struct hull_err *err)
{
	const char *p = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;
	static const struct {
		const char *name;
		unsigned long flags;
	} table[] = {
		{"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
		{"slave", MS_SLAVE},	       {"rslave", MS_SLAVE | MS_REC},
		{"shared", MS_SHARED},	       {"rshared", MS_SHARED | MS_REC},
		{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	size_t i;

	if (!p || !*p)
		return 0;
	for (i = 0; i < ARRAY_SIZE(table); i++)
		if (!strcmp(p, table[i].name))
			return table[i].flags;
	hull_error(err, EINVAL, "config.json: `linux.rootfsPropagation`: unknown value `%s`", p);
	return (unsigned long)-1;
}

/* Only proc itself, and the few files lxcfs-style tools overmount, may be mounted in /proc. */
static int check_proc_target(const struct hull_mount *m, struct hull_err *err)
{
	static const char *const allowed[] = {
		"/proc/cpuinfo", "/proc/diskstats",
		"/proc/meminfo", "/proc/stat",
		"/proc/swaps",	 "/proc/uptime",
		"/proc/loadavg", "/proc/slabinfo",
		"/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
	};
	char norm[4096];
	const char *s = m->destination;
	size_t i, n = 0;

	/* collapse repeated slashes and a trailing one for the comparison */
	for (; *s && n < sizeof(norm) - 1; s++)
		if (*s != '/' || n == 0 || norm[n - 1] != '/')
			norm[n++] = *s;
	if (n > 1 && norm[n - 1] == '/')
		n--;
	norm[n] = '\0';
	if (strcmp(norm, "/proc") && !hull_has_prefix(norm, "/proc/"))
		return 0;
	if (!strcmp(norm, "/proc") && m->type && !strcmp(m->type, "proc"))
		return 0;
	/* a procfs bound on /proc (rootless podman --pid=host: a new one cannot be mounted
	 * without a pid namespace of one's own), as runc allows */
	if (!strcmp(norm, "/proc") && m->bind && m->source && m->source[0] == '/') {
		struct statfs fs;
		if (statfs(m->source, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC)
			return 0;
	}
	for (i = 0; i < ARRAY_SIZE(allowed); i++)
		if (!strcmp(norm, allowed[i]))
			return 0;
	return hull_error(err, EPERM, "mount `%s`: mounting over /proc is not allowed",
			  m->destination);
}

/* A destination that is a symlink into /proc reaches there only after resolution: check
 * where it really landed, not just what the spec wrote. */
static int check_resolved_target(const struct hull_rootfs *r, int fd, const struct hull_mount *m,
				 struct hull_err *err)
{
	char link[HULL_FD_PATH_MAX], real[4096];
	size_t rl = strlen(r->rootfs);
	struct hull_mount resolved = *m;
	ssize_t n;

	hull_fd_path(fd, link);
	n = readlink(link, real, sizeof(real) - 1);
	if (n < 0)
		return hull_error(err, errno, "resolve mount target `%s`", m->destination);
	real[n] = '\0';
	if (strncmp(real, r->rootfs, rl) || (real[rl] != '/' && real[rl] != '\0'))
		return hull_error(err, EPERM, "mount target `%s` resolves outside the rootfs",
				  m->destination);
	resolved.destination = real[rl] ? real + rl : "/";
	return check_proc_target(&resolved, err);
}

/* proc and sysfs go on a directory, not through a symlink the image planted as their last
 * component (/proc -> /elsewhere): what is masked, and what the runtime later reads or
 * writes under /proc, must be the kernel's (runc refuses it in the same words). */
static int check_pseudo_fs_target(int rootfd, const struct hull_mount *m, struct hull_err *err)
{
	cleanup_close int fd = -1;
	struct stat st;

	if (!m->type || (strcmp(m->type, "proc") && strcmp(m->type, "sysfs")))
		return 0;
	fd = hull_open_in_root(rootfd, m->destination, O_PATH | O_NOFOLLOW, 0, NULL);
	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		return hull_error(
			err, EPERM,
			"mount `%s`: filesystem `%s` must be mounted on ordinary directory",
			m->destination, m->type);
	return 0;
}

static int apply_rec_attr(int fd, const struct hull_mount *m, struct hull_err *err)
{
	struct mount_attr attr = {
		.attr_set = m->rec_attr_set,
		.attr_clr = m->rec_attr_clr,
	};
	if (!m->rec_attr_set && !m->rec_attr_clr)
		return 0;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) <
	    0)
		return hull_error(err, errno, "set recursive attributes on `%s`", m->destination);
	return 0;
}

static int mount_cgroup(const struct hull_rootfs *r, int rootfd, const struct hull_mount *m,
			struct hull_err *err)
{
	unsigned long fl = m->flags & ~(MS_BIND | MS_REC | HULL_PROPAGATION_MASK);
	cleanup_close int fd = hull_mkpath_in_root(rootfd, m->destination, HULL_MK_DIR, 0755, err);
	char target[HULL_FD_PATH_MAX];
	size_t i;

	if (fd < 0 || !r->cgroups || r->cgroups->n == 0)
		return fd < 0 ? -1 : 0;
	hull_fd_path(fd, target);
	/* pure v2: the one hierarchy goes right at the target */
	if (r->cgroups->n == 1 && r->cgroups->h[0].v2) {
		cleanup_free char *src =
			hull_strfmt("%s%s", r->cgroups->h[0].mountpoint, r->cgroup_path);
		if (r->cgroupns ? mount("cgroup2", target, "cgroup2", fl, NULL)
				: mount(src, target, NULL, MS_BIND | MS_REC, NULL))
			return hull_error(err, errno, "mount cgroup2 on `%s`", m->destination);
		return 0;
	}
	/* v1 and hybrid: a tmpfs holding one directory per hierarchy, as on the host */
	if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return hull_error(err, errno, "mount tmpfs on `%s`", m->destination);
	for (i = 0; i < r->cgroups->n; i++) {
		const struct hull_cgroup_hier *h = &r->cgroups->h[i];
		const char *base = strrchr(h->mountpoint, '/') + 1;
		cleanup_free char *sub = hull_strfmt("%s/%s", m->destination, base);
		cleanup_free char *src = hull_strfmt("%s%s", h->mountpoint, r->cgroup_path);
		cleanup_close int sfd = hull_mkpath_in_root(rootfd, sub, HULL_MK_DIR, 0755, err);
		char starget[HULL_FD_PATH_MAX];
		int rc;
		if (sfd < 0)
			return -1;
		hull_fd_path(sfd, starget);
		if (!r->cgroupns)
			rc = mount(src, starget, NULL, MS_BIND | MS_REC, NULL);
		else if (h->v2)
			rc = mount("cgroup2", starget, "cgroup2", fl, NULL);
		else
			rc = mount("cgroup", starget, "cgroup", fl, h->controllers);
		if (rc < 0)
			return hull_error(err, errno, "mount cgroup `%s` on `%s`", h->controllers,
					  sub);
		if ((fl & MS_RDONLY) && !r->cgroupns) {
			/* the fd names the directory under the new mount: find the mount again */
			cleanup_close int nfd = hull_open_in_root(rootfd, sub, O_PATH, 0, err);
			if (nfd < 0)
				return -1;
			hull_fd_path(nfd, starget);
			if (mount(NULL, starget, NULL,
				  MS_BIND | MS_REMOUNT | MS_RDONLY |
					  hull_vfs_flags(starget, HULL_LOCKED_FLAGS),
				  NULL) < 0)
				return hull_error(err, errno, "remount `%s` read-only", sub);
		}
	}
	if (fl & MS_RDONLY) {
		cleanup_close int nfd = hull_open_in_root(rootfd, m->destination, O_PATH, 0, err);
		if (nfd < 0)
			return -1;
		hull_fd_path(nfd, target);
		if (mount(NULL, target, NULL,
			  MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=755") < 0)
			return hull_error(err, errno, "remount `%s` read-only", m->destination);
	}
	return 0;
}

/* A tmpfs over an existing directory without a mode= option keeps that directory's mode, as
 * runc and crun do (the kernel's default is 1777): the mode to mount it with, or 0.  Given
 * as mode= at mount time, not by a chmod after it, so a read-only tmpfs gets it too. */
static mode_t tmpfs_keep_mode(int rootfd, const struct hull_mount *m)
{
	cleanup_close int fd = -1;
	const char *d = m->data;
	struct stat st;

	if (!m->type || strcmp(m->type, "tmpfs"))
		return 0;
	/* mode= as an option of its own, not the tail of another one */
	while (d && *d) {
		if (hull_has_prefix(d, "mode="))
			return 0;
		d = strchr(d, ',');
		d = d ? d + 1 : NULL;
	}
	fd = hull_open_in_root(rootfd, m->destination, O_PATH, 0, NULL);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return st.st_mode & 07777 ? st.st_mode & 07777 : 0;
}

/* sysfs needs a network namespace of our own (in a user namespace the kernel refuses it
 * otherwise): bind the host's instead, with the spec's flags over those the kernel locks,
 * on the mounts below it too (/sys/fs/cgroup...): a read-only /sys must be read-only all
 * through, as a sysfs of its own would be.  The remount goes through a path opened anew:
 * the fd the bind was made on still names the directory underneath (EINVAL there). */
static int bind_host_sysfs(int rootfd, const struct hull_mount *m, const char *target,
			   unsigned long fl)
{
	cleanup_close int fd = -1;
	char path[HULL_FD_PATH_MAX];
	int r;
	struct mount_attr attr = {
		.attr_set = (fl & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0) |
			    (fl & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
			    (fl & MS_NODEV ? MOUNT_ATTR_NODEV : 0) |
			    (fl & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0),
	};

	if (mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	fd = hull_open_in_root(rootfd, m->destination, O_PATH, 0, NULL);
	if (fd < 0)
		return -1;
	hull_fd_path(fd, path);
	if (mount(NULL, path, NULL,
		  MS_BIND | MS_REMOUNT | hull_vfs_flags(path, HULL_LOCKED_FLAGS) | fl, NULL) < 0)
		return -1;
	if (!attr.attr_set)
		return 0;
	/* before Linux 5.12 (ENOSYS) the flags stay on the top mount only */
	r = (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
			 sizeof(attr));
	return r < 0 && errno != ENOSYS ? -1 : 0;
}

/* A read-only /dev is mounted writable and made read-only once its devices, /dev/pts and
 * /dev/console are in (hull_rootfs_finalize), as runc does. */
static bool is_ro_dev(const struct hull_mount *m)
{
	return !m->bind && (m->flags & MS_RDONLY) &&
	       (!strcmp(m->destination, "/dev") || !strcmp(m->destination, "/dev/"));
}

/* under: the directory the tmpfs was mounted on (its fd, taken before); the copy goes into
 * the tmpfs now there. */
static int copyup(int rootfd, int under, const struct hull_mount *m, struct hull_err *err)
{
	char path[HULL_FD_PATH_MAX];
	cleanup_close int dir = -1, mounted = -1;

	hull_fd_path(under, path);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	mounted = hull_open_in_root(rootfd, m->destination, O_RDONLY | O_DIRECTORY, 0, err);
	if (dir < 0 || mounted < 0)
		return hull_error(err, errno, "tmpcopyup: open `%s`", m->destination);
	return hull_tmpcopyup(dir, mounted, m->destination, err);
}

static int mount_one(const struct hull_rootfs *r, int rootfd, const struct hull_mount *m,
		     struct hull_err *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *data = NULL;
	char target[HULL_FD_PATH_MAX];
	unsigned long fl;
	int rc;

	if (m->destination[0] != '/')
		return hull_error(err, EINVAL, "mount destination `%s` is not absolute",
				  m->destination);
	if (check_proc_target(m, err) < 0)
		return -1;
	if (hull_mount_idmapped(m) && !m->bind)
		return hull_error(
			err, EINVAL,
			"mount `%s`: idmapped mounts are bind mounts (type `bind`, or the "
			"bind or rbind option)",
			m->destination);
	if (m->bind) {
		int srcfd = r->bind_fds ? r->bind_fds[m - r->spec->mounts] : -1;
		if (srcfd >= 0 && hull_mount_idmapped(m))
			rc = hull_bind_tree_in_root(srcfd, rootfd, m, err);
		else if (srcfd >= 0)
			rc = hull_bind_fd_in_root(srcfd, rootfd, m, err);
		else
			rc = hull_bind_in_root(r->bundle, rootfd, m, err);
	} else if (m->type && !strcmp(m->type, "cgroup")) {
		rc = mount_cgroup(r, rootfd, m, err);
	} else {
		const char *type = m->type ? m->type : "none";
		mode_t keep_mode = tmpfs_keep_mode(rootfd, m);
		if (check_pseudo_fs_target(rootfd, m, err) < 0)
			return -1;
		fd = hull_mkpath_in_root(rootfd, m->destination, HULL_MK_DIR, 0755, err);
		if (fd < 0 || check_resolved_target(r, fd, m, err) < 0)
			return -1;
		hull_fd_path(fd, target);
		fl = m->flags & ~(MS_REC | HULL_PROPAGATION_MASK);
		if (is_ro_dev(m))
			fl &= ~(unsigned long)MS_RDONLY;
		if (keep_mode)
			data = hull_strfmt("mode=%o%s%s", (unsigned)keep_mode, m->data ? "," : "",
					   m->data ? m->data : "");
		rc = mount(m->source ? m->source : type, target, type, fl, data ? data : m->data);
		/* sysfs needs a network namespace of our own; without one, bind the host's */
		if (rc < 0 && errno == EPERM && !strcmp(type, "sysfs"))
			rc = bind_host_sysfs(rootfd, m, target, fl);
		if (rc < 0)
			return hull_error(err, errno, "mount `%s` (%s) on `%s`",
					  m->source ? m->source : type, type, m->destination);
		if (m->tmpcopyup && !strcmp(type, "tmpfs") && copyup(rootfd, fd, m, err) < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (m->propagation || m->rec_attr_set || m->rec_attr_clr) {
		cleanup_close int nfd = hull_open_in_root(rootfd, m->destination, O_PATH, 0, err);
		if (nfd < 0)
			return -1;
		hull_fd_path(nfd, target);
		if (m->propagation && mount(NULL, target, NULL, m->propagation, NULL) < 0)
			return hull_error(err, errno, "set propagation of `%s`", m->destination);
		if (apply_rec_attr(nfd, m, err) < 0)
			return -1;
	}
	return 0;
}

int hull_rootfs_prepare(const struct hull_rootfs *r, struct hull_err *err)
{
	cleanup_close int rootfd = -1;
	size_t i;

	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return hull_error(err, errno, "make / a recursive slave");
	if (mount(r->rootfs, r->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_error(err, errno, "bind mount the rootfs `%s`", r->rootfs);
	rootfd = open(r->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return hull_error(err, errno, "open rootfs `%s`", r->rootfs);
	for (i = 0; i < r->spec->n_mounts; i++)
		if (mount_one(r, rootfd, &r->spec->mounts[i], err) < 0)
			return -1;
	return hull_devices_setup(r, rootfd, err);
}

int hull_rootfs_pivot(const struct hull_rootfs *r, bool no_pivot, struct hull_err *err)
{
	unsigned long prop = root_propagation(r->spec, err);

	if (prop == (unsigned long)-1)
		return -1;
	if (chdir(r->rootfs) < 0)
		return hull_error(err, errno, "chdir to rootfs `%s`", r->rootfs);
	if (no_pivot) {
		if (mount(r->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
			return hull_error(err, errno, "move the rootfs to /");
		if (chroot(".") < 0)
			return hull_error(err, errno, "chroot to the rootfs");
	} else {
		cleanup_close int oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
		if (oldroot < 0)
			return hull_error(err, errno, "open /");
		/* pivot_root(".", ".") stacks the old root on top of the new one; detach it. */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return hull_error(err, errno, "pivot_root to `%s`", r->rootfs);
		if (fchdir(oldroot) < 0)
			return hull_error(err, errno, "chdir to the old root");
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return hull_error(err, errno, "make the old root a slave");
		if (umount2(".", MNT_DETACH) < 0)
			return hull_error(err, errno, "detach the old root");
	}
	if (chdir("/") < 0)
		return hull_error(err, errno, "chdir /");
	if (prop && mount(NULL, "/", NULL, prop, NULL) < 0)
		return hull_error(err, errno, "set rootfs propagation");
	return 0;
}

int hull_rootfs_make_cwd(const char *cwd, struct hull_err *err)
{
	cleanup_close int rootfd = -1, fd = -1;

	if (!cwd || !*cwd)
		return 0;
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return hull_error(err, errno, "open /");
	fd = hull_mkpath_in_root(rootfd, cwd, HULL_MK_DIR, 0755, err);
	return fd < 0 ? hull_error_wrap(err, "cwd `%s`", cwd) : 0;
}

int hull_rootfs_finalize(const struct hull_rootfs *r, struct hull_err *err)
{
	size_t i;

	if (hull_masks_apply(r->spec, err) < 0)
		return -1;
	for (i = 0; i < r->spec->n_mounts; i++)
		if (is_ro_dev(&r->spec->mounts[i]) &&
		    mount(NULL, "/dev", NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY |
				  hull_vfs_flags("/dev", HULL_LOCKED_FLAGS),
			  NULL) < 0)
			return hull_error(err, errno, "remount /dev read-only");
	if (r->spec->root_readonly &&
	    mount(NULL, "/", NULL,
		  MS_BIND | MS_REMOUNT | MS_RDONLY | hull_vfs_flags("/", HULL_LOCKED_FLAGS),
		  NULL) < 0)
		return hull_error(err, errno, "remount the root read-only");
	return 0;
}
