/* SPDX-License-Identifier: Apache-2.0 */
/* process.scheduler and process.ioPriority, applied in the process itself before it drops its
 * privileges (a real-time policy needs CAP_SYS_NICE, the real-time I/O class CAP_SYS_ADMIN), as
 * runc does in the init and an exec'd process. */
#include <errno.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/executor/process.h"

/* sched_setattr(2)'s argument, its first published layout (libc has no wrapper, and the
 * kernel header's struct clashes with libc's sched.h) */
struct sched_attr_v0 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

static int set_scheduler(const struct hull_scheduler *s, struct hull_err *err)
{
	struct sched_attr_v0 a = {
		.size = sizeof(a),
		.sched_policy = (uint32_t)s->policy,
		.sched_flags = s->flags,
		.sched_nice = s->nice,
		.sched_priority = (uint32_t)s->priority,
		.sched_runtime = s->runtime,
		.sched_deadline = s->deadline,
		.sched_period = s->period,
	};
	if (syscall(SYS_sched_setattr, 0, &a, 0) == 0)
		return 0;
	/* with real-time group scheduling (v1 cpu), a cgroup without a budget takes no
	 * real-time task: root or not, the kernel says EPERM */
	if (errno == EPERM && (s->policy == SCHED_FIFO || s->policy == SCHED_RR))
		return hull_error(err, errno,
				  "set the real-time scheduler (policy %d, priority %d): the "
				  "container's cgroup may need a real-time budget "
				  "(linux.resources.cpu.realtimeRuntime)",
				  s->policy, s->priority);
	return hull_error(err, errno, "set the scheduler (policy %d, priority %d, nice %d)",
			  s->policy, s->priority, s->nice);
}

int hull_process_sched(const struct hull_process *p, struct hull_err *err)
{
	const struct hull_io_priority *io = &p->io_priority;

	if (p->scheduler.set && set_scheduler(&p->scheduler, err) < 0)
		return -1;
	if (io->set && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
			       IOPRIO_PRIO_VALUE(io->io_class, io->level)) < 0)
		return hull_error(err, errno, "set the I/O priority (class %d, level %d)",
				  io->io_class, io->level);
	return 0;
}
