/* SPDX-License-Identifier: Apache-2.0 */
/* hull stats: CPU, memory, network and block I/O, and processes of running containers, as
 * docker stats shows them: a table refreshed every second, or one with --no-stream. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/inspect.h"
#include "cmd/hull/listing.h"
#include "engine/ops.h"
#include "engine/stats.h"
#include "lib/json.h"
#include "lib/util.h"

/* CPU % is measured over this much time: enough to be meaningful, short enough that
 * `--no-stream` of many containers answers at once */
#define NO_STREAM_INTERVAL_MS 40
#define STREAM_INTERVAL_MS    1000

static const char stats_headers[] =
	"{\"BlockIO\":\"BLOCK I/O\",\"CPUPerc\":\"CPU %\",\"Container\":\"CONTAINER\","
	"\"ID\":\"CONTAINER ID\",\"MemPerc\":\"MEM %\",\"MemUsage\":\"MEM USAGE / LIMIT\","
	"\"Name\":\"NAME\",\"NetIO\":\"NET I/O\",\"PIDs\":\"PIDS\"}";
static const char stats_table[] = "table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\\t"
				  "{{.MemPerc}}\\t{{.NetIO}}\\t{{.BlockIO}}\\t{{.PIDs}}";

struct target {
	const char *as_given; /* NULL: listed because it runs */
	struct hull_ctr *c;
	struct hull_stats_target t;
	struct hull_ctr_sample a, b;
	bool ok;
};

static unsigned long long host_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	return pages > 0 && size > 0 ? (unsigned long long)pages * (unsigned long long)size : 0;
}

static char *row_json(const struct target *t, bool notrunc)
{
	const struct hull_ctr_sample *a = &t->a, *b = &t->b;
	char cpu[32] = "--", mem[64] = "-- / --", memp[32] = "--", netio[64] = "--",
	     blkio[64] = "--", pids[32] = "--", x[24], y[24], id[65];
	yajl_gen g = yajl_gen_alloc(NULL);

	if (t->ok) {
		unsigned long long limit = b->mem_limit ? b->mem_limit : host_memory();
		double dt = (double)(b->when_ns - a->when_ns);
		double dc = b->cpu_ns > a->cpu_ns ? (double)(b->cpu_ns - a->cpu_ns) : 0;
		snprintf(cpu, sizeof(cpu), "%.2f%%", dt > 0 ? dc / dt * 100 : 0.0);
		human_bytes(b->mem_usage, x, sizeof(x));
		human_bytes(limit, y, sizeof(y));
		snprintf(mem, sizeof(mem), "%s / %s", x, y);
		snprintf(memp, sizeof(memp), "%.2f%%",
			 limit ? (double)b->mem_usage * 100 / (double)limit : 0.0);
		human_size(b->net_rx, x, sizeof(x));
		human_size(b->net_tx, y, sizeof(y));
		snprintf(netio, sizeof(netio), "%s / %s", x, y);
		human_size(b->blk_read, x, sizeof(x));
		human_size(b->blk_write, y, sizeof(y));
		snprintf(blkio, sizeof(blkio), "%s / %s", x, y);
		snprintf(pids, sizeof(pids), "%llu", (unsigned long long)b->pids);
	}
	snprintf(id, sizeof(id), "%.*s", notrunc ? 64 : 12, t->c->id);
	yajl_gen_map_open(g);
	hull_gen_str(g, "BlockIO"), hull_gen_str(g, blkio);
	hull_gen_str(g, "CPUPerc"), hull_gen_str(g, cpu);
	hull_gen_str(g, "Container"), hull_gen_str(g, t->as_given ? t->as_given : id);
	hull_gen_str(g, "ID"), hull_gen_str(g, id);
	hull_gen_str(g, "MemPerc"), hull_gen_str(g, memp);
	hull_gen_str(g, "MemUsage"), hull_gen_str(g, mem);
	hull_gen_str(g, "Name"), hull_gen_str(g, t->c->name);
	hull_gen_str(g, "NetIO"), hull_gen_str(g, netio);
	hull_gen_str(g, "PIDs"), hull_gen_str(g, pids);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

static void sample_all(struct target *t, size_t n, bool first)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].ok)
			t[i].ok = hull_stats_sample(&t[i].t, first ? &t[i].a : &t[i].b, NULL) == 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static volatile sig_atomic_t stop;
