/* hull: the Docker-style front end.  Commands parse their flags, call engine/, image/ and
 * runtime/, print, and return an exit status; errors come back in err and main() prints them
 * once.  Exit statuses follow docker: 125 for hull's own errors, 126 when the command cannot be
 * invoked, 127 when it is not found, otherwise the workload's. */
#ifndef HULL_CLI_H
#define HULL_CLI_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "runtime/err.h"

#define EXIT_HULL	125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND	127

struct hull_globals {
	const char *root;
	const char *runroot;
	bool debug;
};

/* A command returns its exit status, or -1 with err set (main prints it, exits 125). */
typedef int cmd_fn(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);

cmd_fn cmd_run, cmd_exec, cmd_ps, cmd_logs, cmd_stop, cmd_kill, cmd_rm, cmd_inspect, cmd_wait;

/* "hull CMD: ..." usage error, returns -1. */
int usage_error(struct hull_err *err, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Open the engine (records and runtime state) the globals name. */
int open_engine(const struct hull_globals *g, struct hull_engine *e, struct hull_err *err);

/* The exit status for a failure to start a process: 126, 127 or 125. */
int start_failure_status(const struct hull_err *err);

/* "3 seconds ago", "About a minute ago", ... for an RFC 3339 time. */
char *human_since(const char *rfc3339, bool ago);

#endif
