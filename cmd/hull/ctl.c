/* SPDX-License-Identifier: Apache-2.0 */
/* hull logs, stop, kill, rm, wait: acting on existing containers. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/hull/cli.h"
#include "engine/logfile.h"
#include "engine/ops.h"
#include "engine/start.h"
#include "engine/volume.h"
#include "lib/signals.h"
#include "lib/timearg.h"
#include "lib/util.h"
#include "network/cni.h"

struct follow_arg {
	const struct hull_engine *e;
	const struct hull_ctr *c;
};

static bool finished(void *arg)
{
	struct follow_arg *f = arg;
	pid_t pid;
	return hull_ctr_status(f->e, f->c, &pid) == HULL_STOPPED;
}

int cmd_logs(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"follow", no_argument, NULL, 'f'},
		{"tail", required_argument, NULL, 'n'},
		{"timestamps", no_argument, NULL, 't'},
		{"since", required_argument, NULL, 'S'},
		{"until", required_argument, NULL, 'U'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_logs_opts lo = {.tail = -1};
	struct timespec now;
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	struct follow_arg fa;
	cleanup_free char *path = NULL;
	int o, rc;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "fn:t", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			lo.follow = true;
			break;
		case 't':
			lo.timestamps = true;
			break;
		case 'S':
		case 'U':
			clock_gettime(CLOCK_REALTIME, &now);
			if (hull_parse_time_arg(optarg,
						(int64_t)now.tv_sec * 1000000000LL + now.tv_nsec,
						o == 'S' ? &lo.since_ns : &lo.until_ns, err) < 0)
				return hull_error_wrap(err, "logs: %s",
						       o == 'S' ? "--since" : "--until");
			break;
		case 'n':
			if (!strcmp(optarg, "all")) {
				lo.tail = -1;
			} else {
				char *end;
				lo.tail = strtol(optarg, &end, 10);
				if (*end || !*optarg || lo.tail < 0)
					return usage_error(err, "logs", "invalid --tail `%s`",
							   optarg);
			}
			break;
		case 'h':
			printf("Usage: hull logs [-f] [--tail N|all] [-t] [--since T] [--until T] "
			       "CONTAINER\n\n"
			       "Print the logs of a container, stdout and stderr apart.  T: a "
			       "duration before now\n(10m, 1h30m), a Unix time, or an RFC 3339 "
			       "date and time.\n");
			return 0;
		default:
			return usage_error(err, "logs", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error(err, "logs", "requires exactly 1 argument (CONTAINER)");
	if (open_engine(g, &e, err) < 0)
		return -1;
	if (hull_ctr_lookup(&e, argv[optind], &c, err) < 0) {
		hull_engine_free(&e);
		return -1;
	}
	path = hull_ctr_path(&e, c->id, "ctr.log");
	fa.e = &e;
	fa.c = c;
	lo.path = path;
	lo.finished = finished;
	lo.arg = &fa;
	rc = hull_logs_print(&lo, err);
	hull_ctr_free(c);
	hull_engine_free(&e);
	return rc;
}

/* Apply fn to each named container; a failure is printed and makes the status 1. */
static int each(const struct hull_globals *g, int first, int argc, char **argv,
		int (*fn)(const struct hull_engine *, const struct hull_ctr *, const void *,
			  struct hull_err *),
		const void *arg, struct hull_err *err)
{
	struct hull_engine e = {0};
	int rc = 0;

	if (open_engine(g, &e, err) < 0)
		return -1;
	for (int i = first; i < argc; i++) {
		struct hull_ctr *c = NULL;
		struct hull_err cerr = {0};
		if (hull_ctr_lookup(&e, argv[i], &c, &cerr) < 0 || fn(&e, c, arg, &cerr) < 0) {
			fprintf(stderr, "hull: %s\n", cerr.msg);
			rc = 1;
		} else {
			printf("%s\n", argv[i]);
		}
		hull_ctr_free(c);
	}
	fflush(stdout);
	hull_engine_free(&e);
	return rc;
}

