/* SPDX-License-Identifier: Apache-2.0 */
/* A bind mount of the spec inside a root directory, for both isolation levels: the container
 * executor's rootfs and the VM's shared root (which virtiofsd serves). */
#include "runtime/bind.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/pathres.h"
#include "lib/util.h"
#include "lib/vfsflags.h"
#include "runtime/idmap.h"
#include "runtime/sync.h"

static char *source_path(const char *bundle, const struct hull_mount *m)
{
	return m->source[0] == '/' ? xstrdup(m->source) : hull_strfmt("%s/%s", bundle, m->source);
}

static int remount_flags(int rootfd, const struct hull_mount *m, struct hull_err *err);

/* src: what mount(2) binds (a path, or /proc/self/fd/N of the source), shown: its name. */
static int bind_at(const char *src, const struct stat *st, const char *shown, int rootfd,
		   const struct hull_mount *m, struct hull_err *err)
{
	cleanup_close int fd = -1;
	char target[HULL_FD_PATH_MAX];

	fd = hull_mkpath_in_root(rootfd, m->destination,
				 S_ISDIR(st->st_mode) ? HULL_MK_DIR : HULL_MK_FILE,
				 S_ISDIR(st->st_mode) ? 0755 : 0644, err);
	if (fd < 0)
		return -1;
	hull_fd_path(fd, target);
	if (mount(src, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
		return hull_error(err, errno, "bind mount `%s` on `%s`", shown, m->destination);
	return remount_flags(rootfd, m, err);
}

/* The bind itself ignores other flags: they take a remount of the new mount. */
static int remount_flags(int rootfd, const struct hull_mount *m, struct hull_err *err)
{
	if (m->flags & ~(MS_BIND | MS_REC | HULL_PROPAGATION_MASK)) {
		cleanup_close int nfd = hull_open_in_root(rootfd, m->destination, O_PATH, 0, err);
		char ntarget[HULL_FD_PATH_MAX];
		unsigned long fl;
		if (nfd < 0)
			return -1;
		hull_fd_path(nfd, ntarget);
		fl = (hull_vfs_flags(ntarget, HULL_LOCKED_FLAGS) & ~m->clear_flags) | m->flags;
		fl &= ~(MS_REC | HULL_PROPAGATION_MASK);
		if (mount(NULL, ntarget, NULL, fl | MS_BIND | MS_REMOUNT, NULL) < 0)
			return hull_error(err, errno, "remount bind mount `%s`", m->destination);
	}
	return 0;
}

int hull_bind_in_root(const char *bundle, int rootfd, const struct hull_mount *m,
		      struct hull_err *err)
{
	cleanup_free char *src = NULL;
	struct stat st;

	if (!m->source)
		return hull_error(err, EINVAL, "bind mount `%s` has no source", m->destination);
	/* the container level binds those from the runtime's detached mount: here (a VM's
	 * shared root) the mapping would be silently lost */
	if (hull_mount_idmapped(m))
		return hull_error(err, ENOTSUP,
				  "mount `%s`: idmapped mounts are supported at the container "
				  "isolation level only",
				  m->destination);
	src = source_path(bundle, m);
	if (stat(src, &st) < 0)
		return hull_error(err, errno, "bind mount source `%s`", src);
	return bind_at(src, &st, src, rootfd, m, err);
}

int hull_bind_fd_in_root(int srcfd, int rootfd, const struct hull_mount *m, struct hull_err *err)
{
	char src[HULL_FD_PATH_MAX];
	struct stat st;

	if (fstat(srcfd, &st) < 0)
		return hull_error(err, errno, "bind mount source `%s`", m->source);
	hull_fd_path(srcfd, src);
	return bind_at(src, &st, m->source, rootfd, m, err);
}

/* Which mounts the runtime opens: every bind mount in a user namespace, idmapped ones always. */
static bool opened_by_runtime(const struct hull_spec *spec, const struct hull_mount *m)
{
	return m->bind && m->source &&
	       (hull_mount_idmapped(m) || hull_spec_namespace(spec, CLONE_NEWUSER));
}

bool hull_bind_sources_needed(const struct hull_spec *spec)
{
	size_t i;
	for (i = 0; i < spec->n_mounts; i++)
		if (opened_by_runtime(spec, &spec->mounts[i]))
			return true;
	return false;
}

int hull_bind_tree_in_root(int tree, int rootfd, const struct hull_mount *m, struct hull_err *err)
{
	cleanup_close int fd = -1;
	struct stat st;

	if (fstat(tree, &st) < 0)
		return hull_error(err, errno, "bind mount source `%s`", m->source);
	fd = hull_mkpath_in_root(rootfd, m->destination,
				 S_ISDIR(st.st_mode) ? HULL_MK_DIR : HULL_MK_FILE,
				 S_ISDIR(st.st_mode) ? 0755 : 0644, err);
	if (fd < 0)
		return -1;
	if (syscall(SYS_move_mount, tree, "", fd, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return hull_error(err, errno, "mount `%s` on `%s`", m->source, m->destination);
	return remount_flags(rootfd, m, err);
}

/* send_sources' exit status when the init went away before it got the fds */
#define INIT_GONE 3

/* In a child of the runtime, inside the init's mount namespace: open every source, then send
 * them all; the first that cannot be opened is reported on errfd instead. */
__attribute__((noreturn)) static void send_sources(const struct hull_spec *spec, const char *bundle,
						   pid_t init, int sock, int errfd)
{
	cleanup_free char *ns = hull_strfmt("/proc/%d/ns/mnt", init);
	cleanup_free int *fds = xmalloc((spec->n_mounts + 1) * sizeof(int));
	struct hull_err err = {0};
	int nsfd = open(ns, O_RDONLY | O_CLOEXEC);
	size_t i;

	if (nsfd < 0 && (errno == ENOENT || errno == ESRCH))
		_exit(INIT_GONE);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNS) < 0) {
		hull_error(&err, errno, "join the container's mount namespace");
		goto fail;
	}
	for (i = 0; i < spec->n_mounts; i++) {
		const struct hull_mount *m = &spec->mounts[i];
		cleanup_free char *src = NULL;
		fds[i] = -1;
		if (!opened_by_runtime(spec, m))
			continue;
		src = source_path(bundle, m);
		if (hull_mount_idmapped(m)) {
			fds[i] = hull_idmap_tree(src, spec, m, &err);
			if (fds[i] < 0)
				goto fail;
			continue;
		}
		fds[i] = open(src, O_PATH | O_CLOEXEC);
		if (fds[i] < 0) {
			hull_error(&err, errno, "bind mount source `%s`", src);
			goto fail;
		}
	}
	for (i = 0; i < spec->n_mounts; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%zu", i);
		if (fds[i] >= 0 && hull_send_fd(sock, fds[i], name, &err) < 0) {
			/* the init is gone: what it said before it went is the error */
			if (err.errnum == EPIPE || err.errnum == ECONNRESET)
				_exit(INIT_GONE);
			goto fail;
		}
	}
	_exit(0);
fail:
	hull_write_all(errfd, err.msg, strlen(err.msg));
	_exit(1);
}

int hull_bind_sources_send(const struct hull_spec *spec, const char *bundle, pid_t init, int sock,
			   struct hull_err *err)
{
	char why[HULL_ERR_MAX];
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (!hull_bind_sources_needed(spec))
		return 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return hull_error(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return hull_error(err, errno, "fork");
	}
	if (pid == 0) {
		close(pipefd[0]);
		send_sources(spec, bundle, init, sock, pipefd[1]);
	}
	close(pipefd[1]);
	n = read(pipefd[0], why, sizeof(why) - 1);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n > 0) {
		why[n] = '\0';
		return hull_error(err, 0, "%s", why);
	}
	/* the init's own message follows on the sync socket: the caller reads it next */
	if (WIFEXITED(status) && WEXITSTATUS(status) == INIT_GONE)
		return 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return hull_error(err, EIO, "open the bind mount sources: helper failed");
	return 0;
}

int *hull_bind_sources_recv(const struct hull_spec *spec, int sock, struct hull_err *err)
{
	int *fds = xmalloc((spec->n_mounts + 1) * sizeof(int));
	size_t i;

	for (i = 0; i < spec->n_mounts; i++)
		fds[i] = -1;
	for (i = 0; i < spec->n_mounts; i++) {
		const struct hull_mount *m = &spec->mounts[i];
		if (!opened_by_runtime(spec, m))
			continue;
		fds[i] = hull_recv_fd(sock, err);
		if (fds[i] < 0) {
			hull_error_wrap(err, "bind mount source `%s`", m->source);
			while (i-- > 0)
				if (fds[i] >= 0)
					close(fds[i]);
			free(fds);
			return NULL;
		}
	}
	return fds;
}
