/* SPDX-License-Identifier: Apache-2.0 */
/* What pull, push, login and run's --pull share: registry flags and a pull with progress. */
#ifndef HULL_CMD_REGCLI_H
#define HULL_CMD_REGCLI_H

#include <stdbool.h>

#include "cmd/hull/cli.h"
#include "image/pull.h"

/* --creds USER[:PASSWORD]: *user is replaced (malloc'd), password points into arg; -1 when
 * there is no user. */
int parse_creds(const char *arg, char **user, const char **password);
/* --tls-verify true|false */
int parse_tls_verify(const char *cmd, const char *arg, bool *insecure, struct hull_err *err);
/* Pull ref into g's store with per-layer progress on standard error unless quiet. */
int pull_image(const struct hull_globals *g, const char *ref, const struct hull_pull_opts *o,
	       bool quiet, struct hull_image *img, struct hull_err *err);

cmd_fn cmd_push, cmd_login, cmd_logout;

#endif
