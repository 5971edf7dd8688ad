/* SPDX-License-Identifier: Apache-2.0 */
/* hull compare: flags -> engine/compare.c at each level -> a side-by-side table or JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "engine/compare.h"
#include "cmd/hull/chart.h"
#include "lib/json.h"
#include "lib/util.h"
#include "vm/vm.h"

static void usage(void)
{
	printf("Usage: hull compare [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
	       "Run the same workload as a container and as a VM (`hull run --rm` at each\n"
	       "isolation level) and show side by side what each cost the host and what each\n"
	       "isolates.  Figures are medians over the runs.\n\n"
	       "      --runs N               runs per level (default 3)\n"
	       "      --format FORMAT        `table` (default) or `json`\n"
	       "  -e, --env NAME[=VALUE]     set an environment variable\n"
	       "  -u, --user USER[:GROUP]    run as this user\n"
	       "  -w, --workdir DIR          working directory inside the container\n"
	       "  -v, --volume SRC:DST[:OPTS] bind mount a host directory\n"
	       "  -m, --memory SIZE          memory limit (for the VM: its RAM)\n"
	       "      --cpus N               CPU limit (for the VM: its vCPUs)\n"
	       "      --read-only            mount the root filesystem read-only\n"
	       "      --entrypoint CMD       override the image's entrypoint\n"
	       "      --chart FILE           also draw the figures: FILE.svg or FILE.html\n");
}

static void duration(double ms, char *buf, size_t n)
{
	if (ms < 0)
		snprintf(buf, n, "-");
	else if (ms < 1000)
		snprintf(buf, n, "%.1f ms", ms);
	else
		snprintf(buf, n, "%.2f s", ms / 1000);
}

static void print_table(const struct hull_compare_result *r, unsigned int runs)
{
	char a[2][48], b[2][64];

	printf("%-22s %-24s %s\n", "", r[0].level, r[1].level);
	for (int i = 0; i < 2; i++)
		duration(r[i].start_ms, a[i], sizeof(a[i]));
	printf("%-22s %-24s %s\n", "start (first output)", a[0], a[1]);
	for (int i = 0; i < 2; i++)
		duration(r[i].wall_ms, a[i], sizeof(a[i]));
	printf("%-22s %-24s %s\n", "wall (run to removal)", a[0], a[1]);
	for (int i = 0; i < 2; i++)
		duration(r[i].cpu_ms, a[i], sizeof(a[i]));
	printf("%-22s %-24s %s\n", "host CPU", a[0], a[1]);
	for (int i = 0; i < 2; i++) {
		if (r[i].peak_bytes)
			human_size(r[i].peak_bytes, a[i], sizeof(a[i]));
		else
			snprintf(a[i], sizeof(a[i]), "-");
	}
	printf("%-22s %-24s %s\n", "host memory (peak)", a[0], a[1]);
	for (int i = 0; i < 2; i++) {
		char rd[24], wr[24];
		human_size(r[i].read_bytes, rd, sizeof(rd));
		human_size(r[i].write_bytes, wr, sizeof(wr));
		snprintf(b[i], sizeof(b[i]), "%s / %s", rd, wr);
	}
	printf("%-22s %-24s %s\n", "block I/O read/write", b[0], b[1]);
	printf("%-22s %-24d %d\n", "exit status", r[0].status, r[1].status);
	printf("(medians of %u run%s per level)\n\n", runs, runs == 1 ? "" : "s");
	printf("%-22s %-42s %s\n", "isolation", r[0].level, r[1].level);
	for (const struct hull_compare_fact *f = hull_compare_facts; f->what; f++)
		printf("%-22s %-42s %s\n", f->what, f->container, f->vm);
}

/* milliseconds to the microsecond, bytes whole; null: not known */
static void gen_num(yajl_gen g, const char *key, double v, bool bytes)
{
	char buf[48];
	hull_gen_str(g, key);
	if (v < 0) {
		yajl_gen_null(g);
		return;
	}
	snprintf(buf, sizeof(buf), bytes ? "%.0f" : "%.3f", v);
	yajl_gen_number(g, buf, strlen(buf));
}

