/* A live container's resource use at one moment, for `hull stats`. */
#ifndef HULL_ENGINE_STATS_H
#define HULL_ENGINE_STATS_H

#include <stdint.h>

#include "engine/ctr.h"
#include "lib/err.h"

struct hull_ctr_sample {
	uint64_t when_ns;   /* CLOCK_MONOTONIC */
	uint64_t cpu_ns;    /* the cgroup's CPU time */
	uint64_t mem_usage; /* bytes, without the page cache's inactive files as docker shows */
	uint64_t mem_limit; /* 0: no limit */
	uint64_t pids;	    /* processes in the cgroup */
	uint64_t blk_read, blk_write;
	uint64_t net_rx, net_tx; /* the container's network namespace, loopback aside */
};

/* One sample of a running (or paused) container; -1 with err when it is not running. */
int hull_ctr_sample(const struct hull_engine *e, const struct hull_ctr *c,
		    struct hull_ctr_sample *s, struct hull_err *err);

#endif
