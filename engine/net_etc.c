/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's /etc/hosts and /etc/resolv.conf, written in its directory (the bundle binds
 * them) once its network is up: hosts has localhost, the --add-host lines and the
 * container's own address under its hostname, as docker writes it (--network host: the
 * host's file, the --add-host lines after it); resolv.conf comes from network/resolv.c, with
 * the network's resolver (its gateway) on a user network when aardvark-dns is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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

/* Write the container's resolv.conf in place: it is bind-mounted into the container, so a
 * rename would leave the container with the old file. */
static int write_in_place(const char *path, const char *text, struct hull_err *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return hull_error(err, errno, "open %s", path);
	if (hull_write_all(fd, text, strlen(text)) < 0)
		return hull_error(err, errno, "write %s", path);
	return 0;
}

int hull_net_resolv_follow(const struct hull_engine *e, const struct hull_ctr *c, const char *left,
			   struct hull_err *err)
{
	cleanup_free char *path = hull_ctr_path(e, c->id, "resolv.conf");
	cleanup_free char *host = NULL, *now = NULL, *want = NULL;
	struct hull_net_attachment *v = NULL;
	struct hull_resolv_opts ro = {0};
	bool ours;
	size_t n = 0;
	int rc = 0;

	if (!hull_net_needs_netns(c->network) || hull_read_file(path, &now, NULL, NULL) < 0)
		return 0;
	if (hull_read_file("/etc/resolv.conf", &host, NULL, NULL) < 0)
		host = NULL;
	if (hull_net_attachments(e, c->id, &v, &n, err) < 0)
		return -1;
	/* only a file hull wrote without --dns flags is hull's to change: the host's, or one
	 * naming the resolver of a network the container is or was on */
	want = hull_resolv_conf(host, &ro);
	ours = !strcmp(now, want);
	if (left && !ours) {
		cleanup_free char *with = NULL;
		ro.resolver = left;
		with = hull_resolv_conf(host, &ro);
		ours = !strcmp(now, with);
	}
	for (size_t i = 0; i < n && !ours; i++) {
		cleanup_free char *with = NULL;
		ro.resolver = v[i].net->gateway;
		with = hull_resolv_conf(host, &ro);
		ours = !strcmp(now, with);
	}
	ro.resolver = NULL;
	for (size_t i = 0; i < n && !ro.resolver; i++)
		if (!v[i].net->builtin && hull_dns_server())
			ro.resolver = v[i].net->gateway;
	free(want);
	want = hull_resolv_conf(host, &ro);
	if (ours && strcmp(now, want))
		rc = write_in_place(path, want, err);
	hull_net_attachments_free(v, n);
	free(v);
	return rc;
}
