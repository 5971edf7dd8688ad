/*
 * The container's /etc/hosts and /etc/resolv.conf, written in its directory (the bundle binds
 * them) once its network is up: hosts has localhost, the --add-host lines and the
 * container's own address under its hostname, as docker writes it (--network host: the
 * host's file, the --add-host lines after it); resolv.conf comes from network/resolv.c, with
 * the network's resolver (its gateway) on a user network when aardvark-dns is there.
 */
#include <errno.h>
#include <string.h>

#include "engine/net.h"
#include "engine/net_attach.h"
#include "lib/util.h"
#include "network/dns.h"
#include "network/resolv.h"

static void append(char **text, const char *ip, const char *name)
{
	char *next = hull_strfmt("%s%s\t%s\n", *text, ip, name);
	free(*text);
	*text = next;
}

static char *hosts_text(const struct hull_ctr *c, const struct hull_run_opts *o,
			const char *hostname, const struct hull_network *net, bool host_network,
			struct hull_err *err)
{
	char *text = NULL;

	if (!host_network || hull_read_file("/etc/hosts", &text, NULL, NULL) < 0) {
		free(text);
		text = xstrdup("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
		if (!c->ip)
			append(&text, "127.0.1.1", hostname);
	}
	for (char **h = o->add_hosts; h && *h; h++) {
		const char *colon = strchr(*h, ':');
		cleanup_free char *name = strndup(*h, (size_t)(colon - *h));
		const char *ip = colon + 1;
		if (!strcmp(ip, "host-gateway")) {
			/* docker's word for the host as the container reaches it */
			if (!net || !net->gateway || !*net->gateway) {
				free(text);
				hull_error(err, EINVAL,
					   "--add-host `%s`: host-gateway needs a bridge network",
					   *h);
				return NULL;
			}
			ip = net->gateway;
		}
		append(&text, ip, name);
	}
	if (c->ip)
		append(&text, c->ip, hostname);
	return text;
}

int hull_net_etc_files(const struct hull_engine *e, const struct hull_ctr *c,
		       const struct hull_run_opts *o, const char *hostname, struct hull_err *err)
{
	cleanup_free char *hosts_path = hull_ctr_path(e, c->id, "hosts");
	cleanup_free char *resolv_path = hull_ctr_path(e, c->id, "resolv.conf");
	cleanup_free char *host_resolv = NULL, *hosts = NULL, *resolv = NULL;
	struct hull_net_attachment *v = NULL;
	size_t n = 0;
	bool host_network = !strcmp(hull_net_mode(c->network), HULL_NET_HOST);
	const struct hull_network *net;
	struct hull_resolv_opts ro = {.dns = o->dns,
				      .dns_search = o->dns_search,
				      .dns_options = o->dns_options,
				      .host_network = host_network};
	int rc = -1;

	if (hull_net_attachments(e, c->id, &v, &n, err) < 0)
		return -1;
	net = n ? v[0].net : NULL;
	if (net && !net->builtin && hull_dns_server())
		ro.resolver = net->gateway;
	hosts = hosts_text(c, o, hostname, net, host_network, err);
	if (!hosts)
		goto out;
	if (hull_read_file("/etc/resolv.conf", &host_resolv, NULL, NULL) < 0)
		host_resolv = NULL;
	resolv = hull_resolv_conf(host_resolv, &ro);
	if (hull_write_file_atomic(hosts_path, hosts, strlen(hosts), 0644, err) < 0 ||
	    hull_write_file_atomic(resolv_path, resolv, strlen(resolv), 0644, err) < 0)
		goto out;
	rc = 0;
out:
	hull_net_attachments_free(v, n);
	free(v);
	return rc;
}
