/* SPDX-License-Identifier: Apache-2.0 */
/* process.ioPriority, applied in the process itself before it drops its privileges (the
 * real-time I/O class needs CAP_SYS_ADMIN), as runc does in the init and an exec'd process. */
#include <errno.h>
#include <linux/ioprio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/executor/process.h"

int hull_process_sched(const struct hull_process *p, struct hull_err *err)
{
	const struct hull_io_priority *io = &p->io_priority;

	if (io->set && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
			       IOPRIO_PRIO_VALUE(io->io_class, io->level)) < 0)
		return hull_error(err, errno, "set the I/O priority (class %d, level %d)",
				  io->io_class, io->level);
	return 0;
}
