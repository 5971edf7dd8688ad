/* hull ps and hull inspect: what there is, as a table or as JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "engine/ops.h"
#include "lib/json.h"
#include "lib/util.h"
#include "network/cni.h"

static char *command_text(char **argv, bool trunc)
{
	size_t len = 0;
	char *out;

	for (char **a = argv; a && *a; a++)
		len += strlen(*a) + 1;
	out = xzalloc(len + 8);
	for (char **a = argv; a && *a; a++) {
		if (a != argv)
			strcat(out, " ");
		strcat(out, *a);
	}
	if (trunc && strlen(out) > 20)
		strcpy(out + 19, "…");
	return out;
}

static char *status_text(const struct hull_ctr *c, enum hull_status s)
{
	cleanup_free char *since = NULL;

	switch (s) {
	case HULL_CREATING:
	case HULL_CREATED:
		return xstrdup("Created");
	case HULL_RUNNING:
		since = human_age(c->created, false);
		return hull_strfmt("Up %s", since);
	case HULL_PAUSED:
		since = human_age(c->created, false);
		return hull_strfmt("Up %s (Paused)", since);
	case HULL_STOPPED:
		break;
	}
	if (!c->exited)
		return xstrdup("Exited (unknown)");
	since = human_age(c->finished, true);
	return hull_strfmt("Exited (%d) %s", c->exit_code, since);
}

static const char *state_word(enum hull_status s)
{
	return s == HULL_STOPPED ? "exited" : s == HULL_CREATING ? "created" : hull_status_name(s);
}

/* The published ports as docker shows them: "0.0.0.0:8080->80/tcp, ..." (malloc'd). */
static char *ports_text(const struct hull_ctr *c)
{
	char *out = xstrdup("");
	for (char **p = c->ports; p && *p; p++) {
		struct hull_port port;
		char buf[96], *next;
		if (hull_port_parse(*p, &port, NULL) < 0)
			continue;
		hull_port_format(&port, buf, sizeof(buf));
		next = hull_strfmt("%s%s%s", out, *out ? ", " : "", buf);
		free(out);
		out = next;
	}
	return out;
}

static void ports_json(yajl_gen g, const struct hull_ctr *c)
{
	yajl_gen_array_open(g);
	for (char **p = c->ports; p && *p; p++) {
		struct hull_port port;
		char buf[96];
		if (hull_port_parse(*p, &port, NULL) < 0)
			continue;
		hull_port_format(&port, buf, sizeof(buf));
		hull_gen_str(g, buf);
	}
	yajl_gen_array_close(g);
}

static void ps_json(yajl_gen g, const struct hull_ctr *c, enum hull_status s, pid_t pid)
{
	cleanup_free char *status = status_text(c, s);

	yajl_gen_map_open(g);
	hull_gen_str(g, "Id"), hull_gen_str(g, c->id);
	hull_gen_str(g, "Names");
	yajl_gen_array_open(g);
	hull_gen_str(g, c->name);
	yajl_gen_array_close(g);
	hull_gen_str(g, "Image"), hull_gen_str(g, c->image);
	hull_gen_str(g, "ImageID"), hull_gen_str(g, c->image_id);
	hull_gen_str(g, "Command");
	yajl_gen_array_open(g);
	for (char **a = c->command; a && *a; a++)
		hull_gen_str(g, *a);
	yajl_gen_array_close(g);
	hull_gen_str(g, "Created"), hull_gen_str(g, c->created);
	hull_gen_str(g, "State"), hull_gen_str(g, state_word(s));
	hull_gen_str(g, "Status"), hull_gen_str(g, status);
	hull_gen_str(g, "Pid"), yajl_gen_integer(g, pid);
	hull_gen_str(g, "ExitCode"), yajl_gen_integer(g, c->exited ? c->exit_code : 0);
	hull_gen_str(g, "Isolation"), hull_gen_str(g, c->isolation);
	hull_gen_str(g, "Networks"), hull_gen_str(g, c->network ? c->network : "none");
	hull_gen_str(g, "Ports");
	ports_json(g, c);
	yajl_gen_map_close(g);
}

static void flush_gen(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;

	yajl_gen_get_buf(g, &buf, &len);
	fwrite(buf, 1, len, stdout);
	fputc('\n', stdout);
	yajl_gen_free(g);
}