static int do_stop(const struct hull_engine *e, const struct hull_ctr *c, const void *arg,
		   struct hull_err *err)
{
	int timeout = *(const int *)arg;
	/* no -t: the container's --stop-timeout, else docker's 10 s */
	if (timeout < 0)
		timeout = c->has_stop_timeout ? c->stop_timeout : 10;
	return hull_ctr_stop(e, c, timeout, err);
}

/* -t SECONDS of stop and restart (-1 when absent): 1 when it printed the help, -1 on bad
 * input, else 0 with optind at the first container. */
static int stop_time(const char *cmd, const char *help, int argc, char **argv, int *timeout,
		     struct hull_err *err)
{
	static const struct option opts[] = {
		{"time", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int o;

	*timeout = -1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+t:", opts, NULL)) != -1) {
		char *end;
		switch (o) {
		case 't':
			*timeout = (int)strtol(optarg, &end, 10);
			if (*end || !*optarg || *timeout < 0)
				return usage_error(err, cmd, "invalid --time `%s`", optarg);
			break;
		case 'h':
			fputs(help, stdout);
			return 1;
		default:
			return usage_error(err, cmd, "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, cmd, "requires at least 1 argument (CONTAINER)");
	return 0;
}

int cmd_stop(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	int timeout,
		r = stop_time("stop",
			      "Usage: hull stop [-t SECONDS] CONTAINER...\n\n"
			      "Send the stop signal, then SIGKILL after the timeout (default: the "
			      "container's --stop-timeout, else 10 s).\n",
			      argc, argv, &timeout, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	return each(g, optind, argc, argv, do_stop, &timeout, err);
}

static int do_restart(const struct hull_engine *e, const struct hull_ctr *c, const void *arg,
		      struct hull_err *err)
{
	int timeout = *(const int *)arg;
	if (timeout < 0)
		timeout = c->has_stop_timeout ? c->stop_timeout : 10;
	return hull_ctr_restart(e, c, timeout, err);
}

int cmd_restart(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	int timeout, r = stop_time("restart",
				   "Usage: hull restart [-t SECONDS] CONTAINER...\n\n"
				   "Stop containers (as `hull stop`) and start them again.\n",
				   argc, argv, &timeout, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	return each(g, optind, argc, argv, do_restart, &timeout, err);
}

static int do_kill(const struct hull_engine *e, const struct hull_ctr *c, const void *arg,
		   struct hull_err *err)
{
	return hull_ctr_kill(e, c, *(const int *)arg, false, err);
}

int cmd_kill(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"signal", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int sig = SIGKILL, o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "s:", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			sig = hull_parse_signal(optarg, err);
			if (sig < 0)
				return -1;
			break;
		case 'h':
			printf("Usage: hull kill [-s SIGNAL] CONTAINER...\n\n"
			       "Send a signal (default SIGKILL) to containers.\n");
			return 0;
		default:
			return usage_error(err, "kill", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "kill", "requires at least 1 argument (CONTAINER)");
	return each(g, optind, argc, argv, do_kill, &sig, err);
}

struct rm_opts {
	bool force, volumes;
};

static int do_rm(const struct hull_engine *e, const struct hull_ctr *c, const void *arg,
		 struct hull_err *err)
{
	const struct rm_opts *r = arg;
	if (hull_ctr_remove(e, c->id, r->force, err) < 0)
		return -1;
	/* -v: its anonymous volumes too, as docker's */
	return r->volumes ? hull_volumes_release(e, c->id, true, err) : 0;
}

int cmd_rm(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"volumes", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rm_opts r = {0};
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "fv", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			r.force = true;
			break;
		case 'v':
			r.volumes = true;
			break;
		case 'h':
			printf("Usage: hull rm [-f] [-v] CONTAINER...\n\n"
			       "Remove containers; -f kills running ones first, -v removes their "
			       "anonymous volumes.\n");
			return 0;
		default:
			return usage_error(err, "rm", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "rm", "requires at least 1 argument (CONTAINER)");
	return each(g, optind, argc, argv, do_rm, &r, err);
}

int cmd_wait(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_engine e = {0};
	int rc = 0;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("Usage: hull wait CONTAINER...\n\nWait for containers to stop, print "
		       "their exit codes.\n");
		return 0;
	}
	if (argc < 2)
		return usage_error(err, "wait", "requires at least 1 argument (CONTAINER)");
	if (open_engine(g, &e, err) < 0)
		return -1;
	for (int i = 1; i < argc; i++) {
		struct hull_ctr *c, *after = NULL;
		struct hull_err cerr = {0};
		if (hull_ctr_lookup(&e, argv[i], &c, &cerr) < 0) {
			fprintf(stderr, "hull: %s\n", cerr.msg);
			rc = 1;
			continue;
		}
		hull_ctr_wait(&e, c, -1);
		/* the record now has the exit status (or is gone with --rm); a container never
		 * started is not running either: 0, as docker's */
		if (hull_ctr_load(&e, c->id, &after, NULL) == 0 && after->exited)
			printf("%d\n", after->exit_code);
		else if (after && !after->started)
			printf("%d\n", 0);
		else
			printf("%d\n", 255);
		hull_ctr_free(after);
		fflush(stdout);
		hull_ctr_free(c);
	}
	hull_engine_free(&e);
	return rc;
}

static int do_pause(const struct hull_engine *e, const struct hull_ctr *c, const void *arg,
		    struct hull_err *err)
{
	return *(const bool *)arg ? hull_ctr_pause(e, c, err) : hull_ctr_unpause(e, c, err);
}

static int pause_cmd(const struct hull_globals *g, int argc, char **argv, bool pause,
		     struct hull_err *err)
{
	const char *name = pause ? "pause" : "unpause";
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: hull %s CONTAINER...\n\n%s every process of the containers.\n", name,
		       pause ? "Freeze" : "Thaw");
		return 0;
	}
	if (argc < 2)
		return usage_error(err, name, "requires at least 1 container");
	return each(g, 1, argc, argv, do_pause, &pause, err);
}

int cmd_pause(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	return pause_cmd(g, argc, argv, true, err);
}

int cmd_unpause(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	return pause_cmd(g, argc, argv, false, err);
}

/* hull port CONTAINER [PORT[/PROTO]]: "80/tcp -> 0.0.0.0:8080" per published port. */
int cmd_port(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	bool found = false;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: hull port CONTAINER [PRIVATE_PORT[/PROTO]]\n\n"
		       "The container's published ports, or where one private port is "
		       "published.\n");
		return 0;
	}
	if (argc < 2 || argc > 3)
		return usage_error(err, "port", "requires CONTAINER and at most one port");
	if (open_engine(g, &e, err) < 0 || hull_ctr_lookup(&e, argv[1], &c, err) < 0) {
		hull_engine_free(&e);
		return -1;
	}
	for (char **p = c->ports; p && *p; p++) {
		struct hull_port port;
		char priv[24];
		if (hull_port_parse(*p, &port, NULL) < 0)
			continue;
		snprintf(priv, sizeof(priv), "%u/%s", port.container_port, port.proto);
		if (argc == 3 && strcmp(argv[2], priv) &&
		    !(strchr(argv[2], '/') == NULL && atoi(argv[2]) == port.container_port &&
		      !strcmp(port.proto, "tcp")))
			continue;
		found = true;
		if (argc == 3)
			printf("%s:%u\n", *port.host_ip ? port.host_ip : "0.0.0.0", port.host_port);
		else
			printf("%s -> %s:%u\n", priv, *port.host_ip ? port.host_ip : "0.0.0.0",
			       port.host_port);
	}
	if (argc == 3 && !found)
		hull_error(err, ENOENT, "no public port `%s` published for %s", argv[2], c->name);
	hull_ctr_free(c);
	hull_engine_free(&e);
	return argc == 3 && !found ? -1 : 0;
}
