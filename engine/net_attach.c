/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One network attachment: CNI's chain run on the container's namespace for one interface,
 * the container's names given to the network's resolver (user networks only: docker's
 * default bridge resolves no container names), and a record of it all in
 * <runroot>/.net/<id>/<network>.json with a copy of the network, so the detach needs nothing
 * that may be gone by then: written (atomically) before the plugin runs, so that a hull
 * killed meanwhile leaves something a clean-up finds, and again with the result.  It lives
 * in the runroot, as the namespace, the addresses and the rules do: after a reboot none of
 * them is there, and no container counts as on a network.  A user network is locked shared while a
 * container joins it, so that `hull network rm` (exclusive) sees every container that is on it.
 */
#include "engine/net_attach.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/util.h"
#include "network/cni.h"
#include "network/dns.h"
#include "network/ipv4.h"
#include "network/masq.h"
#include "network/netns.h"

#define ATTACH_DIR ".net" /* under the runroot: as volatile as what it records */
#define CNI_STATE  ".cni"
#define DNS_DIR	   ".dns"

char *hull_net_attach_dir(const struct hull_engine *e, const char *id)
{
	return hull_strfmt("%s/%s/%s", e->runroot, ATTACH_DIR, id);
}

char *hull_net_dns_dir(const struct hull_engine *e)
{
	return hull_strfmt("%s/%s", e->runroot, DNS_DIR);
}

static char *attach_path(const struct hull_engine *e, const char *id, const char *network)
{
	cleanup_free char *dir = hull_net_attach_dir(e, id);
	return hull_strfmt("%s/%s.json", dir, network);
}

int hull_net_check_ip(const struct hull_network *n, const char *ip, struct hull_err *err)
{
	struct hull_cidr sub, range;
	uint32_t a, gw = 0;

	if (hull_ipv4_parse(ip, &a, err) < 0)
		return hull_error_wrap(err, "--ip");
	if (hull_cidr_parse(n->subnet, "subnet", &sub, err) < 0)
		return -1;
	hull_ipv4_parse(n->gateway, &gw, NULL);
	if (!hull_cidr_contains(&sub, a) || a < hull_cidr_first(&sub) || a > hull_cidr_last(&sub))
		return hull_error(err, EINVAL, "--ip %s is not a host address of network %s (%s)",
				  ip, n->name, n->subnet);
	if (a == gw)
		return hull_error(err, EINVAL, "--ip %s is the gateway of network %s", ip, n->name);
	/* host-local hands out a requested address only from its range */
	if (n->ip_range && hull_cidr_parse(n->ip_range, "", &range, NULL) == 0 &&
	    !hull_cidr_contains(&range, a))
		return hull_error(err, EINVAL, "--ip %s is outside the --ip-range %s of network %s",
				  ip, n->ip_range, n->name);
	return 0;
}

static struct hull_port *ports_of(char *const *specs, size_t *n)
{
	struct hull_port *v = NULL;
	*n = 0;
	for (char *const *s = specs; s && *s; s++) {
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		if (hull_port_parse(*s, &v[*n], NULL) == 0)
			(*n)++;
	}
	return v;
}

/* the MAC of the container's interface in a CNI result */
static char *result_mac(const char *result)
{
	cleanup_yajl_val yajl_val t = yajl_tree_parse(result, NULL, 0);
	yajl_val ifs = sj_get(t, "interfaces");

	for (size_t i = 0; ifs && YAJL_IS_ARRAY(ifs) && i < ifs->u.array.len; i++) {
		yajl_val it = ifs->u.array.values[i];
		const char *sb = hull_json_str(sj_get(it, "sandbox"));
		const char *mac = hull_json_str(sj_get(it, "mac"));
		if (sb && *sb && mac)
			return xstrdup(mac);
	}
	return xstrdup("");
}

static char *attachment_json(const struct hull_net_attachment *a)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	cleanup_free char *net = hull_network_json(a->net);
	cleanup_yajl_val yajl_val nt = yajl_tree_parse(net, NULL, 0);
	cleanup_yajl_val yajl_val rt = yajl_tree_parse(a->result, NULL, 0);

	yajl_gen_map_open(g);
	hull_gen_str(g, "network"), sj_gen(g, nt);
	hull_gen_str(g, "interface"), hull_gen_str(g, a->ifname);
	hull_gen_str(g, "ip"), hull_gen_str(g, a->ip ? a->ip : "");
	hull_gen_str(g, "mac"), hull_gen_str(g, a->mac ? a->mac : "");
	hull_gen_str(g, "aliases");
	yajl_gen_array_open(g);
	for (char **s = a->aliases; s && *s; s++)
		hull_gen_str(g, *s);
	yajl_gen_array_close(g);
	hull_gen_str(g, "ports");
	yajl_gen_array_open(g);
	for (char **s = a->ports; s && *s; s++)
		hull_gen_str(g, *s);
	yajl_gen_array_close(g);
	hull_gen_str(g, "result"), sj_gen(g, rt);
	yajl_gen_map_close(g);
	return hull_gen_text(g);
}

