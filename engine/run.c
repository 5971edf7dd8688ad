/* hull run: engine/prepare.c makes the container (name, record, rootfs, config.json), the
 * monitor (engine/monitor.c) runs it.  `hull run` and `hull compare` both come here. */
#include "engine/run.h"

#include <errno.h>
#include <string.h>

#include "engine/events.h"
#include "engine/monitor.h"
#include "engine/ops.h"
#include "engine/volume.h"
#include "lib/exitcode.h"

int hull_engine_run(const struct hull_engine *e, const struct hull_run_opts *o, struct hull_ctr *c,
		    int *status, struct hull_err *err)
{
	struct hull_err rerr = {0};
	int rc;

	*status = 0;
	if (hull_run_prepare(e, o, c, err) < 0)
		return -1;
	hull_event_emit(e, c, "create", NULL);
	if (o->detach) {
		rc = hull_monitor_spawn(e, c, err);
	} else {
		struct hull_monitor_opts mo = {.e = e, .c = c, .attach = true, .ready_fd = -1};
		rc = hull_monitor_run(&mo, status, err);
	}
	if (rc < 0) {
		hull_ctr_remove(e, c->id, true, &rerr);
		/* never started: its anonymous volumes go too */
		hull_volumes_release(e, c->id, true, NULL);
	}
	return rc;
}

int hull_start_failure_status(const struct hull_err *err)
{
	/* the runtime names the program it could not exec: "exec `x`: ..." */
	if (!strstr(err->msg, "exec `"))
		return HULL_EXIT_ERROR;
	if (err->errnum == ENOENT || err->errnum == ENOTDIR)
		return HULL_EXIT_NOT_FOUND;
	if (err->errnum == EACCES || err->errnum == ENOEXEC || err->errnum == EPERM)
		return HULL_EXIT_CANNOT_RUN;
	return HULL_EXIT_ERROR;
}
