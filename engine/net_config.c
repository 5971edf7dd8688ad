/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's networks from one run to the next: what docker keeps in the container's
 * config (its networks with their aliases and fixed addresses, its DNS settings and extra
 * hosts), here containers/<id>/networks.json, written when the container is made and changed
 * by `hull network connect/disconnect`.  The attachments (net_attach.c) are what one run holds
 * and go at its end; this is what the next start (hull start, restart, a restart policy's)
 * brings up again: every network of it, eth0 first with the published ports, then the
 * container's /etc/hosts and resolv.conf (net_etc.c, their one writer).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "engine/net.h"
#include "engine/net_attach.h"
#include "lib/json.h"
#include "lib/util.h"
#include "network/netns.h"

#define NET_CONFIG_FILE "networks.json"

void hull_net_config_free(struct hull_net_config *nc)
{
	for (size_t i = 0; i < nc->n; i++) {
		free(nc->links[i].network);
		free(nc->links[i].ip);
		hull_strv_free(nc->links[i].aliases);
	}
	free(nc->links);
	hull_strv_free(nc->dns);
	hull_strv_free(nc->dns_search);
	hull_strv_free(nc->dns_options);
	hull_strv_free(nc->add_hosts);
	memset(nc, 0, sizeof(*nc));
}

static void gen_strv(yajl_gen g, const char *key, char *const *v)
{
	hull_gen_str(g, key);
	yajl_gen_array_open(g);
	for (char *const *s = v; s && *s; s++)
		hull_gen_str(g, *s);
	yajl_gen_array_close(g);
}

int hull_net_config_save(const struct hull_engine *e, const char *id,
			 const struct hull_net_config *nc, struct hull_err *err)
{
	cleanup_free char *path = hull_ctr_path(e, id, NET_CONFIG_FILE), *text = NULL;
	yajl_gen g = yajl_gen_alloc(NULL);

	yajl_gen_map_open(g);
	hull_gen_str(g, "networks");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < nc->n; i++) {
		yajl_gen_map_open(g);
		hull_gen_str(g, "name"), hull_gen_str(g, nc->links[i].network);
		if (nc->links[i].ip)
			hull_gen_str(g, "ip"), hull_gen_str(g, nc->links[i].ip);
		gen_strv(g, "aliases", nc->links[i].aliases);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	gen_strv(g, "dns", nc->dns);
	gen_strv(g, "dnsSearch", nc->dns_search);
	gen_strv(g, "dnsOptions", nc->dns_options);
	gen_strv(g, "addHosts", nc->add_hosts);
	yajl_gen_map_close(g);
	text = hull_gen_text(g);
	return hull_write_file_atomic(path, text, strlen(text), 0600, err);
}

int hull_net_config_load(const struct hull_engine *e, const struct hull_ctr *c,
			 struct hull_net_config *nc, struct hull_err *err)
{
	cleanup_free char *path = hull_ctr_path(e, c->id, NET_CONFIG_FILE), *text = NULL;
	cleanup_yajl_val yajl_val j = NULL;
	yajl_val links = NULL;
	char ebuf[256];

	memset(nc, 0, sizeof(*nc));
	if (hull_read_file(path, &text, NULL, NULL) < 0) {
		if (errno != ENOENT)
			return hull_error(err, errno, "read %s", path);
		/* a container made before the file was kept: the network of its record */
		if (hull_net_needs_netns(c->network)) {
			nc->links = xzalloc(sizeof(*nc->links));
			nc->links[0].network = xstrdup(hull_net_mode(c->network));
			nc->n = 1;
		}
		return 0;
	}
	j = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!j)
		return hull_error(err, EINVAL, "parse %s: %s", path, ebuf);
	if (sj_array(j, "networks", "networks", &links, err) < 0 ||
	    sj_strv(j, "dns", "dns", &nc->dns, err) < 0 ||
	    sj_strv(j, "dnsSearch", "dnsSearch", &nc->dns_search, err) < 0 ||
	    sj_strv(j, "dnsOptions", "dnsOptions", &nc->dns_options, err) < 0 ||
	    sj_strv(j, "addHosts", "addHosts", &nc->add_hosts, err) < 0)
		goto bad;
	for (size_t i = 0; links && i < links->u.array.len; i++) {
		yajl_val l = links->u.array.values[i];
		struct hull_net_link *k;
		nc->links = xrealloc(nc->links, (nc->n + 1) * sizeof(*nc->links));
		k = &nc->links[nc->n++];
		memset(k, 0, sizeof(*k));
		if (!YAJL_IS_OBJECT(l) ||
		    sj_string(l, "name", "networks[].name", &k->network, err) < 0 || !k->network ||
		    sj_string(l, "ip", "networks[].ip", &k->ip, err) < 0 ||
		    sj_strv(l, "aliases", "networks[].aliases", &k->aliases, err) < 0) {
			if (!err || !err->msg[0])
				hull_error(err, EINVAL, "a network without a name");
			goto bad;
		}
	}
	return 0;
bad:
	hull_net_config_free(nc);
	return hull_error_wrap(err, "%s", path);
}

