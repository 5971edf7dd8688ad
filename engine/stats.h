/* SPDX-License-Identifier: Apache-2.0 */
/* Live containers' resource use, for `hull stats`: one cgroup discovery for every container
 * sampled, a handful of files read per sample. */
#ifndef HULL_ENGINE_STATS_H
#define HULL_ENGINE_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/ctr.h"
#include "lib/err.h"
#include "runtime/cgroup/cgroup.h"

struct hull_ctr_sample {
	uint64_t when_ns;   /* CLOCK_MONOTONIC */
	uint64_t cpu_ns;    /* the cgroup's CPU time */
	uint64_t mem_usage; /* bytes, without the inactive page cache, as docker shows it */
	uint64_t mem_limit; /* 0: no limit */
	uint64_t pids;	    /* processes in the cgroup */
	uint64_t blk_read, blk_write;
	uint64_t net_rx, net_tx; /* the container's network namespace, loopback aside */
};

/* What a sample of one container reads: its cgroup's directories and its init (for the
 * network namespace), found once. */
struct hull_stats_target {
	char *cpu, *memory, *pids, *blkio; /* directories; NULL: the host has no such controller */
	bool cpu_v2, memory_v2, blkio_v2;
	pid_t pid;
};

/* The container's target, from its runtime state; -1 with err when it is not running. */
int hull_stats_target(const struct hull_engine *e, const struct hull_cgroups *cg,
		      const struct hull_ctr *c, struct hull_stats_target *t, struct hull_err *err);
void hull_stats_target_free(struct hull_stats_target *t);

/* One sample; -1 when the container's cgroup is gone. */
int hull_stats_sample(const struct hull_stats_target *t, struct hull_ctr_sample *s,
		      struct hull_err *err);

#endif