int cmd_ps(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},      {"quiet", no_argument, NULL, 'q'},
		{"no-trunc", no_argument, NULL, 'n'}, {"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
	};
	bool all = false, quiet = false, notrunc = false, json = false;
	struct hull_engine e = {0};
	struct hull_ctr **v = NULL;
	yajl_gen gen = NULL;
	size_t n = 0;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "aqf:", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'n':
			notrunc = true;
			break;
		case 'f':
			if (strcmp(optarg, "json"))
				return usage_error(err, "ps", "unsupported --format `%s` (json)",
						   optarg);
			json = true;
			break;
		case 'h':
			printf("Usage: hull ps [-a] [-q] [--no-trunc] [--format json]\n\n"
			       "List containers (running ones unless -a).\n");
			return 0;
		default:
			return usage_error(err, "ps", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (open_engine(g, &e, err) < 0 || hull_ctr_list(&e, &v, &n, err) < 0) {
		hull_engine_free(&e);
		return -1;
	}
	if (json) {
		gen = yajl_gen_alloc(NULL);
		yajl_gen_config(gen, yajl_gen_beautify, 1);
		yajl_gen_array_open(gen);
	} else if (!quiet) {
		printf("%-12s  %-20s  %-22s  %-16s  %-26s  %-6s  %s\n", "CONTAINER ID", "IMAGE",
		       "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
	}
	/* newest first, as docker lists them */
	for (size_t i = n; i-- > 0;) {
		pid_t pid;
		enum hull_status s = hull_ctr_status(&e, v[i], &pid);
		if (!all && s == HULL_STOPPED)
			continue;
		if (json) {
			ps_json(gen, v[i], s, pid);
		} else if (quiet) {
			printf("%.*s\n", notrunc ? 64 : 12, v[i]->id);
		} else {
			cleanup_free char *cmd = command_text(v[i]->command, !notrunc);
			cleanup_free char *quoted = hull_strfmt("\"%s\"", cmd);
			cleanup_free char *created = human_age(v[i]->created, true);
			cleanup_free char *status = status_text(v[i], s);
			cleanup_free char *ports = ports_text(v[i]);
			printf("%-12.*s  %-20s  %-22s  %-16s  %-26s  %-6s  %s\n", notrunc ? 64 : 12,
			       v[i]->id, v[i]->image, quoted, created, status, ports, v[i]->name);
		}
	}
	if (json) {
		yajl_gen_array_close(gen);
		flush_gen(gen);
	}
	hull_ctr_list_free(v, n);
	hull_engine_free(&e);
	return 0;
}

int cmd_inspect(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_engine e = {0};
	yajl_gen gen;
	int rc = 0;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("Usage: hull inspect CONTAINER...\n\nPrint details of containers as "
		       "JSON.\n");
		return 0;
	}
	if (argc < 2)
		return usage_error(err, "inspect", "requires at least 1 argument");
	if (open_engine(g, &e, err) < 0)
		return -1;
	gen = yajl_gen_alloc(NULL);
	yajl_gen_config(gen, yajl_gen_beautify, 1);
	yajl_gen_array_open(gen);
	for (int i = 1; i < argc; i++) {
		struct hull_ctr *c;
		cleanup_free char *cfgpath = NULL, *cfg = NULL, *logpath = NULL;
		struct hull_err lerr = {0};
		pid_t pid;
		enum hull_status s;

		if (hull_ctr_lookup(&e, argv[i], &c, &lerr) < 0) {
			fprintf(stderr, "hull: %s\n", lerr.msg);
			rc = 1;
			continue;
		}
		s = hull_ctr_status(&e, c, &pid);
		cfgpath = hull_ctr_path(&e, c->id, "config.json");
		logpath = hull_ctr_path(&e, c->id, "ctr.log");
		yajl_gen_map_open(gen);
		hull_gen_str(gen, "Id"), hull_gen_str(gen, c->id);
		hull_gen_str(gen, "Name"), hull_gen_str(gen, c->name);
		hull_gen_str(gen, "Created"), hull_gen_str(gen, c->created);
		hull_gen_str(gen, "Image"), hull_gen_str(gen, c->image);
		hull_gen_str(gen, "ImageID"), hull_gen_str(gen, c->image_id);
		hull_gen_str(gen, "Isolation"), hull_gen_str(gen, c->isolation);
		hull_gen_str(gen, "State");
		yajl_gen_map_open(gen);
		hull_gen_str(gen, "Status"), hull_gen_str(gen, state_word(s));
		hull_gen_str(gen, "Running"),
			yajl_gen_bool(gen, s == HULL_RUNNING || s == HULL_PAUSED);
		hull_gen_str(gen, "Paused"), yajl_gen_bool(gen, s == HULL_PAUSED);
		hull_gen_str(gen, "Pid"), yajl_gen_integer(gen, pid);
		hull_gen_str(gen, "ExitCode"), yajl_gen_integer(gen, c->exited ? c->exit_code : 0);
		hull_gen_str(gen, "FinishedAt"), hull_gen_str(gen, c->finished ? c->finished : "");
		yajl_gen_map_close(gen);
		hull_gen_str(gen, "LogPath"), hull_gen_str(gen, logpath);
		hull_gen_str(gen, "Rootfs"), hull_gen_str(gen, c->rootfs);
		hull_gen_str(gen, "AutoRemove"), yajl_gen_bool(gen, c->auto_remove);
		hull_gen_str(gen, "StopSignal"), hull_gen_str(gen, c->stop_signal);
		hull_gen_str(gen, "NetworkSettings");
		yajl_gen_map_open(gen);
		hull_gen_str(gen, "NetworkMode"),
			hull_gen_str(gen, c->network ? c->network : "none");
		hull_gen_str(gen, "IPAddress"), hull_gen_str(gen, c->ip ? c->ip : "");
		hull_gen_str(gen, "Gateway"), hull_gen_str(gen, c->ip ? HULL_NET_GATEWAY : "");
		hull_gen_str(gen, "Ports");
		ports_json(gen, c);
		yajl_gen_map_close(gen);
		if (hull_read_file(cfgpath, &cfg, NULL, NULL) == 0) {
			/* the bundle's config.json as it is: yajl copies a number's text verbatim
			 */
			hull_gen_str(gen, "Spec");
			yajl_gen_number(gen, cfg, strlen(cfg));
		}
		yajl_gen_map_close(gen);
		hull_ctr_free(c);
	}
	yajl_gen_array_close(gen);
	flush_gen(gen);
	hull_engine_free(&e);
	return rc;
}
