/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hull's networks as records.  The built-ins (bridge, host, none) are made up on every read:
 * they always exist and cannot be removed.  A user network is <dir>/<name>/network.json; the
 * directory is made with mkdir(2), so two `hull network create NAME` cannot both win, and
 * creation holds <dir>/.lock so that two of them cannot take the same free subnet.  A record
 * is written atomically: a crash leaves the old one or the new one; a directory without a
 * record (a create that died) is no network and its name is free again.
 */
#include "network/netrecord.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/timearg.h"
#include "lib/util.h"
#include "network/ipv4.h"

#define RECORD_FILE "network.json"
#define LOCK_FILE   "lock"
#define CREATE_LOCK ".lock"
/* automatic subnets: 10.89.N.0/24, N from 1 (10.89.0.0/24 is the default bridge's) */
#define AUTO_SUBNET_FMT "10.89.%d.0/24"
#define BRIDGE_PREFIX	"br-"

static const char *const builtin_names[] = {HULL_NET_DEFAULT, HULL_NET_HOST, HULL_NET_NONE};

/* a built-in's id: the same on every read (FNV-1a of its name, four times over) */
static char *builtin_id(const char *name)
{
	unsigned long long h = 14695981039346656037ull;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return hull_strfmt("%016llx%016llx%016llx%016llx", h, h ^ 0x5555555555555555ull,
			   h ^ 0xaaaaaaaaaaaaaaaaull, ~h);
}

static struct hull_network *builtin(const char *name)
{
	struct hull_network *n = xzalloc(sizeof(*n));
	n->name = xstrdup(name);
	n->id = builtin_id(name);
	n->builtin = true;
	n->created = xstrdup("");
	if (!strcmp(name, HULL_NET_DEFAULT)) {
		n->driver = xstrdup("bridge");
		n->bridge = xstrdup(HULL_NET_DEFAULT_BRIDGE);
		n->subnet = xstrdup(HULL_NET_DEFAULT_SUBNET);
		n->gateway = xstrdup(HULL_NET_DEFAULT_GATEWAY);
	} else {
		n->driver = xstrdup(!strcmp(name, HULL_NET_HOST) ? "host" : "null");
	}
	return n;
}

bool hull_network_is_bridge(const struct hull_network *n)
{
	return n && n->driver && !strcmp(n->driver, "bridge");
}

void hull_network_free(struct hull_network *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->id);
	free(n->driver);
	free(n->bridge);
	free(n->subnet);
	free(n->gateway);
	free(n->ip_range);
	hull_kv_free(n->labels, n->n_labels);
	free(n->created);
	free(n);
}

void hull_network_list_free(struct hull_network **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hull_network_free(v[i]);
	free(v);
}

static int validate_name(const char *name, struct hull_err *err)
{
	size_t len = strlen(name);
	if (!len || len > 128 || !isalnum((unsigned char)name[0]))
		goto bad;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			goto bad;
	return 0;
bad:
	return hull_error(err, EINVAL,
			  "invalid network name `%s`: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
			  name);
}

char *hull_network_json(const struct hull_network *n)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	hull_gen_str(g, "name"), hull_gen_str(g, n->name);
	hull_gen_str(g, "id"), hull_gen_str(g, n->id);
	hull_gen_str(g, "driver"), hull_gen_str(g, n->driver);
	hull_gen_str(g, "bridge"), hull_gen_str(g, n->bridge ? n->bridge : "");
	hull_gen_str(g, "subnet"), hull_gen_str(g, n->subnet ? n->subnet : "");
	hull_gen_str(g, "gateway"), hull_gen_str(g, n->gateway ? n->gateway : "");
	if (n->ip_range)
		hull_gen_str(g, "ipRange"), hull_gen_str(g, n->ip_range);
	hull_gen_str(g, "internal"), yajl_gen_bool(g, n->internal);
	if (n->builtin)
		hull_gen_str(g, "builtin"), yajl_gen_bool(g, 1);
	hull_gen_str(g, "labels");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n->n_labels; i++)
		hull_gen_str(g, n->labels[i].key), hull_gen_str(g, n->labels[i].value);
	yajl_gen_map_close(g);
	hull_gen_str(g, "created"), hull_gen_str(g, n->created);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

