/* SPDX-License-Identifier: Apache-2.0 */
/* Signal names <-> numbers, as kill(1), runc and docker accept them. */
#ifndef HULL_SIGNALS_H
#define HULL_SIGNALS_H

#include "lib/err.h"

/* Accepts "9", "KILL", "SIGKILL", "sigkill", "RTMIN+3", "SIGRTMAX-1".  Unknown: -1 with err
 * "unknown signal `X`". */
int hull_parse_signal(const char *s, struct hull_err *err);
/* "SIGTERM" (static storage), or NULL if unknown. */
const char *hull_signal_name(int sig);

#endif
