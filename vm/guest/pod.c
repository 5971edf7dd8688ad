/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The app containers of a pod, inside the sandbox's VM (vm/README.md, "Pods").  The host
 * bind-mounts each container's root into the pod's share (a second virtio-fs device, tag
 * hullpod) beside its configuration; the init mounts the share and the cgroup2 hierarchy on
 * initramfs paths before it switches to the sandbox's root, so only it sees them.
 *
 * A container's main process is cloned into new mount and pid namespaces (it is pid 1 of its
 * own, as with runc), joins its cgroup (a child of the hierarchy's root named by its id) and
 * a new cgroup namespace, stacks its root over the sandbox's (the tree cloned from the share
 * by the init) and mounts its kernel file systems there.  Network, hostname and IPC are the
 * VM's: the pod's.  An exec in the container joins its namespaces through a pidfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vm/guest/guest.h"
#include "vm/proto/names.h"

/* As many containers as a pod may run at once: each holds an exec port for its life. */
#define POD_MAX HULL_VM_EXEC_PORTS_MAX

struct guest_pod_ctr {
	char id[256];
	struct guest_config cfg;
	int tree;  /* its root, cloned from the share (detached until its main process runs) */
	int cgdir; /* its cgroup's directory */
	pid_t pid; /* its main process; 0 until started */
	int pidfd;
	bool used;
};

static struct guest_pod_ctr ctrs[POD_MAX];
static int share = -1, cgroot = -1, own_pidns = -1;