int hull_network_parse(yajl_val j, struct hull_network **out, struct hull_err *err)
{
	struct hull_network *n;

	if (!YAJL_IS_OBJECT(j))
		return hull_error(err, EINVAL, "a network is not a JSON object");
	n = xzalloc(sizeof(*n));
	if (sj_string(j, "name", "name", &n->name, err) < 0 ||
	    sj_string(j, "id", "id", &n->id, err) < 0 ||
	    sj_string(j, "driver", "driver", &n->driver, err) < 0 ||
	    sj_string(j, "bridge", "bridge", &n->bridge, err) < 0 ||
	    sj_string(j, "subnet", "subnet", &n->subnet, err) < 0 ||
	    sj_string(j, "gateway", "gateway", &n->gateway, err) < 0 ||
	    sj_string(j, "ipRange", "ipRange", &n->ip_range, err) < 0 ||
	    sj_bool(j, "internal", "internal", &n->internal, err) < 0 ||
	    sj_bool(j, "builtin", "builtin", &n->builtin, err) < 0 ||
	    sj_kv(j, "labels", "labels", &n->labels, &n->n_labels, err) < 0 ||
	    sj_string(j, "created", "created", &n->created, err) < 0) {
		hull_network_free(n);
		return -1;
	}
	if (!n->name || !n->id || !n->driver || !n->bridge || !n->subnet || !n->gateway) {
		hull_network_free(n);
		return hull_error(err, EINVAL,
				  "a network lacks one of name, id, driver, bridge, "
				  "subnet, gateway");
	}
	if (!n->created)
		n->created = xstrdup("");
	*out = n;
	return 0;
}

static int load_record(const char *dir, const char *name, struct hull_network **out,
		       struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/%s/%s", dir, name, RECORD_FILE), *text = NULL;
	cleanup_yajl_val yajl_val j = NULL;
	char ebuf[128];

	if (hull_read_file(path, &text, NULL, err) < 0)
		return -1;
	j = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!j)
		return hull_error(err, EINVAL, "network record %s is not JSON: %s", path, ebuf);
	if (hull_network_parse(j, out, err) < 0)
		return hull_error_wrap(err, "network record %s", path);
	return 0;
}

/* the user's networks, by name; directories without a record are skipped */
static int load_all(const char *dir, struct hull_network ***out, size_t *count,
		    struct hull_err *err)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nn;

	*out = NULL;
	*count = 0;
	if (!d)
		return errno == ENOENT ? 0 : hull_error(err, errno, "open %s", dir);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			hull_strv_push(&names, de->d_name);
	nn = hull_strv_len(names);
	hull_strv_sort(names, nn);
	for (size_t i = 0; i < nn; i++) {
		struct hull_network *n = NULL;
		struct hull_err e = {0};
		if (load_record(dir, names[i], &n, &e) < 0) {
			if (e.errnum == ENOENT)
				continue;
			hull_network_list_free(*out, *count);
			hull_strv_free(names);
			*err = e;
			return -1;
		}
		*out = xrealloc(*out, (*count + 1) * sizeof(**out));
		(*out)[(*count)++] = n;
	}
	hull_strv_free(names);
	return 0;
}

int hull_network_list(const char *dir, struct hull_network ***out, size_t *n, struct hull_err *err)
{
	struct hull_network **user;
	size_t nu;

	if (load_all(dir, &user, &nu, err) < 0)
		return -1;
	*n = ARRAY_SIZE(builtin_names) + nu;
	*out = xmalloc(*n * sizeof(**out));
	for (size_t i = 0; i < ARRAY_SIZE(builtin_names); i++)
		(*out)[i] = builtin(builtin_names[i]);
	for (size_t i = 0; i < nu; i++)
		(*out)[ARRAY_SIZE(builtin_names) + i] = user[i];
	free(user);
	return 0;
}

int hull_network_load(const char *dir, const char *ref, struct hull_network **out,
		      struct hull_err *err)
{
	struct hull_network **v;
	size_t n, found = 0, hit = 0;
	bool exact = false;

