/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks: run each with the container state on stdin, honouring its timeout. */
#ifndef HULL_HOOKS_H
#define HULL_HOOKS_H

#include "lib/err.h"
#include "runtime/spec/spec.h"

/* Run the hooks of list in order; stop at the first that fails (non-zero exit, killed, or
 * timed out), with an error naming the phase ("prestart"), the hook path and the cause. */
int hull_hooks_run(const struct hull_hook_list *list, const char *phase, const char *state_json,
		   struct hull_err *err);

#endif