int guest_pod_init(struct hull_err *err)
{
	if (mkdir(HULL_GUEST_POD, 0700) < 0 && errno != EEXIST)
		return hull_error(err, errno, "make `%s`", HULL_GUEST_POD);
	/* the device registers shortly after the module loaded (the root's is mounted first) */
	for (int tries = 0; mount(HULL_POD_FS_TAG, HULL_GUEST_POD, "virtiofs", 0, NULL) < 0;
	     tries++) {
		struct timespec ts = {0, 10000000L};
		if (tries == 500 || (errno != ENODEV && errno != ENOENT && errno != EINVAL))
			return hull_error(err, errno, "mount the pod's share (virtio-fs tag %s)",
					  HULL_POD_FS_TAG);
		nanosleep(&ts, NULL);
	}
	if (mkdir(HULL_GUEST_POD_CG, 0700) < 0 && errno != EEXIST)
		return hull_error(err, errno, "make `%s`", HULL_GUEST_POD_CG);
	if (mount("cgroup2", HULL_GUEST_POD_CG, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
	    0)
		return hull_error(err, errno, "mount cgroup2 on `%s`", HULL_GUEST_POD_CG);
	share = open(HULL_GUEST_POD, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cgroot = open(HULL_GUEST_POD_CG, O_PATH | O_DIRECTORY | O_CLOEXEC);
	own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (share < 0 || cgroot < 0 || own_pidns < 0)
		return hull_error(err, errno, "open the pod's share and cgroups");
	/* the controllers a container's limits use, for the children of the root */
	{
		static const char ctl[] = "+cpu +memory +pids";
		int fd = openat(cgroot, "cgroup.subtree_control", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, ctl, strlen(ctl)) < 0)
			guest_log("enable the cgroup controllers (%s): %s", ctl, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static struct guest_pod_ctr *slot(const char *id)
{
	for (size_t i = 0; i < POD_MAX; i++)
		if (ctrs[i].used && !strcmp(ctrs[i].id, id))
			return &ctrs[i];
	return NULL;
}

static bool valid_id(const char *id)
{
	return *id && strlen(id) < sizeof(ctrs[0].id) && !strchr(id, '/') && strcmp(id, ".") &&
	       strcmp(id, "..");
}

/* One file of a cgroup (a name, not a path): 0, or an errno (ENOENT: the controller is not
 * there). */
static int cgroup_write(int dir, const char *file, const char *value)
{
	int fd, e = 0;
	if (!*file || strchr(file, '/') || file[0] == '.')
		return EINVAL;
	fd = openat(dir, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, value, strlen(value)) < 0)
		e = errno;
	close(fd);
	return e;
}

int guest_pod_cgroup_set(const char *id, const char *file, const char *value)
{
	struct guest_pod_ctr *c = guest_pod_find(id);
	return c ? cgroup_write(c->cgdir, file, value) : ESRCH;
}

struct guest_pod_ctr *guest_pod_load(const char *id, struct hull_err *err)
{
	struct guest_pod_ctr *c = NULL;
	char path[512];

	if (share < 0) {
		hull_error(err, ENOTSUP, "this VM is not a pod's");
		return NULL;
	}
	if (!valid_id(id)) {
		hull_error(err, EINVAL, "container id `%.64s`", id);
		return NULL;
	}
	if (slot(id)) {
		hull_error(err, EEXIST, "container `%s` runs already", id);
		return NULL;
	}
	for (size_t i = 0; i < POD_MAX && !c; i++)
		if (!ctrs[i].used)
			c = &ctrs[i];
	if (!c) {
		hull_error(err, ENOSPC, "the pod runs %d containers already", POD_MAX);
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->tree = c->cgdir = c->pidfd = -1;
	snprintf(c->id, sizeof(c->id), "%s", id);
	/* the share is reached through the init's fd: its path is under the sandbox's root */
	snprintf(path, sizeof(path), "%s/" HULL_POD_CONFIG, id);
	if (fchdir(share) < 0) {
		hull_error(err, errno, "the pod's share");
		return NULL;
	}
	if (guest_config_load(path, "", &c->cfg, err) < 0) {
		(void)!chdir("/");
		return NULL;
	}
	(void)!chdir("/");
	snprintf(path, sizeof(path), "%s/" HULL_POD_ROOTFS, id);
	c->tree = (int)syscall(SYS_open_tree, share, path,
			       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (c->tree < 0) {
		hull_error(err, errno, "container `%s`: its root in the pod's share", id);
		goto fail;
	}
	if (mkdirat(cgroot, id, 0755) < 0 && errno != EEXIST) {
		hull_error(err, errno, "container `%s`: make its cgroup", id);
		goto fail;
	}
	c->cgdir = openat(cgroot, id, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->cgdir < 0) {
		hull_error(err, errno, "container `%s`: open its cgroup", id);
		goto fail;
	}
	/* its limits (an error in one is logged: the container runs without it) */
	for (size_t i = 0; i < c->cfg.n_cgroups; i++) {
		int e = cgroup_write(c->cgdir, c->cfg.cgroups[i].key, c->cfg.cgroups[i].value);
		if (e)
			guest_log("container `%s`: cgroup %s = %s: %s", id, c->cfg.cgroups[i].key,
				  c->cfg.cgroups[i].value, strerror(e));
	}
	c->used = true;
	return c;
fail:
	if (c->tree >= 0)
		close(c->tree);
	guest_config_free(&c->cfg);
	return NULL;
}

void guest_pod_forget(struct guest_pod_ctr *c)
{
	if (!c || !c->used)
		return;
	if (c->tree >= 0)
		close(c->tree);
	if (c->cgdir >= 0)
		close(c->cgdir);
	if (c->pidfd >= 0)
		close(c->pidfd);
	/* empty once its processes are reaped (the pid namespace died with its pid 1) */
	if (unlinkat(cgroot, c->id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		guest_log("remove the cgroup of `%s`: %s", c->id, strerror(errno));
	guest_config_free(&c->cfg);
	memset(c, 0, sizeof(*c));
}

struct guest_pod_ctr *guest_pod_find(const char *id)
{
	struct guest_pod_ctr *c = share >= 0 ? slot(id) : NULL;
	return c && c->pid > 0 ? c : NULL;
}

struct guest_config *guest_pod_config(struct guest_pod_ctr *c)
{
	return &c->cfg;
}

pid_t guest_pod_fork(struct guest_pod_ctr *c, bool start)
{
	pid_t pid;
	if (start)
		return (pid_t)syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	/* the child is born in the container's pid namespace; ours for the next ones */
	if (setns(c->pidfd, CLONE_NEWPID) < 0)
		return -1;
	pid = fork();
	if (pid != 0)
		setns(own_pidns, CLONE_NEWPID);
	return pid;
}

static int join_cgroup(const struct guest_pod_ctr *c, struct hull_err *err)
{
	int fd = openat(c->cgdir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		hull_error(err, errno, "join the cgroup of `%s`", c->id);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int guest_pod_enter(struct guest_pod_ctr *c, bool start, struct hull_err *err)
{
	if (join_cgroup(c, err) < 0)
		return -1;
	if (!start) {
		/* setns to a mount namespace moves to its root, the container's */
		if (setns(c->pidfd, CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
			return hull_error(err, errno, "enter container `%s`", c->id);
		return 0;
	}
	if (unshare(CLONE_NEWCGROUP) < 0)
		return hull_error(err, errno, "a cgroup namespace");
	/* nothing mounted here reaches the sandbox or the other containers */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return hull_error(err, errno, "make the mount namespace private");
	/* the container's root over the sandbox's: setns into this namespace lands on top */
	if (syscall(SYS_move_mount, c->tree, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return hull_error(err, errno, "mount the root of `%s`", c->id);
	if (fchdir(c->tree) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return hull_error(err, errno, "switch to the root of `%s`", c->id);
	if (guest_mounts_apply(&c->cfg, true, err) < 0)
		return hull_error_wrap(err, "container `%s`", c->id);
	return 0;
}

void guest_pod_started(struct guest_pod_ctr *c, pid_t pid)
{
	c->pid = pid;
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* the tree is mounted in the container's namespace now */
	close(c->tree);
	c->tree = -1;
}

void guest_pod_reaped(pid_t pid)
{
	for (size_t i = 0; i < POD_MAX; i++)
		if (ctrs[i].used && ctrs[i].pid == pid)
			guest_pod_forget(&ctrs[i]);
}