static void print_json(const struct hull_compare_result *r, unsigned int runs)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;

	yajl_gen_map_open(g);
	hull_gen_str(g, "runs");
	yajl_gen_integer(g, runs);
	hull_gen_str(g, "levels");
	yajl_gen_array_open(g);
	for (int i = 0; i < 2; i++) {
		yajl_gen_map_open(g);
		hull_gen_str(g, "level");
		hull_gen_str(g, r[i].level);
		hull_gen_str(g, "exitCode");
		yajl_gen_integer(g, r[i].status);
		gen_num(g, "startMs", r[i].start_ms, false);
		gen_num(g, "wallMs", r[i].wall_ms, false);
		gen_num(g, "cpuMs", r[i].cpu_ms, false);
		gen_num(g, "peakMemoryBytes", r[i].peak_bytes ? (double)r[i].peak_bytes : -1, true);
		gen_num(g, "readBytes", (double)r[i].read_bytes, true);
		gen_num(g, "writeBytes", (double)r[i].write_bytes, true);
		hull_gen_str(g, "output");
		hull_gen_str(g, r[i].output ? r[i].output : "");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	hull_gen_str(g, "isolation");
	yajl_gen_array_open(g);
	for (const struct hull_compare_fact *f = hull_compare_facts; f->what; f++) {
		yajl_gen_map_open(g);
		hull_gen_str(g, "what");
		hull_gen_str(g, f->what);
		hull_gen_str(g, r[0].level);
		hull_gen_str(g, f->container);
		hull_gen_str(g, r[1].level);
		hull_gen_str(g, f->vm);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		printf("%.*s\n", (int)len, (const char *)buf);
	yajl_gen_free(g);
}

int cmd_compare(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { RUNS = 256, FORMAT, CPUS, RO, ENTRY, HELP, CHART };
	static const struct option opts[] = {
		{"runs", required_argument, NULL, RUNS},
		{"chart", required_argument, NULL, CHART},
		{"format", required_argument, NULL, FORMAT},
		{"env", required_argument, NULL, 'e'},
		{"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},
		{"volume", required_argument, NULL, 'v'},
		{"memory", required_argument, NULL, 'm'},
		{"cpus", required_argument, NULL, CPUS},
		{"read-only", no_argument, NULL, RO},
		{"entrypoint", required_argument, NULL, ENTRY},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	struct hull_run_opts run = {0};
	struct hull_engine e = {0};
	struct hull_compare_result r[2];
	struct hull_compare_opts o = {.e = &e, .run = &run, .runs = 3};
	bool json = false;
	const char *no_kvm = NULL, *chart = NULL;
	int c, ret = -1;

	memset(r, 0, sizeof(r));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+e:u:w:v:m:", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case RUNS:
			errno = 0;
			o.runs = (unsigned int)strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || o.runs == 0 || o.runs > 100) {
				usage_error(err, "compare", "--runs: `%s` is not 1 to 100", optarg);
				goto out;
			}
			break;
		case FORMAT:
			if (strcmp(optarg, "table") && strcmp(optarg, "json")) {
				usage_error(err, "compare", "--format: `%s` is not table or json",
					    optarg);
				goto out;
			}
			json = !strcmp(optarg, "json");
			break;
		case HELP:
			usage();
			ret = 0;
			goto out;
		case CHART:
			chart = optarg;
			if (compare_chart_check(chart, err) < 0)
				goto out;
			break;
		/* the run flags compare passes on, as `hull run` reads them */
		case 'e':
			hull_strv_push(&run.env, optarg);
			break;
		case 'u':
			run.user = optarg;
			break;
		case 'w':
			run.workdir = optarg;
			break;
		case 'v':
			hull_strv_push(&run.volumes, optarg);
			break;
		case 'm':
			run.memory = optarg;
			break;
		case CPUS:
			run.cpus = optarg;
			break;
		case RO:
			run.read_only = true;
			break;
		case ENTRY:
			run.entrypoint = optarg;
			break;
		default:
			usage_error(err, "compare", "unknown or incomplete option `%s`",
				    argv[optind - 1]);
			goto out;
		}
	}
	if (optind >= argc) {
		usage_error(err, "compare", "an image is required");
		goto out;
	}
	run.image = argv[optind];
	run.args = argv + optind + 1;
	if (open_engine(g, &e, err) < 0)
		goto out;

	if (hull_compare_level(&o, "container", &r[0], err) < 0 ||
	    hull_compare_level(&o, "vm", &r[1], err) < 0)
		goto out;
	if (chart) {
		cleanup_free char *workload = NULL;
		size_t len = 0;
		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		workload = xzalloc(len + 1);
		for (int i = optind; i < argc; i++) {
			strcat(workload, argv[i]);
			if (i + 1 < argc)
				strcat(workload, " ");
		}
		if (compare_chart_write(chart, r, o.runs, workload, err) < 0)
			goto out;
	}
	if (json)
		print_json(r, o.runs);
	else
		print_table(r, o.runs);
	fflush(stdout); /* the notes below come after the table */
	for (int i = 0; i < 2; i++)
		if (r[i].errors)
			fprintf(stderr, "hull compare: the workload could not start as a %s: %s",
				r[i].level, r[i].errors);
	/* the VM's figures mean something else without KVM: say so once */
	if (!hull_vm_uses_kvm(&no_kvm))
		fprintf(stderr,
			"hull compare: %s: the VM ran under QEMU's software emulation (TCG), many "
			"times slower than with KVM\n",
			no_kvm);
	ret = 0;
out:
	hull_compare_result_free(&r[0]);
	hull_compare_result_free(&r[1]);
	hull_engine_free(&e);
	hull_strv_free(run.env);
	hull_strv_free(run.volumes);
	return ret;
}
