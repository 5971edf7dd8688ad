/* SPDX-License-Identifier: Apache-2.0 */
/* Bind mounts of the spec, confined to a root directory. */
#ifndef HULL_BIND_H
#define HULL_BIND_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/spec/spec.h"

/* m (a bind or rbind mount of the spec) on its destination inside rootfd: the destination is
 * made (a directory or a file, as the source is) and resolved inside the root, so a symlink
 * cannot lead it out; recursive only for rbind; the mount's other flags by a remount that
 * keeps the flags the kernel locks.  A relative source is taken from bundle.  An idmapped
 * mount is refused here: only the runtime can make one (hull_bind_tree_in_root). */
int hull_bind_in_root(const char *bundle, int rootfd, const struct hull_mount *m,
		      struct hull_err *err);
/* The same with the source already open (an O_PATH fd from hull_bind_sources_recv). */
int hull_bind_fd_in_root(int srcfd, int rootfd, const struct hull_mount *m, struct hull_err *err);
/* The same with a detached mount (an idmapped one, runtime/idmap.h) moved into place. */
int hull_bind_tree_in_root(int tree, int rootfd, const struct hull_mount *m, struct hull_err *err);

/*
 * In a user namespace the container's root cannot reach what its host uid cannot (a source
 * under /root, a bundle in a 0700 directory), so the runtime opens the sources, as runc and
 * crun do: a child of the runtime joins the init's new mount namespace (so the init binds a
 * mount of its own namespace, with the flags the kernel locked there) and sends the fds over
 * the sync socket right after SYNC_GO, one per bind mount, in the spec's order.  An idmapped
 * mount's is always made there, as a detached idmapped mount (runtime/idmap.h).
 */
/* Whether the spec has bind mounts in a user namespace, or idmapped ones: then both sides
 * do this. */
bool hull_bind_sources_needed(const struct hull_spec *spec);
/* The runtime, after SYNC_GO; the first source that cannot be opened is the error. */
int hull_bind_sources_send(const struct hull_spec *spec, const char *bundle, pid_t init, int sock,
			   struct hull_err *err);
/* The init, after SYNC_GO: one fd per spec mount, -1 where the runtime opened nothing. */
int *hull_bind_sources_recv(const struct hull_spec *spec, int sock, struct hull_err *err);

#endif
