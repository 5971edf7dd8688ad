/* SPDX-License-Identifier: Apache-2.0 */
/* Exit statuses with a meaning of their own, as docker, runc and a shell use them: the ones
 * a process that never started reports (the host runtime, the VM guest, hooks, helpers). */
#ifndef HULL_EXITCODE_H
#define HULL_EXITCODE_H

#define HULL_EXIT_ERROR	     125 /* hull's own failure (docker's) */
#define HULL_EXIT_CANNOT_RUN 126 /* the command exists but cannot be invoked */
#define HULL_EXIT_NOT_FOUND  127 /* the command was not found (or a helper's exec failed) */

/* The status of a process whose exec failed with errno e. */
#define HULL_EXIT_FOR_EXEC_ERRNO(e) ((e) == ENOENT ? HULL_EXIT_NOT_FOUND : HULL_EXIT_CANNOT_RUN)

#endif
