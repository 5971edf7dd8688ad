/* SPDX-License-Identifier: Apache-2.0 */
/* Points in time as docker's --since/--until take them. */
#ifndef HULL_TIMEARG_H
#define HULL_TIMEARG_H

#include <stdint.h>

#include "lib/err.h"

/* s is a Go duration before now ("10m", "1h30m", "2.5s", "500ms"), a Unix time with an
 * optional fraction ("1700000000.5"), or an RFC 3339 date and time ("2026-12-06",
 * "2026-12-06T07:45:00", "...Z", "...+01:00", with fractions); no zone is UTC.  *ns: since the
 * epoch.  now_ns: the present, for durations. */
int hull_parse_time_arg(const char *s, int64_t now_ns, int64_t *ns, struct hull_err *err);

/* A CRI log record's time ("2026-12-06T07:38:06.604751642Z") in ns since the epoch; -1 when it
 * is not one. */
int64_t hull_rfc3339_ns(const char *s, size_t len);

/* The present in RFC 3339 with nanoseconds, UTC ("2026-12-06T07:38:06.604751642Z"), as OCI
 * state, docker and image configs write it; to be freed. */
char *hull_now_rfc3339(void);

#endif
