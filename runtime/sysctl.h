/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel knobs of the container: linux.sysctl and linux.personality. */
#ifndef HULL_SYSCTL_H
#define HULL_SYSCTL_H

#include <yajl/yajl_tree.h>

#include "lib/err.h"
#include "runtime/spec/spec.h"

/* In the runtime, before create: every key must belong to a namespace the container has of
 * its own (net.* a network namespace, kernel.shm*... an IPC one, kernel.hostname a UTS one),
 * as runc checks; an error names the key. */
int hull_sysctl_check(const struct hull_spec *spec, struct hull_err *err);
/* In the init, once the container's /proc is mounted: write them under /proc/sys. */
int hull_sysctl_apply(const struct hull_spec *spec, struct hull_err *err);

/* linux.personality -> the personality(2) value; 0 with *set == false when absent. */
int hull_personality_parse(yajl_val p, unsigned long *persona, bool *set, struct hull_err *err);
/* In the init, just before the workload's seccomp filter and exec. */
int hull_personality_apply(yajl_val p, struct hull_err *err);

#endif