int hull_net_config_made(const struct hull_engine *e, struct hull_ctr *c,
			 const struct hull_run_opts *o, struct hull_err *err)
{
	struct hull_net_config nc = {.dns = o->dns,
				     .dns_search = o->dns_search,
				     .dns_options = o->dns_options,
				     .add_hosts = o->add_hosts};
	struct hull_net_link eth0 = {.ip = (char *)o->ip, .aliases = o->network_aliases};
	struct hull_network *n = NULL;
	cleanup_free char *records = hull_net_records_dir(e);
	int rc;

	if (hull_net_needs_netns(c->network)) {
		/* its name, not the id prefix it may have been given by (hull create's record
		 * too, which no network's bring-up named) */
		if (hull_network_load(records, c->network, &n, err) < 0)
			return -1;
		eth0.network = n->name;
		free(c->network);
		c->network = xstrdup(n->name);
		nc.links = &eth0;
		nc.n = 1;
	}
	rc = hull_net_config_save(e, c->id, &nc, err);
	hull_network_free(n);
	return rc;
}

int hull_net_config_link(const struct hull_engine *e, const struct hull_ctr *c, const char *network,
			 const char *ip, char *const *aliases, struct hull_err *err)
{
	struct hull_net_config nc;
	int rc;

	if (hull_net_config_load(e, c, &nc, err) < 0)
		return -1;
	for (size_t i = 0; i < nc.n; i++)
		if (!strcmp(nc.links[i].network, network)) {
			hull_net_config_free(&nc);
			return hull_error(err, EEXIST, "container %s is already on network %s",
					  c->name, network);
		}
	nc.links = xrealloc(nc.links, (nc.n + 1) * sizeof(*nc.links));
	nc.links[nc.n++] = (struct hull_net_link){.network = xstrdup(network),
						  .ip = ip ? xstrdup(ip) : NULL,
						  .aliases = hull_strv_dup(aliases)};
	rc = hull_net_config_save(e, c->id, &nc, err);
	hull_net_config_free(&nc);
	return rc;
}

int hull_net_config_unlink(const struct hull_engine *e, const struct hull_ctr *c,
			   const char *network, struct hull_err *err)
{
	struct hull_net_config nc;
	int rc = 1;

	if (hull_net_config_load(e, c, &nc, err) < 0)
		return -1;
	for (size_t i = 0; i < nc.n && rc == 1; i++) {
		if (strcmp(nc.links[i].network, network))
			continue;
		free(nc.links[i].network);
		free(nc.links[i].ip);
		hull_strv_free(nc.links[i].aliases);
		memmove(&nc.links[i], &nc.links[i + 1], (nc.n - i - 1) * sizeof(*nc.links));
		nc.n--;
		rc = hull_net_config_save(e, c->id, &nc, err);
	}
	hull_net_config_free(&nc);
	return rc;
}

/* The options of a run as far as its networks go (pointers into nc and c). */
static struct hull_run_opts run_opts(const struct hull_ctr *c, const struct hull_net_config *nc)
{
	return (struct hull_run_opts){.network = nc->n ? nc->links[0].network
						       : hull_net_mode(c->network),
				      .ip = nc->n ? nc->links[0].ip : NULL,
				      .network_aliases = nc->n ? nc->links[0].aliases : NULL,
				      .publish = nc->n ? c->ports : NULL,
				      .dns = nc->dns,
				      .dns_search = nc->dns_search,
				      .dns_options = nc->dns_options,
				      .add_hosts = nc->add_hosts};
}

