/* SPDX-License-Identifier: Apache-2.0 */
/* Mount options of the spec -> mount(2) flags, propagation, mount_setattr attributes, data. */
#ifndef HULL_MOUNT_OPTS_H
#define HULL_MOUNT_OPTS_H

#include "lib/err.h"
#include "runtime/spec/spec.h"

int hull_mount_parse_options(struct hull_mount *m, struct hull_err *err);

/* The option names hull understands (for `features`), NULL-terminated. */
extern const char *const hull_mount_option_names[];

#endif