	if (!*ref)
		return hull_error(err, ENOENT, "network name is empty");
	if (hull_network_list(dir, &v, &n, err) < 0)
		return -1;
	/* docker's order: the name, then the full id, then a unique id prefix */
	for (size_t i = 0; i < n && !found; i++)
		if (!strcmp(v[i]->name, ref) || !strcmp(v[i]->id, ref))
			found = 1, hit = i, exact = true;
	for (size_t i = 0; i < n && !exact; i++)
		if (hull_has_prefix(v[i]->id, ref) && found++ == 0)
			hit = i;
	if (found == 1) {
		*out = v[hit];
		v[hit] = NULL;
	}
	hull_network_list_free(v, n);
	if (found > 1)
		return hull_error(err, EINVAL, "network id prefix `%s` is ambiguous", ref);
	if (!found)
		return hull_error(err, ENOENT, "No such network: %s", ref);
	return 0;
}

/* KEY=VALUE (or KEY: an empty value) */
static int add_label(struct hull_network *n, const char *l, struct hull_err *err)
{
	const char *eq = strchr(l, '=');
	size_t klen = eq ? (size_t)(eq - l) : strlen(l);

	if (!klen)
		return hull_error(err, EINVAL, "invalid --label `%s` (KEY=VALUE)", l);
	n->labels = xrealloc(n->labels, (n->n_labels + 1) * sizeof(*n->labels));
	n->labels[n->n_labels].key = strndup(l, klen);
	n->labels[n->n_labels++].value = xstrdup(eq ? eq + 1 : "");
	return 0;
}

/* --subnet, --gateway, --ip-range: each inside the one before; the gateway a host address */
static int check_addresses(const struct hull_network_opts *o, struct hull_network *n,
			   struct hull_cidr *subnet, struct hull_err *err)
{
	struct hull_cidr range;
	uint32_t gw;
	char buf[HULL_IPV4_LEN];

	if (!o->subnet && (o->gateway || o->ip_range))
		return hull_error(err, EINVAL, "--gateway and --ip-range need --subnet");
	if (!o->subnet)
		return 0;
	if (hull_cidr_parse(o->subnet, "--subnet", subnet, err) < 0)
		return -1;
	if (subnet->prefix > 30)
		return hull_error(err, EINVAL, "--subnet `%s` is too small (at most /30)",
				  o->subnet);
	if (o->gateway) {
		if (hull_ipv4_parse(o->gateway, &gw, err) < 0)
			return hull_error_wrap(err, "--gateway");
		if (!hull_cidr_contains(subnet, gw) || gw < hull_cidr_first(subnet) ||
		    gw > hull_cidr_last(subnet))
			return hull_error(err, EINVAL,
					  "--gateway %s is not a host address of --subnet %s",
					  o->gateway, o->subnet);
	} else {
		gw = hull_cidr_first(subnet);
	}
	hull_ipv4_format(gw, buf);
	n->gateway = xstrdup(buf);
	if (o->ip_range) {
		if (hull_cidr_parse(o->ip_range, "--ip-range", &range, err) < 0)
			return -1;
		if (range.prefix < subnet->prefix || !hull_cidr_contains(subnet, range.addr))
			return hull_error(err, EINVAL, "--ip-range %s is not inside --subnet %s",
					  o->ip_range, o->subnet);
		n->ip_range = hull_cidr_format(&range);
	}
	n->subnet = hull_cidr_format(subnet);
	return 0;
}

/* under the creation lock: the given subnet overlaps no other network's, or the first free
 * automatic one */
static int choose_subnet(const char *dir, struct hull_network *n, const struct hull_cidr *given,
			 struct hull_err *err)
{
	struct hull_network **v;
	size_t count;
	struct hull_cidr c;
	int rc = -1;

	if (hull_network_list(dir, &v, &count, err) < 0)
		return -1;
	if (given) {
		for (size_t i = 0; i < count; i++) {
			if (!v[i]->subnet || hull_cidr_parse(v[i]->subnet, "", &c, NULL) < 0 ||
			    !hull_cidr_overlap(&c, given))
				continue;
			hull_error(err, EEXIST, "--subnet %s overlaps network %s (%s)", n->subnet,
				   v[i]->name, v[i]->subnet);
			goto out;
		}
		rc = 0;
		goto out;
	}
	for (int k = 1; k < 256 && rc < 0; k++) {
		cleanup_free char *s = hull_strfmt(AUTO_SUBNET_FMT, k);
		bool taken = false;
		struct hull_cidr cand;
		hull_cidr_parse(s, "", &cand, NULL);
		for (size_t i = 0; i < count && !taken; i++)
			taken = v[i]->subnet && hull_cidr_parse(v[i]->subnet, "", &c, NULL) == 0 &&
				hull_cidr_overlap(&c, &cand);
		if (taken)
			continue;
		n->subnet = xstrdup(s);
		n->gateway = hull_strfmt("10.89.%d.1", k);
		rc = 0;
	}
	if (rc < 0)
		hull_error(err, ENOSPC,
			   "no free subnet left in 10.89.0.0/16: give one with --subnet");
out:
	hull_network_list_free(v, count);
	return rc;
}

