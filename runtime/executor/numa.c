/* SPDX-License-Identifier: Apache-2.0 */
/* linux.memoryPolicy, set in the container's init just before it execs the workload, which
 * inherits it (as do the processes it forks); the kernel refuses what the host cannot do. */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/executor/process.h"

int hull_mem_policy_apply(const struct hull_linux *lx, struct hull_err *err)
{
	const struct hull_mem_policy *mp = lx ? &lx->mem_policy : NULL;

	if (!mp || !mp->set)
		return 0;
	/* the kernel reads maxnode - 1 bits of the mask */
	if (syscall(SYS_set_mempolicy, mp->mode | (int)mp->flags, mp->has_nodes ? mp->nodes : NULL,
		    mp->has_nodes ? HULL_NUMA_NODES_MAX + 1UL : 0UL) < 0)
		return hull_error(err, errno, "set the memory policy (linux.memoryPolicy, mode %d)",
				  mp->mode);
	return 0;
}
