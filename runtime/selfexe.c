/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Re-executing the runtime from a binary the container cannot write.  Without it, the init
 * (and an exec'd process before its execve) has the host's hull-oci as /proc/self/exe; a
 * workload that makes the runtime exec `#!/proc/self/exe`, or a process with CAP_SYS_PTRACE
 * in the container, could open that file and rewrite it once the runtime exits.
 */
#include "runtime/selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"

/* set across our own re-exec: never loop, even on a file system we misjudge */
#define REEXEC_ENV "_HULL_SELFEXE"

extern char **environ;

static bool protected_exe(int fd)
{
	struct statvfs sv;
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals >= 0 && (seals & F_SEAL_WRITE))
		return true;
	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* A detached, read-only overlayfs whose top layer is the binary's directory.  overlayfs
 * without an upper layer needs two lower ones: an empty tmpfs, also detached, is the other. */
static int overlay_view(const char *exe, struct hull_err *err)
{
	cleanup_free char *dir = xstrdup(exe), *lower = NULL;
	cleanup_close int tctx = -1, tmnt = -1, octx = -1, omnt = -1;
	char *slash = strrchr(dir, '/');
	const char *base;
	int fd;

	if (!slash || strpbrk(dir, ":,\\"))
		return hull_error(err, EINVAL, "binary path `%s` cannot be an overlay layer", exe);
	*slash = '\0';
	base = slash + 1;
	tctx = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (tctx < 0 || fsconfig(tctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return hull_error(err, errno, "empty tmpfs for the overlay");
	tmnt = fsmount(tctx, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
	if (tmnt < 0)
		return hull_error(err, errno, "mount the empty tmpfs");
	lower = hull_strfmt("%s:/proc/self/fd/%d", *dir ? dir : "/", tmnt);
	octx = fsopen("overlay", FSOPEN_CLOEXEC);
	if (octx < 0 || fsconfig(octx, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
	    fsconfig(octx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return hull_error(err, errno, "overlay of `%s`", dir);
	omnt = fsmount(octx, FSMOUNT_CLOEXEC,
		       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	if (omnt < 0)
		return hull_error(err, errno, "mount the overlay of `%s`", dir);
	fd = openat(omnt, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return hull_error(err, errno, "open `%s` in the overlay", base);
	return fd;
}

static int memfd_copy(struct hull_err *err)
{
	cleanup_close int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;
	off_t off = 0;
	int fd;

	if (src < 0 || fstat(src, &st) < 0)
		return hull_error(err, errno, "open /proc/self/exe");
	fd = memfd_create("hull-oci", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return hull_error(err, errno, "memfd_create");
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, src, &off, (size_t)(st.st_size - off));
		if (n <= 0) {
			hull_error(err, n < 0 ? errno : EIO, "copy the runtime binary");
			close(fd);
			return -1;
		}
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
		hull_error(err, errno, "seal the runtime binary's copy");
		close(fd);
		return -1;
	}
	return fd;
}

/* The binary's own path, as it was before the re-exec (which hides it). */
static char original[PATH_MAX];

const char *hull_selfexe_path(void)
{
	if (!original[0]) {
		ssize_t n = readlink("/proc/self/exe", original, sizeof(original) - 1);
		original[n > 0 ? n : 0] = '\0';
	}
	return original;
}

int hull_selfexe_protect(char **argv, struct hull_err *err)
{
	cleanup_close int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	char exe[PATH_MAX];
	struct hull_err why = {0};
	ssize_t n;
	int fd;

	if (self < 0)
		return hull_error(err, errno, "open /proc/self/exe");
	if (getenv(REEXEC_ENV)) {
		snprintf(original, sizeof(original), "%s", getenv(REEXEC_ENV));
		unsetenv(REEXEC_ENV);
		/* the marker is only a loop guard: a caller's environment cannot vouch for us */
		if (!protected_exe(self))
			return hull_error(
				err, EPERM,
				"re-executed, but the runtime binary `%s` is still writable "
				"(a stray " REEXEC_ENV " in the environment?)",
				original);
		return 0;
	}
	if (protected_exe(self))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return hull_error(err, errno, "readlink /proc/self/exe");
	exe[n] = '\0';
	fd = overlay_view(exe, &why);
	if (fd < 0) {
		hull_debug("read-only overlay of the runtime binary: %s; using a sealed copy",
			   why.msg);
		fd = memfd_copy(err);
		if (fd < 0)
			return hull_error_wrap(err, "protect the runtime binary");
	}
	/* the marker carries the path: assets next to the binary are found by it */
	setenv(REEXEC_ENV, exe, 1);
	execveat(fd, "", argv, environ, AT_EMPTY_PATH);
	hull_error(err, errno, "re-execute the runtime from its read-only view");
	unsetenv(REEXEC_ENV);
	close(fd);
	return -1;
}

int hull_selfexe_check(struct hull_err *err)
{
	cleanup_close int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		return hull_error(err, errno, "open /proc/self/exe");
	if (!protected_exe(self))
		return hull_error(
			err, EPERM,
			"the runtime binary `%s` is writable: a process put into a "
			"container could overwrite it (CVE-2019-5736); the front end must "
			"call hull_selfexe_protect first",
			hull_selfexe_path());
	return 0;
}
