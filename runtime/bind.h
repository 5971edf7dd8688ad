/* Bind mounts of the spec, confined to a root directory. */
#ifndef HULL_BIND_H
#define HULL_BIND_H

#include "lib/err.h"
#include "runtime/spec/spec.h"

/* m (a bind or rbind mount of the spec) on its destination inside rootfd: the destination is
 * made (a directory or a file, as the source is) and resolved inside the root, so a symlink
 * cannot lead it out; recursive only for rbind; the mount's other flags by a remount that
 * keeps the flags the kernel locks.  A relative source is taken from bundle. */
int hull_bind_in_root(const char *bundle, int rootfd, const struct hull_mount *m,
		      struct hull_err *err);

#endif