static char *tree_text(yajl_val v)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	sj_gen(g, v);
	return hull_gen_text(g);
}

static int attachment_parse(const char *path, struct hull_net_attachment *a, struct hull_err *err)
{
	cleanup_free char *text = NULL;
	cleanup_yajl_val yajl_val j = NULL;
	yajl_val net = NULL, res = NULL;

	memset(a, 0, sizeof(*a));
	if (hull_read_file(path, &text, NULL, err) < 0)
		return -1;
	j = yajl_tree_parse(text, NULL, 0);
	if (!j || sj_object(j, "network", "network", &net, err) < 0 || !net ||
	    hull_network_parse(net, &a->net, err) < 0 ||
	    sj_string(j, "interface", "interface", &a->ifname, err) < 0 || !a->ifname ||
	    sj_string(j, "ip", "ip", &a->ip, err) < 0 ||
	    sj_string(j, "mac", "mac", &a->mac, err) < 0 ||
	    sj_strv(j, "aliases", "aliases", &a->aliases, err) < 0 ||
	    sj_strv(j, "ports", "ports", &a->ports, err) < 0 ||
	    sj_object(j, "result", "result", &res, err) < 0) {
		hull_net_attachments_free(a, 1);
		memset(a, 0, sizeof(*a));
		if (!err || !err->msg[0])
			hull_error(err, EINVAL, "not an attachment");
		return hull_error_wrap(err, "network attachment %s", path);
	}
	a->result = res ? tree_text(res) : xstrdup("{}");
	return 0;
}

void hull_net_attachments_free(struct hull_net_attachment *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		hull_network_free(v[i].net);
		free(v[i].ifname);
		free(v[i].ip);
		free(v[i].mac);
		hull_strv_free(v[i].aliases);
		hull_strv_free(v[i].ports);
		free(v[i].result);
	}
}

static int by_ifname(const void *a, const void *b)
{
	const struct hull_net_attachment *x = a, *y = b;
	size_t lx = strlen(x->ifname), ly = strlen(y->ifname);
	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->ifname, y->ifname);
}

int hull_net_attachments(const struct hull_engine *e, const char *id,
			 struct hull_net_attachment **out, size_t *n, struct hull_err *err)
{
	cleanup_free char *dir = hull_net_attach_dir(e, id);
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : hull_error(err, errno, "open %s", dir);
	while ((de = readdir(d))) {
		cleanup_free char *path = NULL;
		struct hull_net_attachment a;
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		path = hull_strfmt("%s/%s", dir, de->d_name);
		if (attachment_parse(path, &a, err) < 0) {
			hull_net_attachments_free(*out, *n);
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = a;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), by_ifname);
	return 0;
}

/* what other containers of a user network find it by, as docker: name, short id, aliases */
static void dns_names(const struct hull_ctr *c, char *const *aliases, char ***names)
{
	cleanup_free char *short_id = strndup(c->id, 12);
	hull_strv_push(names, c->name);
	hull_strv_push(names, short_id);
	for (char *const *a = aliases; a && *a; a++)
		hull_strv_push(names, *a);
}

/* <runroot>/.net/<id>/<network>.json: a, or (a NULL) what is known before the plugin runs */
static int write_attachment(const struct hull_engine *e, const struct hull_ctr *c,
			    const struct hull_net_pending *p, const struct hull_net_attachment *a,
			    char *const *ports, struct hull_err *err)
{
	cleanup_free char *dir = hull_net_attach_dir(e, c->id);
	cleanup_free char *path = attach_path(e, c->id, p->net->name), *json = NULL;
	struct hull_net_attachment intent = {.net = p->net,
					     .ifname = (char *)p->ifname,
					     .ip = p->ip,
					     .ports = (char **)ports,
					     .result = "{}"};

	json = attachment_json(a ? a : &intent);
	if (hull_mkdir_p(dir, 0700, err) < 0 ||
	    hull_write_file_atomic(path, json, strlen(json), 0600, err) < 0)
		return hull_error_wrap(err, "record the attachment to %s", p->net->name);
	return 0;
}

