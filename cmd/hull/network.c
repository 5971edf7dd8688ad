/* SPDX-License-Identifier: Apache-2.0 */
/* hull network create|ls|inspect|rm|connect|disconnect|prune: the networks of engine/net.h,
 * printed as docker prints them. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/filter.h"
#include "cmd/hull/inspect.h"
#include "cmd/hull/listing.h"
#include "engine/net.h"
#include "lib/json.h"
#include "lib/util.h"

static const char network_headers[] =
	"{\"ID\":\"NETWORK ID\",\"Name\":\"NAME\",\"Driver\":\"DRIVER\",\"Scope\":\"SCOPE\","
	"\"IPv6\":\"IPV6\",\"Internal\":\"INTERNAL\",\"Labels\":\"LABELS\","
	"\"CreatedAt\":\"CREATED AT\",\"Subnet\":\"SUBNET\",\"Gateway\":\"GATEWAY\"}";
static const char network_table[] = "table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}";
static const char *const network_filter_keys[] = {"name", "id",	      "label", "driver",
						  "type", "dangling", NULL};

static char *records_dir(const struct hull_engine *e)
{
	return hull_net_records_dir(e);
}

static void labels_object(yajl_gen g, const struct hull_network *n)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n->n_labels; i++)
		hull_gen_str(g, n->labels[i].key), hull_gen_str(g, n->labels[i].value);
	yajl_gen_map_close(g);
}

/* docker's inspect object of a network */
static char *network_json(const struct hull_engine *e, const struct hull_network *n)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	cleanup_strv char **users = NULL;

	yajl_gen_map_open(g);
	hull_gen_str(g, "Name"), hull_gen_str(g, n->name);
	hull_gen_str(g, "Id"), hull_gen_str(g, n->id);
	hull_gen_str(g, "Created"), hull_gen_str(g, n->created);
	hull_gen_str(g, "Scope"), hull_gen_str(g, "local");
	hull_gen_str(g, "Driver"), hull_gen_str(g, n->driver);
	hull_gen_str(g, "EnableIPv6"), yajl_gen_bool(g, 0);
	hull_gen_str(g, "IPAM");
	yajl_gen_map_open(g);
	hull_gen_str(g, "Driver"), hull_gen_str(g, "default");
	hull_gen_str(g, "Options"), yajl_gen_map_open(g), yajl_gen_map_close(g);
	hull_gen_str(g, "Config");
	yajl_gen_array_open(g);
	if (hull_network_is_bridge(n)) {
		yajl_gen_map_open(g);
		hull_gen_str(g, "Subnet"), hull_gen_str(g, n->subnet);
		hull_gen_str(g, "Gateway"), hull_gen_str(g, n->gateway);
		if (n->ip_range)
			hull_gen_str(g, "IPRange"), hull_gen_str(g, n->ip_range);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	hull_gen_str(g, "Internal"), yajl_gen_bool(g, n->internal);
	hull_gen_str(g, "Attachable"), yajl_gen_bool(g, 0);
	hull_gen_str(g, "Ingress"), yajl_gen_bool(g, 0);
	hull_gen_str(g, "Containers");
	yajl_gen_map_open(g);
	if (hull_network_is_bridge(n) && hull_net_users(e, n->name, &users, NULL) == 0)
		for (char **id = users; id && *id; id++) {
			struct hull_net_attachment *v = NULL;
			struct hull_ctr *c = NULL;
			size_t k = 0;
			if (hull_net_attachments(e, *id, &v, &k, NULL) < 0)
				continue;
			hull_ctr_load(e, *id, &c, NULL);
			for (size_t i = 0; i < k; i++) {
				cleanup_free char *addr = NULL;
				const char *slash = strchr(v[i].net->subnet, '/');
				if (strcmp(v[i].net->name, n->name))
					continue;
				addr = hull_strfmt("%s%s", v[i].ip, slash ? slash : "");
				hull_gen_str(g, *id);
				yajl_gen_map_open(g);
				hull_gen_str(g, "Name"), hull_gen_str(g, c ? c->name : "");
				hull_gen_str(g, "Interface"), hull_gen_str(g, v[i].ifname);
				hull_gen_str(g, "MacAddress"), hull_gen_str(g, v[i].mac);
				hull_gen_str(g, "IPv4Address"), hull_gen_str(g, addr);
				hull_gen_str(g, "IPv6Address"), hull_gen_str(g, "");
				yajl_gen_map_close(g);
			}
			hull_ctr_free(c);
			hull_net_attachments_free(v, k);
			free(v);
		}
	yajl_gen_map_close(g);
	hull_gen_str(g, "Options");
	yajl_gen_map_open(g);
	if (n->bridge && *n->bridge)
		hull_gen_str(g, "com.docker.network.bridge.name"), hull_gen_str(g, n->bridge);
	yajl_gen_map_close(g);
	hull_gen_str(g, "Labels");
	labels_object(g, n);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

char *inspect_network_json(const struct hull_engine *e, const char *ref, struct hull_err *err)
{
	cleanup_free char *dir = records_dir(e);
	struct hull_network *n = NULL;
	char *out;

	if (hull_network_load(dir, ref, &n, err) < 0)
		return NULL;
	out = network_json(e, n);
	hull_network_free(n);
	return out;
}

static int net_create(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { SUBNET = 256, GATEWAY, RANGE, INTERNAL, LABEL, OPT, IPV6, HELP };
	static const struct option opts[] = {
		{"driver", required_argument, NULL, 'd'},
		{"subnet", required_argument, NULL, SUBNET},
		{"gateway", required_argument, NULL, GATEWAY},
		{"ip-range", required_argument, NULL, RANGE},
		{"internal", no_argument, NULL, INTERNAL},
		{"label", required_argument, NULL, LABEL},
		{"opt", required_argument, NULL, 'o'},
		{"ipv6", no_argument, NULL, IPV6},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	struct hull_network_opts o = {0};
	cleanup_strv char **labels = NULL;
	struct hull_engine e = {0};
	struct hull_network *n = NULL;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.driver = optarg;
			break;
		case SUBNET:
			if (o.subnet)
				return usage_error(err, "network create",
						   "one --subnet (hull's networks are IPv4 only)");
			o.subnet = optarg;
			break;
		case GATEWAY:
			o.gateway = optarg;
			break;
		case RANGE:
			o.ip_range = optarg;
			break;
		case INTERNAL:
			o.internal = true;
			break;
		case LABEL:
			hull_strv_push(&labels, optarg);
			break;
		case 'o':
			return usage_error(err, "network create", "--opt `%s` is not supported",
					   optarg);
		case IPV6:
			return usage_error(err, "network create",
					   "--ipv6: hull's networks are IPv4 "
					   "only");
		case HELP:
			print_usage("network-create");
			return 0;
		default:
			return usage_error(err, "network create", "unknown option `%s`",
					   argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_error(err, "network create", "requires exactly 1 argument (NAME)");
	o.name = argv[optind];
	o.labels = labels;
	if (open_engine(g, &e, err) < 0)
		return -1;
	if (hull_net_create(&e, &o, &n, err) < 0) {
		hull_engine_free(&e);
		return -1;
	}
	printf("%s\n", n->id);
	hull_network_free(n);
	hull_engine_free(&e);
	return 0;
}

struct net_match {
	const struct hull_engine *e;
	const struct hull_network *n;
};

static bool network_match(const char *key, const char *value, void *ctx)
{
	const struct net_match *m = ctx;
	const struct hull_network *n = m->n;

	if (!strcmp(key, "name"))
		return strstr(n->name, value) != NULL;
	if (!strcmp(key, "id"))
		return hull_has_prefix(n->id, value);
	if (!strcmp(key, "driver"))
		return !strcmp(n->driver, value);
	if (!strcmp(key, "type"))
		return !strcmp(value, n->builtin ? "builtin" : "custom");
	if (!strcmp(key, "dangling")) {
		cleanup_strv char **users = NULL;
		bool dangling =
			!n->builtin && hull_net_users(m->e, n->name, &users, NULL) == 0 && !users;
		return !strcmp(value, dangling ? "true" : "false") ||
		       !strcmp(value, dangling ? "1" : "0");
	}
	/* label: KEY or KEY=VALUE */
	for (size_t i = 0; i < n->n_labels; i++) {
		const char *eq = strchr(value, '=');
		size_t klen = eq ? (size_t)(eq - value) : strlen(value);
		if (strlen(n->labels[i].key) == klen && !strncmp(n->labels[i].key, value, klen) &&
		    (!eq || !strcmp(n->labels[i].value, eq + 1)))
			return true;
	}
	return false;
}

static char *row_json(const struct hull_network *n, bool notrunc)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	cleanup_free char *labels = xstrdup(""), *id = strndup(n->id, notrunc ? 64 : 12);
	char created[64] = "";
	struct tm tm = {0};

	for (size_t i = 0; i < n->n_labels; i++) {
		char *next = hull_strfmt("%s%s%s=%s", labels, i ? "," : "", n->labels[i].key,
					 n->labels[i].value);
		free(labels);
		labels = next;
	}
	if (*n->created && strptime(n->created, "%Y-%m-%dT%H:%M:%S", &tm))
		strftime(created, sizeof(created), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
	yajl_gen_map_open(g);
	hull_gen_str(g, "ID"), hull_gen_str(g, id);
	hull_gen_str(g, "Name"), hull_gen_str(g, n->name);
	hull_gen_str(g, "Driver"), hull_gen_str(g, n->driver);
	hull_gen_str(g, "Scope"), hull_gen_str(g, "local");
	hull_gen_str(g, "IPv6"), hull_gen_str(g, "false");
	hull_gen_str(g, "Internal"), hull_gen_str(g, n->internal ? "true" : "false");
	hull_gen_str(g, "Labels"), hull_gen_str(g, labels);
	hull_gen_str(g, "CreatedAt"), hull_gen_str(g, created);
	hull_gen_str(g, "Subnet"), hull_gen_str(g, n->subnet ? n->subnet : "");
	hull_gen_str(g, "Gateway"), hull_gen_str(g, n->gateway ? n->gateway : "");
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

static int net_ls(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { HELP = 256 };
	static const struct option opts[] = {
		HULL_LIST_OPT_QUIET,
		HULL_LIST_OPT_NOTRUNC,
		HULL_LIST_OPT_FORMAT,
		HULL_LIST_OPT_FILTER,
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	struct hull_listing l = {.headers_json = network_headers, .default_table = network_table};
	struct hull_list_flags lf = {.filter_keys = network_filter_keys};
	struct hull_engine e = {0};
	struct hull_network **v = NULL;
	cleanup_free char *dir = NULL;
	bool listing = false;
	size_t n = 0;
	int c, rc = -1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qf:", opts, NULL)) != -1) {
		int taken = hull_list_flag(&lf, c, optarg, err);
		if (taken < 0)
			goto out;
		if (taken)
			continue;
		switch (c) {
		case HELP:
			print_usage("network-ls");
			rc = 0;
			goto out;
		default:
			usage_error(err, "network ls", "unknown option `%s`", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		usage_error(err, "network ls", "takes no arguments");
		goto out;
	}
	if (open_engine(g, &e, err) < 0)
		goto out;
	dir = records_dir(&e);
	if (hull_network_list(dir, &v, &n, err) < 0)
		goto out;
	if (!lf.quiet) {
		if (hull_listing_begin(&l, lf.format, err) < 0)
			goto out;
		listing = true;
	}
	for (size_t i = 0; i < n; i++) {
		struct net_match m = {&e, v[i]};
		cleanup_free char *row = NULL;
		if (!hull_filter_match(&lf.filters, network_match, &m))
			continue;
		if (lf.quiet) {
			printf("%.*s\n", lf.notrunc ? 64 : 12, v[i]->id);
			continue;
		}
		row = row_json(v[i], lf.notrunc);
		if (hull_listing_row(&l, row, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (listing)
		hull_listing_end(&l);
	hull_network_list_free(v, n);
	hull_filters_free(&lf.filters);
	hull_engine_free(&e);
	return rc;
}

static int net_rm(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_engine e = {0};
	int failed = 0, first = 1;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		print_usage("network-rm");
		return 0;
	}
	/* -f: docker's "no error if the network is not there" */
	bool force = argc > 1 && (!strcmp(argv[1], "-f") || !strcmp(argv[1], "--force"));
	first += force;
	if (argc <= first)
		return usage_error(err, "network rm", "requires at least 1 argument (NETWORK)");
	if (open_engine(g, &e, err) < 0)
		return -1;
	for (int i = first; i < argc; i++) {
		struct hull_err ne = {0};
		if (hull_net_remove(&e, argv[i], &ne) < 0) {
			if (force && ne.errnum == ENOENT)
				continue;
			fprintf(stderr, "hull: network rm `%s`: %s\n", argv[i], ne.msg);
			failed = 1;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	hull_engine_free(&e);
	return failed ? HULL_EXIT_ERROR : 0;
}

static int net_connect(const struct hull_globals *g, int argc, char **argv, bool connect,
		       struct hull_err *err)
{
	enum { IP = 256, ALIAS, HELP };
	static const struct option opts[] = {
		{"ip", required_argument, NULL, IP},
		{"alias", required_argument, NULL, ALIAS},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	const char *what = connect ? "network connect" : "network disconnect", *ip = NULL;
	cleanup_strv char **aliases = NULL;
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	int opt, rc = -1;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		switch (opt) {
		case IP:
			ip = optarg;
			break;
		case ALIAS:
			if (!*optarg || strpbrk(optarg, " \t\n,"))
				return usage_error(err, what, "--alias `%s` is not a name", optarg);
			hull_strv_push(&aliases, optarg);
			break;
		case 'f':
			break;
		case HELP:
			print_usage(connect ? "network-connect" : "network-disconnect");
			return 0;
		default:
			return usage_error(err, what, "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (!connect && (ip || aliases))
		return usage_error(err, what, "--ip and --alias are for connect");
	if (argc - optind != 2)
		return usage_error(err, what, "requires exactly 2 arguments (NETWORK CONTAINER)");
	if (open_engine(g, &e, err) < 0)
		return -1;
	if (hull_ctr_lookup(&e, argv[optind + 1], &c, err) == 0)
		rc = connect ? hull_net_connect(&e, c, argv[optind], ip, aliases, err)
			     : hull_net_disconnect(&e, c, argv[optind], err);
	hull_ctr_free(c);
	hull_engine_free(&e);
	return rc;
}

static int net_prune(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { HELP = 256 };
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"filter", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	static const char *const prune_keys[] = {"label", NULL};
	struct hull_filters fs = {0};
	struct hull_engine e = {0};
	struct hull_network **v = NULL;
	cleanup_free char *dir = NULL;
	bool force = false, header = false;
	size_t n = 0;
	int c, rc = -1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'F':
			if (hull_filter_add(&fs, optarg, prune_keys, err) < 0)
				goto out;
			break;
		case HELP:
			print_usage("network-prune");
			rc = 0;
			goto out;
		default:
			usage_error(err, "network prune", "unknown option `%s`", argv[optind - 1]);
			goto out;
		}
	}
	if (!force) {
		char answer[16] = "";
		fprintf(stderr,
			"WARNING! This will remove all custom networks not used by at least "
			"one container.\nAre you sure you want to continue? [y/N] ");
		if (!fgets(answer, sizeof(answer), stdin) ||
		    (answer[0] != 'y' && answer[0] != 'Y')) {
			rc = 0;
			goto out;
		}
	}
	if (open_engine(g, &e, err) < 0)
		goto out;
	dir = records_dir(&e);
	if (hull_network_list(dir, &v, &n, err) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct net_match m = {&e, v[i]};
		struct hull_err ne = {0};
		cleanup_strv char **users = NULL;
		if (v[i]->builtin || !hull_filter_match(&fs, network_match, &m) ||
		    hull_net_users(&e, v[i]->name, &users, NULL) < 0 || users)
			continue;
		/* one that a container joined since is kept: rm refuses it */
		if (hull_net_remove(&e, v[i]->name, &ne) < 0) {
			if (ne.errnum != EBUSY && ne.errnum != ENOENT) {
				fprintf(stderr, "hull: network prune: %s\n", ne.msg);
				rc = HULL_EXIT_ERROR;
			}
			continue;
		}
		if (!header)
			printf("Deleted Networks:\n");
		header = true;
		printf("%s\n", v[i]->name);
	}
out:
	hull_network_list_free(v, n);
	hull_filters_free(&fs);
	hull_engine_free(&e);
	return rc;
}

int cmd_network(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		print_usage("network");
		return sub ? 0 : HULL_EXIT_ERROR;
	}
	argc--, argv++;
	if (!strcmp(sub, "create"))
		return net_create(g, argc, argv, err);
	if (!strcmp(sub, "ls") || !strcmp(sub, "list"))
		return net_ls(g, argc, argv, err);
	if (!strcmp(sub, "inspect"))
		return cmd_network_inspect(g, argc, argv, err);
	if (!strcmp(sub, "rm") || !strcmp(sub, "remove"))
		return net_rm(g, argc, argv, err);
	if (!strcmp(sub, "connect"))
		return net_connect(g, argc, argv, true, err);
	if (!strcmp(sub, "disconnect"))
		return net_connect(g, argc, argv, false, err);
	if (!strcmp(sub, "prune"))
		return net_prune(g, argc, argv, err);
	return usage_error(err, "network", "unknown command `%s`", sub);
}
