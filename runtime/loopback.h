/* SPDX-License-Identifier: Apache-2.0 */
/* A new network namespace's loopback interface. */
#ifndef HULL_LOOPBACK_H
#define HULL_LOOPBACK_H

#include "lib/err.h"

/* In the namespace: lo up (nothing when it already is). */
int hull_loopback_up(struct hull_err *err);

#endif