int hull_network_create(const char *dir, const struct hull_network_opts *o,
			struct hull_network **out, struct hull_err *err)
{
	cleanup_free char *lock = hull_strfmt("%s/%s", dir, CREATE_LOCK), *ndir = NULL;
	cleanup_free char *rec = NULL, *json = NULL;
	cleanup_close int lockfd = -1;
	struct hull_network *n = xzalloc(sizeof(*n));
	struct hull_cidr subnet;
	struct stat st;

	if (validate_name(o->name, err) < 0)
		goto fail;
	for (size_t i = 0; i < ARRAY_SIZE(builtin_names); i++)
		if (!strcmp(o->name, builtin_names[i])) {
			hull_error(err, EEXIST, "network with name %s already exists (built in)",
				   o->name);
			goto fail;
		}
	if (o->driver && strcmp(o->driver, "bridge")) {
		hull_error(err, EINVAL, "unsupported --driver `%s` (bridge)", o->driver);
		goto fail;
	}
	n->name = xstrdup(o->name);
	n->id = hull_random_id();
	n->driver = xstrdup("bridge");
	n->bridge = hull_strfmt(BRIDGE_PREFIX "%.12s", n->id);
	n->internal = o->internal;
	n->created = hull_now_rfc3339();
	for (char *const *l = o->labels; l && *l; l++)
		if (add_label(n, *l, err) < 0)
			goto fail;
	if (check_addresses(o, n, &subnet, err) < 0)
		goto fail;
	if (hull_mkdir_p(dir, 0700, err) < 0)
		goto fail;
	lockfd = hull_lock_path(lock, err);
	if (lockfd < 0)
		goto fail;
	ndir = hull_strfmt("%s/%s", dir, n->name);
	rec = hull_strfmt("%s/%s", ndir, RECORD_FILE);
	/* the name first, as docker says it */
	if (stat(rec, &st) == 0) {
		hull_error(err, EEXIST, "network with name %s already exists", n->name);
		goto fail;
	}
	if (choose_subnet(dir, n, o->subnet ? &subnet : NULL, err) < 0)
		goto fail;
	if (mkdir(ndir, 0700) < 0 && (errno != EEXIST || stat(rec, &st) == 0)) {
		if (errno == EEXIST)
			hull_error(err, EEXIST, "network with name %s already exists", n->name);
		else
			hull_error(err, errno, "create %s", ndir);
		goto fail;
	}
	json = hull_network_json(n);
	if (hull_write_file_atomic(rec, json, strlen(json), 0600, err) < 0) {
		hull_remove_tree(ndir, NULL);
		goto fail;
	}
	*out = n;
	return 0;
fail:
	hull_network_free(n);
	return -1;
}

int hull_network_remove(const char *dir, const struct hull_network *n, struct hull_err *err)
{
	cleanup_free char *ndir = hull_strfmt("%s/%s", dir, n->name);
	cleanup_free char *rec = hull_strfmt("%s/%s", ndir, RECORD_FILE);

	if (n->builtin)
		return hull_error(err, EPERM, "%s is a pre-defined network and cannot be removed",
				  n->name);
	/* the record first: from then on the network is gone, whatever is left of the rest */
	if (unlink(rec) < 0 && errno != ENOENT)
		return hull_error(err, errno, "remove %s", rec);
	return hull_remove_tree(ndir, err);
}

int hull_network_lock(const char *dir, const char *name, bool exclusive, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/%s/%s", dir, name, LOCK_FILE);
	cleanup_free char *rec = hull_strfmt("%s/%s/%s", dir, name, RECORD_FILE);
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return hull_error(err, errno == ENOENT ? ENOENT : errno, "lock network %s", name);
	if (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		close(fd);
		return hull_error(err, errno, "lock network %s", name);
	}
	/* removed while this waited */
	if (stat(rec, &st) < 0) {
		close(fd);
		return hull_error(err, ENOENT, "No such network: %s", name);
	}
	return fd;
}
