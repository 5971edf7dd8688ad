/* SPDX-License-Identifier: Apache-2.0 */
/* hull inspect, hull image inspect: objects by name or id, printed as docker prints them: a
 * JSON array, or each through a --format template. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/inspect.h"
#include "cmd/hull/template.h"
#include "engine/start.h"
#include "lib/json.h"
#include "lib/util.h"

const char *docker_state(const struct hull_ctr *c, enum hull_status s)
{
	if (hull_ctr_is_restarting(c, s))
		return "restarting";
	/* stopped and never started: made by `hull create` */
	if (s == HULL_STOPPED && !c->started && !c->exited)
		return "created";
	return s == HULL_STOPPED ? "exited" : s == HULL_CREATING ? "created" : hull_status_name(s);
}

enum kind { ANY, CONTAINER, IMAGE, NETWORK };

/* The object ref names, as JSON text: a container first (unless only images are wanted). */
static char *object_json(const struct hull_globals *g, struct hull_engine *e, enum kind k,
			 const char *ref, struct hull_err *err)
{
	struct hull_ctr *c = NULL;
	char *out;

	if (k == NETWORK)
		return inspect_network_json(e, ref, err);
	if (k != IMAGE && hull_ctr_lookup(e, ref, &c, NULL) == 0) {
		out = inspect_container_json(e, c);
		hull_ctr_free(c);
		return out;
	}
	if (k != CONTAINER) {
		out = inspect_image_json(g, ref, err);
		if (out || k == IMAGE)
			return out;
	}
	/* docker's inspect looks at networks last */
	if (k == ANY) {
		struct hull_err nerr = {0};
		out = inspect_network_json(e, ref, &nerr);
		if (out)
			return out;
	}
	hull_error(err, ENOENT, "No such %s: %s",
		   k == CONTAINER ? "container"
		   : k == IMAGE	  ? "image"
				  : "object",
		   ref);
	return NULL;
}

static void usage(const char *what)
{
	printf("Usage: hull %s [OPTIONS] NAME|ID [NAME|ID...]\n\n"
	       "Print what hull knows of %s, as a JSON array.\n\n"
	       "Options:\n"
	       "  -f, --format TEMPLATE  print each through a Go template, e.g. "
	       "'{{.State.Status}}'\n"
	       "                         (`json` prints each as one line of JSON)\n"
	       "      --type TYPE        container, image or network: look only for that\n",
	       what,
	       !strcmp(what, "image inspect")	  ? "images"
	       : !strcmp(what, "network inspect") ? "networks"
						  : "containers, images or networks");
}

static int inspect(const struct hull_globals *g, int argc, char **argv, enum kind k,
		   const char *what, struct hull_err *err)
{
	enum { TYPE = 256 };
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"type", required_argument, NULL, TYPE},
		{"size", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_engine e = {0};
	struct hull_tmpl *t = NULL;
	const char *format = NULL;
	yajl_gen arr = NULL;
	int c, rc = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case TYPE:
			if (strcmp(optarg, "container") && strcmp(optarg, "image") &&
			    strcmp(optarg, "network"))
				return usage_error(err, what,
						   "--type: `%s` (container, image or network)",
						   optarg);
			if (k == NETWORK && optarg[0] != 'n')
				return usage_error(err, what, "--type: networks only here");
			if (k == IMAGE && optarg[0] != 'i')
				return usage_error(err, what, "--type %s: images only here",
						   optarg);
			k = optarg[0] == 'c' ? CONTAINER : optarg[0] == 'i' ? IMAGE : NETWORK;
			break;
		case 's':
			break; /* sizes: hull reports what it has either way */
		case 'h':
			usage(what);
			return 0;
		default:
			return usage_error(err, what, "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, what, "requires at least 1 argument");
	if (format && !hull_format_is_json(format) && hull_tmpl_parse(format, &t, err) < 0)
		return hull_error_wrap(err, "--format");
	if (open_engine(g, &e, err) < 0) {
		hull_tmpl_free(t);
		return -1;
	}
	if (!format) {
		arr = yajl_gen_alloc(NULL);
		yajl_gen_config(arr, yajl_gen_beautify, 1);
		yajl_gen_array_open(arr);
	}
	for (int i = optind; i < argc; i++) {
		struct hull_err oerr = {0};
		cleanup_free char *json = object_json(g, &e, k, argv[i], &oerr), *out = NULL;
		cleanup_yajl_val yajl_val v = NULL;

		if (!json) {
			fprintf(stderr, "hull: %s\n", oerr.msg);
			rc = 1;
			continue;
		}
		v = yajl_tree_parse(json, NULL, 0);
		if (arr) {
			sj_gen(arr, v);
		} else if (!t) {
			printf("%s\n", json);
		} else if (hull_tmpl_render(t, v, &out, &oerr) < 0) {
			fprintf(stderr, "hull: --format: %s\n", oerr.msg);
			rc = 1;
		} else {
			printf("%s\n", out);
		}
	}
	if (arr) {
		yajl_gen_array_close(arr);
		char *text = hull_gen_text(arr);
		printf("%s\n", text);
		free(text);
	}
	hull_tmpl_free(t);
	hull_engine_free(&e);
	return rc;
}

int cmd_inspect(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	return inspect(g, argc, argv, ANY, "inspect", err);
}

int cmd_image_inspect(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	return inspect(g, argc, argv, IMAGE, "image inspect", err);
}

int cmd_network_inspect(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	return inspect(g, argc, argv, NETWORK, "network inspect", err);
}
