/* SPDX-License-Identifier: Apache-2.0 */
/* What a cgroup has used, read through libcgroup: for figures read after the fact (hull
 * compare), off the start path, where libcgroup's set-up cost does not matter. */
#ifndef HULL_ENGINE_USAGE_H
#define HULL_ENGINE_USAGE_H

#include <stdint.h>

#include "lib/err.h"

struct hull_cgroup_usage {
	uint64_t cpu_ns;     /* user + system */
	uint64_t peak_bytes; /* the memory high-water mark; 0 when the kernel keeps none */
	uint64_t read_bytes, write_bytes;
};

/* The counters of the cgroup at path (relative to the hierarchies' roots, e.g.
 * "/hull-compare-1-vm-0"), each from the v1 controller where one is mounted, else from
 * cgroup v2 (a hybrid host has both).  A counter the host does not keep stays 0; -1 with err
 * when libcgroup cannot start or the cgroup has no CPU accounting at all. */
int hull_cgroup_usage_read(const char *path, struct hull_cgroup_usage *u, struct hull_err *err);

#endif
