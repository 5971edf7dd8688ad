/* SPDX-License-Identifier: Apache-2.0 */
/* process.scheduler and process.ioPriority: names to the numbers sched_setattr(2) and
 * ioprio_set(2) take, checked when config.json is read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec/spec_parse.h"

static const char *const policies[] = {
	"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
	"SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", /* their numbers are their indexes
							  (linux/sched.h) */
};

static const char *const sched_flags[] = {
	"SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",     "SCHED_FLAG_DL_OVERRUN",
	"SCHED_FLAG_KEEP_POLICY",    "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
	"SCHED_FLAG_UTIL_CLAMP_MAX", /* bit i each (linux/sched.h) */
};

static const char *const io_classes[] = {
	NULL, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", /* by number */
};

#define IOPRIO_CLASS_SHIFT 13

static int index_of(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

static int parse_scheduler(yajl_val s, struct hull_sched *out, struct hull_err *err)
{
	static const char *const path = "process.scheduler";
	cleanup_free char *policy = NULL;
	char **flags = NULL;
	int64_t n;
	int i;

	if (sj_string(s, "policy", path, &policy, err) < 0)
		return -1;
	if (!policy)
		return hull_error(err, EINVAL, "config.json: `%s.policy` is required", path);
	i = index_of(policies, ARRAY_SIZE(policies), policy);
	if (i < 0)
		return hull_error(err, EINVAL, "config.json: `%s.policy`: unknown policy `%s`",
				  path, policy);
	out->policy = (uint32_t)i;
	if (sj_int(s, "nice", path, -20, 19, &n, err) < 0)
		return -1;
	out->nice = sj_get(s, "nice") ? (int32_t)n : 0;
	if (sj_int(s, "priority", path, 0, 99, &n, err) < 0)
		return -1;
	out->priority = sj_get(s, "priority") ? (uint32_t)n : 0;
	if (sj_u64(s, "runtime", path, &out->runtime, err) < 0 ||
	    sj_u64(s, "deadline", path, &out->deadline, err) < 0 ||
	    sj_u64(s, "period", path, &out->period, err) < 0 ||
	    sj_strv(s, "flags", path, &flags, err) < 0)
		return -1;
	for (size_t k = 0; flags && flags[k]; k++) {
		i = index_of(sched_flags, ARRAY_SIZE(sched_flags), flags[k]);
		if (i < 0) {
			hull_error(err, EINVAL, "config.json: `%s.flags`: unknown flag `%s`", path,
				   flags[k]);
			hull_strv_free(flags);
			return -1;
		}
		out->flags |= 1ULL << i;
	}
	hull_strv_free(flags);
	return 0;
}

static int parse_io_priority(yajl_val s, int *out, struct hull_err *err)
{
	static const char *const path = "process.ioPriority";
	cleanup_free char *class = NULL;
	int64_t prio = 0;
	int c;

	if (sj_string(s, "class", path, &class, err) < 0 ||
	    sj_int(s, "priority", path, 0, 7, &prio, err) < 0)
		return -1;
	if (!class)
		return hull_error(err, EINVAL, "config.json: `%s.class` is required", path);
	c = index_of(io_classes, ARRAY_SIZE(io_classes), class);
	if (c < 0)
		return hull_error(err, EINVAL, "config.json: `%s.class`: unknown class `%s`", path,
				  class);
	*out = c << IOPRIO_CLASS_SHIFT | (int)prio;
	return 0;
}

int hull_spec_parse_sched(yajl_val j, struct hull_process *p, struct hull_err *err)
{
	yajl_val v = NULL;
	int r;

	if ((r = sj_object(j, "scheduler", "process", &v, err)) < 0)
		return -1;
	if (r) {
		if (parse_scheduler(v, &p->sched, err) < 0)
			return -1;
		p->has_sched = true;
	}
	v = NULL;
	if ((r = sj_object(j, "ioPriority", "process", &v, err)) < 0)
		return -1;
	if (r) {
		if (parse_io_priority(v, &p->io_priority, err) < 0)
			return -1;
		p->has_io_priority = true;
	}
	return 0;
}
