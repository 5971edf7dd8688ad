/* SPDX-License-Identifier: Apache-2.0 */
/* hull-oci: the runc-compatible front end.  Commands parse their flags, call runtime/, and
 * return an exit status; errors come back in err and main() prints them, once. */
#ifndef HULL_OCI_CLI_H
#define HULL_OCI_CLI_H

#include <stdbool.h>

#include "lib/err.h"

struct oci_globals {
	const char *root;
	bool root_given; /* --root: list fails when it does not exist (runc's) */
	const char *log;
	const char *log_format;
	bool debug;
	bool systemd_cgroup;
	const char *level_by_name; /* invoked as hull-oci-vm: "vm" */
};

/* Usage errors set err and return -1 like any other error; main() prints them. */
int cmd_create(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_run(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_exec(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_ps(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_start(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_kill(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_delete(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_state(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_list(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_spec(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_pause(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_resume(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_update(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_events(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_features(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);
int cmd_install(const struct oci_globals *g, int argc, char **argv, struct hull_err *err);

/* "hull-oci CMD: missing container ID" style usage error. */
int usage_error(struct hull_err *err, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
