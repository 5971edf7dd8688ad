/* A bind mount of the spec inside a root directory, for both isolation levels: the container
 * executor's rootfs and the VM's shared root (which virtiofsd serves). */
#include "runtime/bind.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "lib/pathres.h"
#include "lib/util.h"
#include "lib/vfsflags.h"

int hull_bind_in_root(const char *bundle, int rootfd, const struct hull_mount *m,
		      struct hull_err *err)
{
	cleanup_free char *src = NULL;
	cleanup_close int fd = -1;
	char target[HULL_FD_PATH_MAX];
	struct stat st;

	if (!m->source)
		return hull_error(err, EINVAL, "bind mount `%s` has no source", m->destination);
	src = m->source[0] == '/' ? xstrdup(m->source) : hull_strfmt("%s/%s", bundle, m->source);
	if (stat(src, &st) < 0)
		return hull_error(err, errno, "bind mount source `%s`", src);
	fd = hull_mkpath_in_root(rootfd, m->destination,
				 S_ISDIR(st.st_mode) ? HULL_MK_DIR : HULL_MK_FILE,
				 S_ISDIR(st.st_mode) ? 0755 : 0644, err);
	if (fd < 0)
		return -1;
	hull_fd_path(fd, target);
	if (mount(src, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
		return hull_error(err, errno, "bind mount `%s` on `%s`", src, m->destination);
	/* The bind itself ignores other flags: they take a remount of the new mount. */
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
