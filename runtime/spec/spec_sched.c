/* SPDX-License-Identifier: Apache-2.0 */
/* config.json `process.scheduler` and `process.ioPriority`: how the workload is scheduled,
 * checked as runc checks them, and a SCHED_DEADLINE budget as the kernel would check it, so
 * the error names the field instead of being sched_setattr's EINVAL in the init. */
#include <errno.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec/spec_parse.h"

/* the levels runc accepts: those of the best-effort and real-time classes */
#define IO_LEVEL_MAX (IOPRIO_BE_NR - 1)

static const struct {
	const char *name;
	int io_class;
} io_classes[] = {
	{"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
	{"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
	{"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
};

/* reserved by the kernel, never implemented, but a name the spec lists */
#define SCHED_ISO_RESERVED 4
/* the kernel's bounds for a SCHED_DEADLINE runtime (DL_SCALE) and any of its times */
#define DL_RUNTIME_MIN (1ULL << 10)
#define DL_TIME_MAX    (1ULL << 63)
#define NICE_MIN       (-20)
#define NICE_MAX       19

static const struct {
	const char *name;
	int policy;
} policies[] = {
	{"SCHED_OTHER", SCHED_NORMAL},
	{"SCHED_FIFO", SCHED_FIFO},
	{"SCHED_RR", SCHED_RR},
	{"SCHED_BATCH", SCHED_BATCH},
	{"SCHED_ISO", SCHED_ISO_RESERVED},
	{"SCHED_IDLE", SCHED_IDLE},
	{"SCHED_DEADLINE", SCHED_DEADLINE},
};

static const struct {
	const char *name;
	uint64_t flag;
} sched_flags[] = {
	{"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
	{"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
	{"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
	{"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
	{"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
	{"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
	{"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
};

static int parse_flags(yajl_val o, const char *path, uint64_t *out, struct hull_err *err)
{
	char **names = NULL;
	size_t i, k;
	int ret = 0;

	if (sj_strv(o, "flags", path, &names, err) < 0)
		return -1;
	for (i = 0; names && names[i] && ret == 0; i++) {
		for (k = 0; k < ARRAY_SIZE(sched_flags); k++)
			if (!strcmp(names[i], sched_flags[k].name))
				break;
		if (k == ARRAY_SIZE(sched_flags))
			ret = hull_error(err, EINVAL, "config.json: `%s.flags`: unknown flag `%s`",
					 path, names[i]);
		else
			*out |= sched_flags[k].flag;
	}
	hull_strv_free(names);
	return ret;
}

/* What __checkparam_dl() refuses: a runtime under 1024 ns, runtime <= deadline <= period
 * broken (a period of 0 is the deadline), a time of 2^63 ns or more. */
static int check_deadline(const struct hull_scheduler *s, const char *path, struct hull_err *err)
{
	uint64_t period = s->period ? s->period : s->deadline;

	if (!s->runtime || !s->deadline)
		return hull_error(
			err, EINVAL,
			"config.json: `%s`: SCHED_DEADLINE needs `runtime` and `deadline`", path);
	if (s->runtime < DL_RUNTIME_MIN || s->deadline >= DL_TIME_MAX || period >= DL_TIME_MAX)
		return hull_error(err, EINVAL,
				  "config.json: `%s`: SCHED_DEADLINE times must be between %llu ns "
				  "(runtime) and 2^63 ns",
				  path, DL_RUNTIME_MIN);
	if (s->runtime > s->deadline || s->deadline > period)
		return hull_error(err, EINVAL,
				  "config.json: `%s`: SCHED_DEADLINE needs runtime <= deadline <= "
				  "period",
				  path);
	return 0;
}

static int parse_scheduler(yajl_val o, struct hull_scheduler *s, struct hull_err *err)
{
	const char *path = "process.scheduler";
	cleanup_free char *policy = NULL;
	int64_t nice = 0, prio = 0;
	size_t i;

	if (sj_string(o, "policy", path, &policy, err) < 0 ||
	    sj_int(o, "nice", path, NICE_MIN, NICE_MAX, &nice, err) < 0 ||
	    sj_int(o, "priority", path, 0, INT32_MAX, &prio, err) < 0 ||
	    sj_u64(o, "runtime", path, &s->runtime, err) < 0 ||
	    sj_u64(o, "deadline", path, &s->deadline, err) < 0 ||
	    sj_u64(o, "period", path, &s->period, err) < 0 ||
	    parse_flags(o, path, &s->flags, err) < 0)
		return -1;
	if (!policy)
		return hull_error(err, EINVAL, "config.json: `%s.policy` is required", path);
	s->policy = -1;
	for (i = 0; i < ARRAY_SIZE(policies); i++)
		if (!strcmp(policy, policies[i].name))
			s->policy = policies[i].policy;
	if (s->policy < 0)
		return hull_error(err, EINVAL, "config.json: `%s.policy`: unknown policy `%s`",
				  path, policy);
	s->nice = (int)nice;
	s->priority = (int)prio;
	if (prio && s->policy != SCHED_FIFO && s->policy != SCHED_RR)
		return hull_error(err, EINVAL,
				  "config.json: `%s.priority` is for SCHED_FIFO and SCHED_RR only",
				  path);
	if (s->policy != SCHED_DEADLINE && (s->runtime || s->deadline || s->period))
		return hull_error(err, EINVAL,
				  "config.json: `%s`: runtime, deadline and period are for "
				  "SCHED_DEADLINE only",
				  path);
	if (s->policy == SCHED_DEADLINE && check_deadline(s, path, err) < 0)
		return -1;
	s->set = true;
	return 0;
}

static int parse_io_priority(yajl_val o, struct hull_io_priority *io, struct hull_err *err)
{
	const char *path = "process.ioPriority";
	cleanup_free char *cls = NULL;
	int64_t level = 0;
	size_t i;

	if (sj_string(o, "class", path, &cls, err) < 0 ||
	    sj_int(o, "priority", path, 0, IO_LEVEL_MAX, &level, err) < 0)
		return -1;
	if (!cls)
		return hull_error(err, EINVAL, "config.json: `%s.class` is required", path);
	io->io_class = 0;
	for (i = 0; i < ARRAY_SIZE(io_classes); i++)
		if (!strcmp(cls, io_classes[i].name))
			io->io_class = io_classes[i].io_class;
	if (!io->io_class)
		return hull_error(err, EINVAL, "config.json: `%s.class`: unknown class `%s`", path,
				  cls);
	io->level = (int)level;
	io->set = true;
	return 0;
}

int hull_spec_parse_sched(yajl_val j, struct hull_process *p, struct hull_err *err)
{
	yajl_val v = NULL;
	int r;

	if ((r = sj_object(j, "scheduler", "process", &v, err)) < 0 ||
	    (r && parse_scheduler(v, &p->scheduler, err) < 0))
		return -1;
	v = NULL;
	if ((r = sj_object(j, "ioPriority", "process", &v, err)) < 0 ||
	    (r && parse_io_priority(v, &p->io_priority, err) < 0))
		return -1;
	return 0;
}
