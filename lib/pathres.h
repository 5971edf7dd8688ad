/* SPDX-License-Identifier: Apache-2.0 */
/* Resolving bundle/image paths inside a root directory without ever leaving it. */
#ifndef HULL_PATHRES_H
#define HULL_PATHRES_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"

/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): symlinks, "..", and absolute targets are
 * resolved as if rootfd were "/", so nothing outside it can be reached. */
int hull_open_in_root(int rootfd, const char *path, int flags, mode_t mode, struct hull_err *err);

enum hull_mkpath_kind { HULL_MK_DIR, HULL_MK_FILE };

/* Make path (and its missing parents) inside rootfd, as a directory or an empty file, and
 * return an O_PATH fd to it.  An existing entry of the wrong kind is an error naming it. */
int hull_mkpath_in_root(int rootfd, const char *path, enum hull_mkpath_kind kind, mode_t mode,
			struct hull_err *err);

/* "/proc/self/fd/N" for mounting onto an fd: the kernel then mounts on the resolved object,
 * not on whatever the path names by the time mount(2) runs. */
#define HULL_FD_PATH_MAX 32
void hull_fd_path(int fd, char buf[HULL_FD_PATH_MAX]);

#endif