static void remove_attachment(const struct hull_engine *e, const struct hull_ctr *c,
			      const char *network)
{
	cleanup_free char *path = attach_path(e, c->id, network);
	cleanup_free char *dir = hull_net_attach_dir(e, c->id);
	unlink(path);
	rmdir(dir); /* when it was the only one */
}

static void pending_clear(struct hull_net_pending *p)
{
	hull_network_free(p->net);
	if (p->lock >= 0)
		close(p->lock);
	free(p->ip);
	memset(p, 0, sizeof(*p));
	p->lock = -1;
	p->call.pid = -1;
	p->call.out = -1;
}

static struct hull_cni_join join_of(const struct hull_ctr *c, const struct hull_net_pending *p,
				    const char *ns, const struct hull_port *pv, size_t np)
{
	return (struct hull_cni_join){.net = p->net,
				      .id = c->id,
				      .netns = ns,
				      .ifname = p->ifname,
				      .ip = p->ip,
				      .ports = pv,
				      .n_ports = np};
}

int hull_net_attach_start(const struct hull_engine *e, const struct hull_ctr *c,
			  const char *network, const char *ifname, const char *ip,
			  struct hull_net_pending *p, struct hull_err *err)
{
	cleanup_free char *records = hull_net_records_dir(e), *state = NULL, *ns = NULL;
	struct hull_cni cni = {0};
	struct hull_cni_join j;

	memset(p, 0, sizeof(*p));
	p->lock = -1;
	if (hull_network_load(records, network, &p->net, err) < 0)
		return -1;
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	p->ip = ip ? xstrdup(ip) : NULL;
	if (!hull_network_is_bridge(p->net)) {
		hull_error(err, EINVAL, "a container cannot be connected to the %s network",
			   p->net->name);
		goto fail;
	}
	if (ip && hull_net_check_ip(p->net, ip, err) < 0)
		goto fail;
	if (!p->net->builtin &&
	    (p->lock = hull_network_lock(records, p->net->name, false, err)) < 0)
		goto fail;
	state = hull_strfmt("%s/%s", e->runroot, CNI_STATE);
	ns = hull_net_netns_path(e, c->id);
	cni.state_dir = state;
	if (hull_masq_ensure(state, p->net, err) < 0)
		goto fail;
	/* recorded before the plugin runs: a hull killed from here on leaves an attachment
	 * that a clean-up finds and DELs (a DEL needs no result) */
	if (write_attachment(e, c, p, NULL, NULL, err) < 0)
		goto fail;
	j = join_of(c, p, ns, NULL, 0);
	if (hull_cni_attach_start(&cni, &j, &p->call, err) < 0) {
		remove_attachment(e, c, p->net->name);
		goto fail;
	}
	return 0;
fail:
	pending_clear(p);
	return -1;
}

int hull_net_attach_finish(const struct hull_engine *e, const struct hull_ctr *c,
			   char *const *aliases, char *const *ports, struct hull_net_pending *p,
			   struct hull_net_attachment *out, struct hull_err *err)
{
	cleanup_free char *state = hull_strfmt("%s/%s", e->runroot, CNI_STATE);
	cleanup_free char *ns = hull_net_netns_path(e, c->id), *dns = hull_net_dns_dir(e);
	cleanup_free struct hull_port *pv = NULL;
	struct hull_cni cni = {.state_dir = state};
	struct hull_cni_join j;
	struct hull_network *net = p->net;
	char *result = NULL, addr[64] = "";
	bool dns_added = false;
	size_t np = 0;