/* eth0 and the namespace, or (the container left every network) the namespace alone */
static int up_first(const struct hull_engine *e, struct hull_ctr *c, const struct hull_run_opts *o,
		    bool alone, struct hull_err *err)
{
	struct hull_net_pending p;

	if (alone) {
		cleanup_free char *ns = hull_net_netns_path(e, c->id);
		return hull_netns_create(ns, err);
	}
	if (hull_net_up_start(e, c, o, &p, err) < 0 || hull_net_up_finish(e, c, o, &p, err) < 0)
		return -1;
	return 0;
}

int hull_net_up_config(const struct hull_engine *e, struct hull_ctr *c, const char *hostname,
		       struct hull_err *err)
{
	struct hull_net_config nc;
	struct hull_run_opts o;
	bool ns = hull_net_needs_netns(c->network);
	int rc = -1;

	if (hull_net_config_load(e, c, &nc, err) < 0)
		return -1;
	o = run_opts(c, &nc);
	free(c->ip);
	c->ip = NULL;
	/* the networks may have changed since it was made: the same checks as hull run's */
	if ((nc.n || !ns) && hull_net_check(e, &o, err) < 0)
		goto out;
	if (ns && up_first(e, c, &o, nc.n == 0, err) < 0)
		goto out;
	for (size_t i = 1; i < nc.n; i++) {
		struct hull_net_attachment a;
		cleanup_free char *ifname = hull_strfmt("eth%zu", i);
		if (hull_net_attach(e, c, nc.links[i].network, ifname, nc.links[i].ip,
				    nc.links[i].aliases, NULL, &a, err) < 0) {
			hull_error_wrap(err, "the network of container %s", c->name);
			goto down;
		}
		hull_net_attachments_free(&a, 1);
	}
	if (hull_net_etc_files(e, c, &o, hostname, err) < 0 ||
	    (nc.n > 1 && hull_net_resolv_follow(e, c, NULL, err) < 0))
		goto down;
	rc = 0;
	goto out;
down:
	hull_net_down(e, c, NULL);
out:
	hull_net_config_free(&nc);
	return rc;
}

/* one entry of a listing: the network's record (a removed one: its name alone) */
static void listing_add(const struct hull_engine *e, const char *network, char *const *aliases,
			struct hull_net_attachment **v, size_t *n)
{
	cleanup_free char *dir = hull_net_records_dir(e);
	struct hull_net_attachment *a;
	struct hull_network *net = NULL;

	if (hull_network_load(dir, network, &net, NULL) < 0) {
		net = xzalloc(sizeof(*net));
		net->name = xstrdup(network);
		net->id = xstrdup("");
		net->gateway = xstrdup("");
		net->subnet = xstrdup("");
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	a = &(*v)[(*n)++];
	memset(a, 0, sizeof(*a));
	a->net = net;
	a->ifname = xstrdup("");
	a->aliases = hull_strv_dup(aliases);
}

int hull_net_listing(const struct hull_engine *e, const struct hull_ctr *c,
		     struct hull_net_attachment **out, size_t *n, struct hull_err *err)
{
	struct hull_net_config nc;
	const char *mode = hull_net_mode(c->network);

	*out = NULL;
	*n = 0;
	if (hull_net_attachments(e, c->id, out, n, err) < 0)
		return -1;
	if (*n)
		return 0;
	free(*out);
	*out = NULL;
	if (!hull_net_needs_netns(mode)) {
		/* host, none: no attachment ever; container:ID shows none, as docker */
		if (!strchr(mode, ':'))
			listing_add(e, mode, NULL, out, n);
		return 0;
	}
	if (hull_net_config_load(e, c, &nc, err) < 0)
		return -1;
	for (size_t i = 0; i < nc.n; i++)
		listing_add(e, nc.links[i].network, nc.links[i].aliases, out, n);
	hull_net_config_free(&nc);
	return 0;
}
