/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Idmapped bind mounts (a mount's uidMappings/gidMappings, or the idmap and ridmap options
 * with the container's own mappings), as runc and crun make them: the runtime, privileged on
 * the host, clones the source into a detached mount (open_tree), gives it a user namespace
 * holding the mappings (mount_setattr MOUNT_ATTR_IDMAP, which a process inside a user
 * namespace cannot do for a host file system) and hands it to the init, which moves it onto
 * its destination resolved inside the root (runtime/bind.h).  A file a mapping's containerID
 * owns on disk shows as owned by its hostID.
 */
#ifndef HULL_IDMAP_H
#define HULL_IDMAP_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/spec/spec.h"

/* Whether m is to be idmapped. */
bool hull_mount_idmapped(const struct hull_mount *m);
/* The detached, idmapped clone of src for m (recursive for rbind; its idmap too for ridmap). */
int hull_idmap_tree(const char *src, const struct hull_spec *spec, const struct hull_mount *m,
		    struct hull_err *err);

#endif
