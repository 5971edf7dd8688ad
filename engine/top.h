/* SPDX-License-Identifier: Apache-2.0 */
/* hull top: the processes of a container, as ps(1) shows them. */
#ifndef HULL_ENGINE_TOP_H
#define HULL_ENGINE_TOP_H

#include "engine/ctr.h"
#include "lib/err.h"

/* ps with ps_args (NULL-terminated; none: -ef) over the container's processes, to stdout.
 * A container: the host's ps, only the rows of the container's pids (docker's way).  A VM:
 * ps inside the guest, which is where the workload's processes are. */
int hull_ctr_top(const struct hull_engine *e, const struct hull_ctr *c, char *const *ps_args,
		 struct hull_err *err);

#endif