static void on_int(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	printf("Usage: hull stats [OPTIONS] [CONTAINER...]\n\n"
	       "Resource use of running containers (those named, or all running ones).\n\n"
	       "Options:\n"
	       "  -a, --all            all containers (stopped ones show --)\n"
	       "      --no-stream      print once, not every second\n"
	       "      --no-trunc       do not truncate ids\n"
	       "      --format FORMAT  table, table TEMPLATE, json (one object per line) or a\n"
	       "                       Go template, e.g. '{{.Name}} {{.CPUPerc}}'\n");
}

int cmd_stats(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { NOSTREAM = 256 };
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"no-stream", no_argument, NULL, NOSTREAM},
		HULL_LIST_OPT_NOTRUNC,
		HULL_LIST_OPT_FORMAT,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_list_flags lf = {0};
	bool all = false, once = false;
	struct hull_engine e = {0};
	struct hull_ctr **v = NULL;
	struct target *t = NULL;
	struct hull_cgroups cg = {0};
	size_t n = 0, nt = 0;
	int c, rc = -1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		int taken = hull_list_flag(&lf, c, optarg, err);
		if (taken < 0)
			return -1;
		if (taken)
			continue;
		switch (c) {
		case 'a':
			all = true;
			break;
		case NOSTREAM:
			once = true;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return usage_error(err, "stats", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (open_engine(g, &e, err) < 0)
		return -1;
	if (optind < argc) {
		t = xzalloc((size_t)(argc - optind) * sizeof(*t));
		for (int i = optind; i < argc; i++, nt++) {
			t[nt].as_given = argv[i];
			if (hull_ctr_lookup(&e, argv[i], &t[nt].c, err) < 0)
				goto out;
		}
	} else {
		if (hull_ctr_list(&e, &v, &n, err) < 0)
			goto out;
		t = xzalloc((n ? n : 1) * sizeof(*t));
		/* newest first; which ones run is known once their targets are read */
		for (size_t i = n; i-- > 0;)
			t[nt++].c = v[i];
	}
	/* the cgroup hierarchies once, each container's cgroup once */
	if (hull_cgroups_discover(&cg, err) < 0)
		goto out;
	for (size_t i = 0; i < nt; i++)
		t[i].ok = hull_stats_target(&e, &cg, t[i].c, &t[i].t, NULL) == 0;
	/* without -a and names, only the running ones */
	if (optind >= argc && !all) {
		size_t k = 0;
		for (size_t i = 0; i < nt; i++)
			if (t[i].ok)
				t[k++] = t[i];
		nt = k;
	}
	signal(SIGINT, on_int);
	signal(SIGTERM, on_int);
	sample_all(t, nt, true);
	do {
		struct hull_listing l = {.headers_json = stats_headers,
					 .default_table = stats_table};
		sleep_ms(once ? NO_STREAM_INTERVAL_MS : STREAM_INTERVAL_MS);
		if (stop)
			break;
		sample_all(t, nt, false);
		if (hull_listing_begin(&l, lf.format, err) < 0)
			goto out;
		if (!once && isatty(STDOUT_FILENO))
			fputs("\033[2J\033[H", stdout); /* a fresh screen, as docker's */
		for (size_t i = 0; i < nt; i++) {
			cleanup_free char *row = row_json(&t[i], lf.notrunc);
			if (hull_listing_row(&l, row, err) < 0) {
				hull_listing_end(&l);
				goto out;
			}
			t[i].a = t[i].b; /* the next interval starts here */
		}
		hull_listing_end(&l);
		fflush(stdout);
	} while (!once && !stop);
	rc = 0;
out:
	for (size_t i = 0; i < nt; i++) {
		hull_stats_target_free(&t[i].t);
		if (!v)
			hull_ctr_free(t[i].c);
	}
	hull_cgroups_free(&cg);
	free(t);
	hull_ctr_list_free(v, n);
	hull_engine_free(&e);
	return rc;
}
