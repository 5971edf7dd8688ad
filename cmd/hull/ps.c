/* SPDX-License-Identifier: Apache-2.0 */
/* hull ps and hull inspect: what there is, as a table or as JSON. */
#include <errno.h>
#include <regex.h>
#include <time.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/filter.h"
#include "cmd/hull/inspect.h"
#include "cmd/hull/listing.h"
#include "engine/ops.h"
#include "engine/start.h"
#include "lib/json.h"
#include "lib/util.h"
#include "engine/net.h"
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
	/* up since the last start */
	const char *up = c->started ? c->started : c->created;

	switch (s) {
	case HULL_CREATING:
	case HULL_CREATED:
		return xstrdup("Created");
	case HULL_RUNNING:
		since = human_age(up, false);
		return hull_strfmt("Up %s", since);
	case HULL_PAUSED:
		since = human_age(up, false);
		return hull_strfmt("Up %s (Paused)", since);
	case HULL_STOPPED:
		break;
	}
	if (!strcmp(docker_state(c, s), "created"))
		return xstrdup("Created");
	if (!c->exited)
		return xstrdup("Exited (unknown)");
	if (!strcmp(docker_state(c, s), "restarting")) {
		since = human_age(c->finished, true);
		return hull_strfmt("Restarting (%d) %s", c->exit_code, since);
	}
	since = human_age(c->finished, true);
	return hull_strfmt("Exited (%d) %s", c->exit_code, since);
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

/* The container's networks ("bridge,back" after a connect), running or not */
static char *networks_text(const struct hull_engine *e, const struct hull_ctr *c)
{
	struct hull_net_attachment *v = NULL;
	size_t n = 0;
	char *out;

	if (hull_net_listing(e, c, &v, &n, NULL) < 0 || n == 0) {
		free(v);
		return xstrdup(c->network ? c->network : "none");
	}
	out = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *next = hull_strfmt("%s%s%s", out, i ? "," : "", v[i].net->name);
		free(out);
		out = next;
	}
	hull_net_attachments_free(v, n);
	free(v);
	return out;
}

/* A row of `ps` with docker's fields (all strings, as docker's `--format json` has them) and
 * hull's isolation level. */
/* "k=v,k2=v2", as docker's Labels field */
static char *labels_text(const struct hull_ctr *c)
{
	char *out = xstrdup("");
	for (size_t i = 0; i < c->n_labels; i++) {
		char *next = hull_strfmt("%s%s%s=%s", out, i ? "," : "", c->labels[i].key,
					 c->labels[i].value);
		free(out);
		out = next;
	}
	return out;
}

