/* SPDX-License-Identifier: Apache-2.0 */
/* Keep the runtime's own binary out of the container's reach (CVE-2019-5736). */
#ifndef HULL_SELFEXE_H
#define HULL_SELFEXE_H

#include "lib/err.h"

/* Before a command starts or enters a container: unless /proc/self/exe already is read-only
 * (a read-only mount or a sealed memfd), re-execute the runtime from a read-only view of its
 * binary, so that a container process that gets hold of /proc/<pid>/exe of the init or of
 * an exec'd process (or runs it through `#!/proc/self/exe`) cannot write the host's file.
 * The view is a detached read-only overlayfs mount of the binary's directory (no copy, no
 * mount in any namespace); where that is not allowed, a sealed memfd copy.  Returns only on
 * error, or when already protected. */
int hull_selfexe_protect(char **argv, struct hull_err *err);

/* Fail closed: an error unless /proc/self/exe is read-only.  create and exec call it before
 * they put a process into a container, so a front end that forgot hull_selfexe_protect (or
 * a library caller) cannot expose its binary. */
int hull_selfexe_check(struct hull_err *err);

/* The path of the runtime's binary on the host, also after that re-execution. */
const char *hull_selfexe_path(void);

#endif
