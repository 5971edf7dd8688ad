/* SPDX-License-Identifier: Apache-2.0 */
/* hull events: what hull did to containers, as docker events prints it. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/filter.h"
#include "cmd/hull/template.h"
#include "engine/events.h"
#include "lib/json.h"
#include "lib/timearg.h"
#include "lib/util.h"

static const char *const event_filter_keys[] = {"container", "event", "type", "image", NULL};

struct printer {
	const struct hull_filters *fs;
	struct hull_tmpl *tmpl;
	bool json;
};

static const char *str_at(yajl_val v, const char **path)
{
	return hull_json_str(yajl_tree_get(v, path, yajl_t_string));
}

static bool event_match(const char *key, const char *value, void *ctx)
{
	static const char *id[] = {"id", NULL}, *name[] = {"Actor", "Attributes", "name", NULL},
			  *action[] = {"Action", NULL}, *type[] = {"Type", NULL},
			  *image[] = {"Actor", "Attributes", "image", NULL};
	yajl_val v = ctx;
	const char *s;

	if (!strcmp(key, "container"))
		return ((s = str_at(v, name)) && !strcmp(s, value)) ||
		       ((s = str_at(v, id)) && strlen(value) >= 3 && hull_has_prefix(s, value));
	if (!strcmp(key, "event"))
		return (s = str_at(v, action)) && !strcmp(s, value);
	if (!strcmp(key, "type"))
		return (s = str_at(v, type)) && !strcmp(s, value);
	if (!strcmp(key, "image"))
		return (s = str_at(v, image)) && !strcmp(s, value);
	return false;
}

/* docker's line: TIME TYPE ACTION ID (k=v, k=v) */
static void print_text(yajl_val v, int64_t ns)
{
	static const char *type[] = {"Type", NULL}, *action[] = {"Action", NULL},
			  *id[] = {"id", NULL}, *attrs[] = {"Actor", "Attributes", NULL};
	yajl_val a = yajl_tree_get(v, attrs, yajl_t_object);
	time_t sec = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char when[40];

	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	printf("%s.%09lldZ %s %s %s (", when, (long long)(ns % 1000000000LL), str_at(v, type),
	       str_at(v, action), str_at(v, id));
	for (size_t i = 0; a && i < a->u.object.len; i++)
		printf("%s%s=%s", i ? ", " : "", a->u.object.keys[i],
		       hull_json_str(a->u.object.values[i]) ? hull_json_str(a->u.object.values[i])
							    : "");
	printf(")\n");
}

static bool on_event(const char *json, int64_t ns, void *arg)
{
	const struct printer *p = arg;
	cleanup_yajl_val yajl_val v = yajl_tree_parse(json, NULL, 0);

	if (v && hull_filter_match(p->fs, event_match, v)) {
		if (p->json) {
			printf("%s\n", json);
		} else if (p->tmpl) {
			cleanup_free char *out = NULL;
			if (hull_tmpl_render(p->tmpl, v, &out, NULL) == 0)
				printf("%s\n", out);
		} else {
			print_text(v, ns);
		}
		fflush(stdout);
	}
	return true;
}

int cmd_events(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { FORMAT = 256 };
	static const struct option opts[] = {
		{"since", required_argument, NULL, 'S'},
		{"until", required_argument, NULL, 'U'},
		{"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, FORMAT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_filters fs = {0};
	struct printer p = {.fs = &fs};
	struct hull_events_opts o = {.follow = true, .each = on_event, .arg = &p};
	struct hull_engine e = {0};
	struct timespec now;
	const char *format = NULL;
	int c, rc = -1;

	clock_gettime(CLOCK_REALTIME, &now);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
		case 'U':
			if (hull_parse_time_arg(optarg,
						(int64_t)now.tv_sec * 1000000000LL + now.tv_nsec,
						c == 'S' ? &o.since_ns : &o.until_ns, err) < 0) {
				hull_error_wrap(err, "events: %s",
						c == 'S' ? "--since" : "--until");
				goto out;
			}
			break;
		case 'f':
			if (hull_filter_add(&fs, optarg, event_filter_keys, err) < 0)
				goto out;
			break;
		case FORMAT:
			format = optarg;
			break;
		case 'h':
			printf("Usage: hull events [OPTIONS]\n\n"
			       "What hull does to containers (create, start, die, kill, stop, "
			       "pause,\n"
			       "unpause, rename, destroy), as it happens; past events with "
			       "--since.\n\n"
			       "Options:\n"
			       "  -f, --filter KEY=VALUE  container, event, type, image\n"
			       "      --format FORMAT     json (one object per line) or a Go "
			       "template\n"
			       "      --since TIME        from TIME (a duration back, Unix or RFC "
			       "3339 "
			       "time)\n"
			       "      --until TIME        up to TIME, then stop\n");
			rc = 0;
			goto out;
		default:
			usage_error(err, "events", "unknown option `%s`", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		usage_error(err, "events", "unexpected argument `%s`", argv[optind]);
		goto out;
	}
	if (format && hull_format_is_json(format))
		p.json = true;
	else if (format && hull_tmpl_parse(format, &p.tmpl, err) < 0) {
		hull_error_wrap(err, "--format");
		goto out;
	}
	if (open_engine(g, &e, err) < 0)
		goto out;
	signal(SIGPIPE, SIG_DFL); /* a reader that goes away ends us */
	rc = hull_events_read(&e, &o, err);
out:
	hull_tmpl_free(p.tmpl);
	hull_filters_free(&fs);
	hull_engine_free(&e);
	return rc;
}