static char *row_json(const struct hull_ctr *c, enum hull_status s, bool notrunc,
		      const char *networks)
{
	cleanup_free char *cmd = command_text(c->command, !notrunc);
	cleanup_free char *quoted = hull_strfmt("\"%s\"", cmd);
	cleanup_free char *status = status_text(c, s), *ports = ports_text(c);
	cleanup_free char *running_for = human_age(c->created, true);
	cleanup_free char *labels = labels_text(c);
	char created_at[64] = "", id[65];
	struct tm tm = {0};
	yajl_gen g = yajl_gen_alloc(NULL);

	if (c->created && strptime(c->created, "%Y-%m-%dT%H:%M:%S", &tm))
		strftime(created_at, sizeof(created_at), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
	snprintf(id, sizeof(id), "%.*s", notrunc ? 64 : 12, c->id);
	yajl_gen_map_open(g);
#define FIELD(k, v) hull_gen_str(g, k), hull_gen_str(g, v)
	FIELD("Command", quoted);
	FIELD("CreatedAt", created_at);
	FIELD("ID", id);
	FIELD("Image", c->image ? c->image : "");
	FIELD("Isolation", c->isolation ? c->isolation : "");
	FIELD("Labels", labels);
	FIELD("LocalVolumes", "0");
	FIELD("Mounts", "");
	FIELD("Names", c->name);
	FIELD("Networks", networks);
	FIELD("Ports", ports);
	FIELD("RunningFor", running_for);
	FIELD("Size", "0B");
	FIELD("State", docker_state(c, s));
	FIELD("Status", status);
#undef FIELD
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

static const char ps_headers[] =
	"{\"Command\":\"COMMAND\",\"CreatedAt\":\"CREATED AT\",\"ID\":\"CONTAINER ID\","
	"\"Image\":\"IMAGE\",\"Isolation\":\"ISOLATION\",\"Labels\":\"LABELS\","
	"\"LocalVolumes\":\"LOCAL VOLUMES\",\"Mounts\":\"MOUNTS\",\"Names\":\"NAMES\","
	"\"Networks\":\"NETWORKS\",\"Ports\":\"PORTS\",\"RunningFor\":\"CREATED\","
	"\"Size\":\"SIZE\",\"State\":\"STATE\",\"Status\":\"STATUS\"}";
static const char ps_table[] = "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t"
			       "{{.Status}}\\t{{.Ports}}\\t{{.Names}}";
static const char *const ps_filter_keys[] = {"id",	 "name",      "status",	 "exited",
					     "ancestor", "isolation", "network", "before",
					     "since",	 "publish",   "label",	 NULL};

struct ps_match {
	const struct hull_ctr *c;
	enum hull_status s;
	size_t index;	       /* in the list, oldest first */
	struct hull_ctr **all; /* to find before= and since= */
	size_t n;
};

static bool refers_to(const struct hull_ctr *c, const char *ref)
{
	return !strcmp(c->name, ref) || (strlen(ref) >= 3 && hull_has_prefix(c->id, ref));
}

static bool ps_match(const char *key, const char *value, void *ctx)
{
	const struct ps_match *m = ctx;
	const struct hull_ctr *c = m->c;

	if (!strcmp(key, "id"))
		return hull_has_prefix(c->id, value);
	if (!strcmp(key, "name")) {
		regex_t re;
		bool hit;
		if (regcomp(&re, value, REG_EXTENDED | REG_NOSUB) != 0)
			return strstr(c->name, value) != NULL;
		hit = regexec(&re, c->name, 0, NULL, 0) == 0;
		regfree(&re);
		return hit;
	}
	if (!strcmp(key, "status"))
		return !strcmp(docker_state(c, m->s), value);
	if (!strcmp(key, "exited"))
		return m->s == HULL_STOPPED && c->exited && c->exit_code == atoi(value);
	if (!strcmp(key, "ancestor")) {
		const char *id =
			hull_has_prefix(c->image_id, "sha256:") ? c->image_id + 7 : c->image_id;
		cleanup_free char *tagged = hull_strfmt("%s:latest", value);
		return !strcmp(c->image, value) || !strcmp(c->image, tagged) ||
		       (strlen(value) >= 3 && id && hull_has_prefix(id, value)) ||
		       (c->image_id && !strcmp(c->image_id, value));
	}
	if (!strcmp(key, "isolation"))
		return c->isolation && !strcmp(c->isolation, value);
	if (!strcmp(key, "label"))
		return hull_filter_label(c->labels, c->n_labels, value);
	if (!strcmp(key, "network"))
		return !strcmp(c->network ? c->network : "none", value);
	if (!strcmp(key, "before") || !strcmp(key, "since")) {
		for (size_t i = 0; i < m->n; i++)
			if (refers_to(m->all[i], value))
				return key[0] == 'b' ? m->index < i : m->index > i;
		return false;
	}
	if (!strcmp(key, "publish")) {
		for (char **p = c->ports; p && *p; p++) {
			struct hull_port port;
			char a[16], b[24];
			if (hull_port_parse(*p, &port, NULL) < 0)
				continue;
			snprintf(a, sizeof(a), "%u", port.host_port);
			snprintf(b, sizeof(b), "%u/%s", port.host_port, port.proto);
			if (!strcmp(value, a) || !strcmp(value, b))
				return true;
		}
		return false;
	}
	return false;
}

static void ps_usage(void)
{
	printf("Usage: hull ps [OPTIONS]\n\n"
	       "List containers (running ones unless -a, a status filter or -n).\n\n"
	       "Options:\n"
	       "  -a, --all             show all containers\n"
	       "  -f, --filter KEY=VALUE  id, name (a regular expression), status, exited,\n"
	       "                        ancestor, isolation, network, before, since, publish,\n"
	       "                        label (KEY or KEY=VALUE)\n"
	       "      --format FORMAT   table, table TEMPLATE, json (one object per line) or a\n"
	       "                        Go template, e.g. '{{.ID}}: {{.Names}}'\n"
	       "  -n, --last N          the N newest containers (any state)\n"
	       "  -l, --latest          the newest container (any state)\n"
	       "      --no-trunc        do not truncate ids and commands\n"
	       "  -q, --quiet           only the ids\n");
}

int cmd_ps(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { FORMAT = 256, NOTRUNC };
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"quiet", no_argument, NULL, 'q'},
		{"no-trunc", no_argument, NULL, NOTRUNC},
		{"format", required_argument, NULL, FORMAT},
		{"filter", required_argument, NULL, 'f'},
		{"last", required_argument, NULL, 'n'},
		{"latest", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_listing l = {.headers_json = ps_headers, .default_table = ps_table};
	struct hull_filters fs = {0};
	bool all = false, quiet = false, notrunc = false;
	const char *format = NULL;
	struct hull_engine e = {0};
	struct hull_ctr **v = NULL;
	long last = -1;
	size_t n = 0, shown = 0;
	int c, rc = -1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "aqf:n:lh", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'q':
			quiet = true;
			break;
		case NOTRUNC:
			notrunc = true;
			break;
		case FORMAT:
			format = optarg;
			break;
		case 'f':
			if (hull_filter_add(&fs, optarg, ps_filter_keys, err) < 0)
				goto out;
			break;
		case 'n':
			last = strtol(optarg, &end, 10);
			if (*end || end == optarg || last < 0) {
				usage_error(err, "ps", "--last: `%s` is not a count", optarg);
				goto out;
			}
			break;
		case 'l':
			last = 1;
			break;
		case 'h':
			ps_usage();
			rc = 0;
			goto out;
		default:
			usage_error(err, "ps", "unknown option `%s`", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		usage_error(err, "ps", "unexpected argument `%s`", argv[optind]);
		goto out;
	}
	/* docker: a status filter, -n and -l look at every container */
	all = all || last >= 0 || hull_filter_has(&fs, "status") || hull_filter_has(&fs, "exited");
	if (!quiet && hull_listing_begin(&l, format, err) < 0)
		goto out;
	if (open_engine(g, &e, err) < 0 || hull_ctr_list(&e, &v, &n, err) < 0)
		goto out;
	/* newest first, as docker lists them */
	for (size_t i = n; i-- > 0 && (last < 0 || shown < (size_t)last);) {
		pid_t pid;
		enum hull_status s = hull_ctr_status(&e, v[i], &pid);
		struct ps_match m = {v[i], s, i, v, n};
		cleanup_free char *row = NULL, *networks = NULL;

		/* a restarting container counts as running, as docker's */
		if ((!all && s == HULL_STOPPED && !hull_ctr_is_restarting(v[i], s)) ||
		    !hull_filter_match(&fs, ps_match, &m))
			continue;
		shown++;
		if (quiet) {
			printf("%.*s\n", notrunc ? 64 : 12, v[i]->id);
			continue;
		}
		networks = networks_text(&e, v[i]);
		row = row_json(v[i], s, notrunc, networks);
		if (hull_listing_row(&l, row, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (!quiet)
		hull_listing_end(&l);
	hull_ctr_list_free(v, n);
	hull_engine_free(&e);
	hull_filters_free(&fs);
	return rc;
}