	memset(out, 0, sizeof(*out));
	pv = ports_of(ports, &np);
	j = join_of(c, p, ns, pv, np);
	/* the ports are final now: recorded before portmap adds its rules */
	if (np && write_attachment(e, c, p, NULL, ports, err) < 0) {
		hull_net_attach_abort(e, c, p); /* waits for the plugin, undoes it, clears p */
		return -1;
	}
	if (hull_cni_attach_finish(&cni, &j, &p->call, &result, err) < 0)
		goto fail;
	hull_cni_result_ipv4(result, addr, sizeof(addr));
	if (!net->builtin && *addr && hull_dns_server()) {
		cleanup_strv char **names = NULL;
		dns_names(c, aliases, &names);
		if (hull_dns_add(dns, net, c->id, addr, names, err) < 0)
			goto undo;
		dns_added = true;
	}
	out->net = net;
	out->ifname = xstrdup(p->ifname);
	out->ip = xstrdup(addr);
	out->mac = result_mac(result);
	out->aliases = hull_strv_dup(aliases);
	out->ports = hull_strv_dup(ports);
	out->result = result;
	if (write_attachment(e, c, p, out, NULL, err) < 0) {
		out->net = NULL;
		out->result = NULL;
		hull_net_attachments_free(out, 1);
		memset(out, 0, sizeof(*out));
		goto undo;
	}
	/* the attachment is recorded: the network's lock can go, the network is out's */
	p->net = NULL;
	pending_clear(p);
	return 0;
undo:
	if (dns_added)
		hull_dns_remove(dns, net->name, c->id, NULL);
	hull_cni_detach(&cni, &j, result, NULL);
fail:
	remove_attachment(e, c, net->name);
	free(result);
	pending_clear(p);
	return -1;
}

void hull_net_attach_abort(const struct hull_engine *e, const struct hull_ctr *c,
			   struct hull_net_pending *p)
{
	cleanup_free char *state = hull_strfmt("%s/%s", e->runroot, CNI_STATE);
	cleanup_free char *ns = hull_net_netns_path(e, c->id);
	struct hull_cni cni = {.state_dir = state};
	struct hull_cni_join j;
	char *result = NULL;

	if (!p->net)
		return;
	j = join_of(c, p, ns, NULL, 0);
	/* wait for the bridge plugin, then undo what it made */
	if (hull_cni_attach_finish(&cni, &j, &p->call, &result, NULL) == 0)
		hull_cni_detach(&cni, &j, result, NULL);
	remove_attachment(e, c, p->net->name);
	free(result);
	pending_clear(p);
}

int hull_net_attach(const struct hull_engine *e, const struct hull_ctr *c, const char *network,
		    const char *ifname, const char *ip, char *const *aliases, char *const *ports,
		    struct hull_net_attachment *out, struct hull_err *err)
{
	struct hull_net_pending p;

	memset(out, 0, sizeof(*out));
	if (hull_net_attach_start(e, c, network, ifname, ip, &p, err) < 0)
		return -1;
	return hull_net_attach_finish(e, c, aliases, ports, &p, out, err);
}

void hull_net_renamed(const struct hull_engine *e, const struct hull_ctr *c)
{
	cleanup_free char *dns = hull_net_dns_dir(e);
	struct hull_net_attachment *v = NULL;
	size_t n = 0;

	if (!hull_dns_server() || hull_net_attachments(e, c->id, &v, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		cleanup_strv char **names = NULL;
		if (v[i].net->builtin || !v[i].ip || !*v[i].ip)
			continue;
		dns_names(c, v[i].aliases, &names);
		/* the container's line is replaced */
		hull_dns_add(dns, v[i].net, c->id, v[i].ip, names, NULL);
	}
	hull_net_attachments_free(v, n);
	free(v);
}

int hull_net_detach(const struct hull_engine *e, const struct hull_ctr *c,
		    const struct hull_net_attachment *a, struct hull_err *err)
{
	cleanup_free char *state = hull_strfmt("%s/%s", e->runroot, CNI_STATE);
	cleanup_free char *ns = hull_net_netns_path(e, c->id), *dns = hull_net_dns_dir(e);
	cleanup_free char *path = attach_path(e, c->id, a->net->name);
	cleanup_free struct hull_port *pv = NULL;
	struct hull_cni cni = {.state_dir = state};
	struct hull_cni_join j = {0};
	size_t np = 0;
	int rc = 0;

	if (!a->net->builtin && hull_dns_remove(dns, a->net->name, c->id, err) < 0)
		rc = -1;
	pv = ports_of(a->ports, &np);
	/* after a reboot the namespace is gone: CNI still frees what it holds */
	j = (struct hull_cni_join){.net = a->net,
				   .id = c->id,
				   .netns = hull_netns_bound(ns) ? ns : "",
				   .ifname = a->ifname,
				   .ports = pv,
				   .n_ports = np};
	if (hull_cni_detach(&cni, &j, a->result, rc < 0 ? NULL : err) < 0)
		rc = -1;
	if (rc == 0 && unlink(path) < 0 && errno != ENOENT)
		rc = hull_error(err, errno, "remove %s", path);
	return rc;
}
