/* SPDX-License-Identifier: Apache-2.0 */
/* config.json `process.ioPriority`: how the workload is scheduled, checked as runc checks it
 * (the kernel checks the rest when the init applies it). */
#include <errno.h>
#include <linux/ioprio.h>
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

	if ((r = sj_object(j, "ioPriority", "process", &v, err)) < 0 ||
	    (r && parse_io_priority(v, &p->io_priority, err) < 0))
		return -1;
	return 0;
}
