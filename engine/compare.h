/* SPDX-License-Identifier: Apache-2.0 */
/* hull compare: one workload at each isolation level, measured the same way (compare.c). */
#ifndef HULL_ENGINE_COMPARE_H
#define HULL_ENGINE_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/ctr.h"
#include "engine/prepare.h"
#include "lib/err.h"

struct hull_compare_opts {
	const struct hull_engine *e;
	const struct hull_run_opts *run; /* the workload: each run is this `hull run`, with --rm,
					  * the level and a cgroup parent of its own */
	unsigned int runs;		 /* per level; medians are reported */
};

/* One level's figures, medians over the runs.  The host's view: what the container's cgroup
 * paid (for a VM that is QEMU, virtiofsd and the guest RAM it touched). */
struct hull_compare_result {
	const char *level;   /* "container" or "vm" */
	int status;	     /* the workload's exit status (the last run's) */
	double start_ms;     /* to the first byte on stdout; < 0: the workload printed nothing */
	double wall_ms;	     /* the whole `hull run --rm`: set-up, run, clean-up */
	double cpu_ms;	     /* user + system time of the container's cgroup */
	uint64_t peak_bytes; /* the cgroup's peak memory; 0: not known */
	uint64_t read_bytes; /* block I/O of the cgroup */
	uint64_t write_bytes;
	char *output; /* the first run's stdout (at most 4 KiB), malloc'd */
	char *errors; /* the last failed run's stderr, or NULL */
};

/* Run the workload o->runs times at level ("container" or "vm").  -1 with err when hull could
 * not measure (a run that exits 125 is hull's failure, reported with its stderr). */
int hull_compare_level(const struct hull_compare_opts *o, const char *level,
		       struct hull_compare_result *r, struct hull_err *err);
void hull_compare_result_free(struct hull_compare_result *r);

/* What each level isolates: rows of {what, container, vm}, ending with a NULL what. */
struct hull_compare_fact {
	const char *what, *container, *vm;
};
extern const struct hull_compare_fact hull_compare_facts[];

#endif
