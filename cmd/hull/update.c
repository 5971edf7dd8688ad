/* SPDX-License-Identifier: Apache-2.0 */
/* hull rename and hull update: changes to an existing container. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hull/cli.h"
#include "engine/ops.h"
#include "engine/restart_policy.h"
#include "engine/start.h"
#include "lib/size.h"
#include "lib/util.h"
#include "runtime/resources.h"

int cmd_rename(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: hull rename CONTAINER NEW_NAME\n\nRename a container.\n");
		return 0;
	}
	if (argc != 3)
		return usage_error(err, "rename", "requires CONTAINER and NEW_NAME");
	if (open_engine(g, &e, err) < 0 || hull_ctr_lookup(&e, argv[1], &c, err) < 0) {
		hull_engine_free(&e);
		return -1;
	}
	rc = hull_ctr_rename(&e, c, argv[2], err);
	hull_ctr_free(c);
	hull_engine_free(&e);
	return rc;
}

/* CPU time per period, as docker sets --cpus: quota = N × period */
#define CPU_PERIOD_US 100000

static int parse_update(int argc, char **argv, struct hull_cg_resources *r, const char **restart,
			struct hull_err *err)
{
	enum { MEM = 256, SWAP, CPUS, SHARES, PIDS, RESERVE, RESTART };
	static const struct option opts[] = {
		{"memory", required_argument, NULL, 'm'},
		{"memory-swap", required_argument, NULL, SWAP},
		{"memory-reservation", required_argument, NULL, RESERVE},
		{"cpus", required_argument, NULL, CPUS},
		{"cpu-shares", required_argument, NULL, 'c'},
		{"pids-limit", required_argument, NULL, PIDS},
		{"restart", required_argument, NULL, RESTART},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+m:c:h", opts, NULL)) != -1) {
		int64_t v;
		char *end;
		double cpus;
		switch (c) {
		case 'm':
		case SWAP:
		case RESERVE:
			/* -1: no limit (for the swap, as docker's --memory-swap -1) */
			if (!strcmp(optarg, "-1"))
				v = -1;
			else if (hull_parse_size(optarg, 1, &v, err) < 0)
				return hull_error_wrap(err, "update");
			if (c == 'm')
				r->memory.limit = (struct hull_cg_val){true, v};
			else if (c == SWAP)
				r->memory.swap = (struct hull_cg_val){true, v};
			else
				r->memory.reservation = (struct hull_cg_val){true, v};
			r->sections |= HULL_CG_MEMORY;
			break;
		case CPUS:
			cpus = strtod(optarg, &end);
			if (*end || !isfinite(cpus) || cpus <= 0 || cpus > 1e6)
				return usage_error(err, "update",
						   "--cpus: `%s` is not a number of CPUs", optarg);
			r->cpu.quota = (struct hull_cg_val){true, (int64_t)(cpus * CPU_PERIOD_US)};
			r->cpu.period = (struct hull_cg_val){true, CPU_PERIOD_US};
			break;
		case 'c':
			v = strtoll(optarg, &end, 10);
			if (*end || end == optarg || v < 2 || v > 262144)
				return usage_error(err, "update",
						   "--cpu-shares: `%s` is not 2..262144", optarg);
			r->cpu.shares = (struct hull_cg_val){true, v};
			break;
		case PIDS:
			v = strtoll(optarg, &end, 10);
			if (*end || end == optarg || v < -1 || v == 0)
				return usage_error(err, "update",
						   "--pids-limit: `%s` is not a count (-1: none)",
						   optarg);
			r->pids_limit = (struct hull_cg_val){true, v};
			break;
		case RESTART:
			if (hull_restart_policy_parse(optarg, &(struct hull_restart_policy){0},
						      err) < 0)
				return usage_error(err, "update", "%s", err->msg);
			*restart = optarg;
			break;
		case 'h':
			printf("Usage: hull update [OPTIONS] CONTAINER...\n\n"
			       "Change the resource limits of running containers, or the restart "
			       "policy of any.\n\n"
			       "Options:\n"
			       "  -m, --memory SIZE             memory limit (-1: none)\n"
			       "      --memory-swap SIZE        memory + swap limit (-1: none)\n"
			       "      --memory-reservation SIZE soft limit\n"
			       "      --cpus N                  CPU time, in CPUs (1.5)\n"
			       "  -c, --cpu-shares N            relative CPU weight\n"
			       "      --pids-limit N            processes (-1: none)\n"
			       "      --restart POLICY          no, on-failure[:N], always, "
			       "unless-stopped\n");
			return 1;
		default:
			return usage_error(err, "update", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "update", "requires at least 1 container");
	return 0;
}

int cmd_update(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_cg_resources r = {0};
	struct hull_engine e = {0};
	const char *restart = NULL;
	int rc = parse_update(argc, argv, &r, &restart, err);

	if (rc != 0 || open_engine(g, &e, err) < 0) {
		hull_cg_res_free(&r);
		return rc > 0 ? 0 : -1;
	}
	if (r.cpu.quota.set || r.cpu.shares.set)
		r.sections |= HULL_CG_CPU;
	if (r.pids_limit.set)
		r.sections |= HULL_CG_PIDS;
	for (int i = optind; i < argc; i++) {
		struct hull_ctr *c = NULL;
		struct hull_err cerr = {0};
		if (hull_ctr_lookup(&e, argv[i], &c, &cerr) < 0 ||
		    (restart && hull_ctr_set_restart_policy(&e, c, restart, &cerr) < 0) ||
		    /* the policy alone changes a stopped container too */
		    ((r.sections || !restart) &&
		     hull_container_update(e.runroot, c->id, &r, &cerr) < 0)) {
			fprintf(stderr, "hull: %s\n", cerr.msg);
			rc = 1;
		} else {
			printf("%s\n", argv[i]);
		}
		hull_ctr_free(c);
	}
	hull_cg_res_free(&r);
	hull_engine_free(&e);
	return rc;
}
