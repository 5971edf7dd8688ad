/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime's log: text or runc's JSON line format ({"level":..,"msg":..,"time":..}), to the
 * --log file, or to stderr when none is given.  Errors always reach stderr too. */
#ifndef HULL_LOG_H
#define HULL_LOG_H

#include <stdbool.h>

enum hull_log_level { HULL_LOG_DEBUG, HULL_LOG_INFO, HULL_LOG_WARN, HULL_LOG_ERROR };

/* path may be NULL (stderr only); format is "text" or "json".  Returns -1 with err set if the
 * file cannot be opened or the format is unknown. */
struct hull_err;
int hull_log_init(const char *path, const char *format, bool debug, struct hull_err *err);
void hull_log(enum hull_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define hull_debug(...) hull_log(HULL_LOG_DEBUG, __VA_ARGS__)
#define hull_warn(...)	hull_log(HULL_LOG_WARN, __VA_ARGS__)
/* "hull-oci" or "hull", for the lines written to stderr. */
void hull_log_set_program(const char *name);
/* cmd/ prints errors to stderr itself; hull_log(HULL_LOG_ERROR) only reaches the log file. */
/* Whether debug lines are wanted (to skip building expensive messages). */
bool hull_log_debug_enabled(void);
/* Close the log fd in a child that is about to exec (the workload must not inherit it). */
int hull_log_fd(void);

#endif
