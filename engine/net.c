/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's network.  `none` and `host` are namespaces the runtime makes or shares.  Any
 * other (the default `bridge`, or a user network) is a bridge network through CNI: before the
 * container exists hull makes its network namespace (network/netns.c, bound at
 * <runroot>/.netns/<id>), attaches it as eth0 (net_attach.c) and the container joins that
 * namespace by path.  Each attachment is a file under the runroot (net_attach.c), so every
 * clean-up of the container (its exit, stop, rm, a run that failed, an rm after a kill -9)
 * undoes each once: DNS entry, CNI DEL, then the namespace goes.  At the vm level the guest
 * takes over the interface CNI made (vm/host/net.c).
 */
#include "engine/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/net_attach.h"
#include "lib/util.h"
#include "network/cni.h"
#include "network/ipv4.h"
#include "network/netns.h"
#include "network/resolv.h"

/* held while the network is torn down: the monitor (at the container's exit) and `rm -f`
 * may both get there, and two CNI DELs at once race (portmap deletes a chain twice); and
 * while `hull network connect` adds an interface, so that it sees a namespace that stays */
#define DOWN_LOCK_FILE "network.lock"

int hull_net_lock(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *lock = hull_ctr_path(e, c->id, DOWN_LOCK_FILE);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	/* a record already removed has no lock file to take: -2, nothing to serialize with */
	if (fd < 0)
		return errno == ENOENT ? -2 : hull_error(err, errno, "open %s", lock);
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return hull_error(err, errno, "lock %s", lock);
	}
	return fd;
}

const char *hull_net_mode(const char *network)
{
	return network && *network ? network : HULL_NET_DEFAULT;
}

char *hull_net_records_dir(const struct hull_engine *e)
{
	return hull_strfmt("%s/networks", e->root);
}

bool hull_net_needs_netns(const char *network)
{
	const char *m = hull_net_mode(network);
	return strcmp(m, HULL_NET_HOST) && strcmp(m, HULL_NET_NONE);
}

char *hull_net_netns_path(const struct hull_engine *e, const char *id)
{
	return hull_strfmt("%s/.netns/%s", e->runroot, id);
}

/* --add-host NAME:IP (IP may be host-gateway: the network's gateway) */
static int check_add_host(const char *s, struct hull_err *err)
{
	const char *colon = strchr(s, ':');
	unsigned char a[16];

	if (!colon || colon == s)
		return hull_error(err, EINVAL, "--add-host `%s`: expected NAME:IP", s);
	if (!strcmp(colon + 1, "host-gateway"))
		return 0;
	if (inet_pton(AF_INET, colon + 1, a) != 1 && inet_pton(AF_INET6, colon + 1, a) != 1)
		return hull_error(err, EINVAL, "--add-host `%s`: `%s` is not an IP address", s,
				  colon + 1);
	return 0;
}

/* The name of a container on a network now that publishes the same host port (the same
 * protocol, and the same address or every address), malloc'd, or NULL: portmap's DNAT binds
 * no socket, so a bind test misses them, and the later of two rules would win unseen. */
static char *port_holder(const struct hull_engine *e, const struct hull_port *want)
{
	struct hull_ctr **v = NULL;
	size_t n = 0;
	char *holder = NULL;

	if (hull_ctr_list(e, &v, &n, NULL) < 0)
		return NULL;
	for (size_t i = 0; i < n && !holder; i++) {
		cleanup_free char *dir = hull_net_attach_dir(e, v[i]->id);
		if (access(dir, F_OK) < 0)
			continue;
		for (char **s = v[i]->ports; s && *s && !holder; s++) {
			struct hull_port p;
			if (hull_port_parse(*s, &p, NULL) == 0 && p.host_port == want->host_port &&
			    !strcmp(p.proto, want->proto) &&
			    (!*p.host_ip || !*want->host_ip || !strcmp(p.host_ip, want->host_ip)))
				holder = xstrdup(v[i]->name);
		}
	}
	hull_ctr_list_free(v, n);
	return holder;
}

int hull_net_check(const struct hull_engine *e, const struct hull_run_opts *o, struct hull_err *err)
{
	const char *mode = hull_net_mode(o->network);
	bool bridge = hull_net_needs_netns(mode);
	struct hull_resolv_opts ro = {
		.dns = o->dns, .dns_search = o->dns_search, .dns_options = o->dns_options};
	struct hull_port p;

	for (char *const *s = o->publish; s && *s; s++) {
		if (!bridge)
			return hull_error(err, EINVAL,
					  "-p `%s`: publishing a port needs a bridge network, not "
					  "--network %s",
					  *s, mode);
		if (hull_port_parse(*s, &p, err) < 0)
			return -1;
	}
	if (o->publish_all && !bridge)
		return hull_error(err, EINVAL, "-P needs a bridge network, not --network %s", mode);
	if (o->network_aliases && *o->network_aliases && !bridge)
		return hull_error(err, EINVAL,
				  "--network-alias needs a user network, not "
				  "--network %s",
				  mode);
	for (char *const *a = o->network_aliases; a && *a; a++)
		if (!**a || strpbrk(*a, " \t\n,"))
			return hull_error(err, EINVAL, "--network-alias `%s` is not a name", *a);
	if (o->ip) {
		uint32_t a;
		if (!bridge)
			return hull_error(err, EINVAL,
					  "--ip needs a user network, not --network %s", mode);
		if (hull_ipv4_parse(o->ip, &a, err) < 0)
			return hull_error_wrap(err, "--ip");
	}
	for (char *const *h = o->add_hosts; h && *h; h++)
		if (check_add_host(*h, err) < 0)
			return -1;
	if (hull_resolv_check(&ro, err) < 0)
		return -1;
	if (e && bridge) {
		cleanup_free char *dir = hull_net_records_dir(e);
		struct hull_network *n = NULL;
		int rc = 0;
		if (hull_network_load(dir, mode, &n, err) < 0)
			return -1;
		/* docker: a fixed address or aliases only on a network the user made */
		if (n->builtin && o->ip)
			rc = hull_error(err, EINVAL,
					"--ip: user specified IP address is supported on user "
					"defined networks only");
		else if (n->builtin && o->network_aliases && *o->network_aliases)
			rc = hull_error(err, EINVAL,
					"--network-alias is supported on user defined networks "
					"only");
		else if (o->ip)
			rc = hull_net_check_ip(n, o->ip, err);
		for (char *const *s = o->publish; s && *s && rc == 0; s++) {
			cleanup_free char *holder = NULL;
			hull_port_parse(*s, &p, NULL);
			if ((holder = port_holder(e, &p)))
				rc = hull_error(err, EADDRINUSE,
						"-p `%s`: host port %u/%s is already published by "
						"container %s",
						*s, p.host_port, p.proto, holder);
		}
		hull_network_free(n);
		return rc;
	}
	return 0;
}

/* nothing of this host listens there (a bind to the port succeeds) */
static bool port_free(unsigned short port, const char *proto)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	cleanup_close int fd = socket(
		AF_INET, (strcmp(proto, "udp") ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	return fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
}

int hull_net_publish_all(const struct hull_engine *e, char *const *exposed, char ***ports,
			 struct hull_err *err)
{
	const unsigned span = HULL_NET_EPHEMERAL_LAST - HULL_NET_EPHEMERAL_FIRST + 1;

	for (char *const *x = exposed; x && *x; x++) {
		cleanup_free char *spec = NULL;
		char proto[8] = "tcp", *end;
		unsigned long cport = strtoul(*x, &end, 10);
		unsigned start, k;
		bool found = false;

		if (*end == '/')
			snprintf(proto, sizeof(proto), "%s", end + 1);
		if (cport == 0 || cport > 65535 || (*end && *end != '/') ||
		    (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp")))
			return hull_error(err, EINVAL, "the image exposes `%s`: not PORT[/PROTO]",
					  *x);
		/* a random start, as docker's allocator spreads them: two runs at once then
		 * rarely try the same port */
		if (getrandom(&start, sizeof(start), 0) != sizeof(start))
			start = (unsigned)getpid();
		for (k = 0; k < span && !found; k++) {
			unsigned short hp =
				(unsigned short)(HULL_NET_EPHEMERAL_FIRST + (start + k) % span);
			bool mine = false;
			for (char **s = *ports; s && *s && !mine; s++) {
				struct hull_port p;
				mine = hull_port_parse(*s, &p, NULL) == 0 && p.host_port == hp &&
				       !strcmp(p.proto, proto);
			}
			struct hull_port cand = {.host_port = hp};
			cleanup_free char *holder = NULL;
			snprintf(cand.proto, sizeof(cand.proto), "%s", proto);
			if (mine || !port_free(hp, proto) || (holder = port_holder(e, &cand)))
				continue;
			spec = hull_strfmt("%u:%lu/%s", hp, cport, proto);
			hull_strv_push(ports, spec);
			found = true;
		}
		if (!found)
			return hull_error(err, EADDRINUSE, "no free host port in %d-%d for %s",
					  HULL_NET_EPHEMERAL_FIRST, HULL_NET_EPHEMERAL_LAST, *x);
	}
	return 0;
}

int hull_net_up_start(const struct hull_engine *e, struct hull_ctr *c,
		      const struct hull_run_opts *o, struct hull_net_pending *p,
		      struct hull_err *err)
{
	cleanup_free char *ns = NULL;

	memset(p, 0, sizeof(*p));
	p->lock = -1;
	if (!hull_net_needs_netns(c->network))
		return 0;
	ns = hull_net_netns_path(e, c->id);
	if (hull_netns_create(ns, err) < 0)
		return -1;
	if (hull_net_attach_start(e, c, c->network, "eth0", o->ip, p, err) < 0) {
		hull_netns_remove(ns, NULL);
		return hull_error_wrap(err, "the network of container %s", c->name);
	}
	return 0;
}

int hull_net_up_finish(const struct hull_engine *e, struct hull_ctr *c,
		       const struct hull_run_opts *o, struct hull_net_pending *p,
		       struct hull_err *err)
{
	cleanup_free char *ns = NULL;
	struct hull_net_attachment a = {0};

	if (!p->net)
		return 0;
	if (hull_net_attach_finish(e, c, o->network_aliases, c->ports, p, &a, err) < 0) {
		ns = hull_net_netns_path(e, c->id);
		hull_netns_remove(ns, NULL);
		return hull_error_wrap(err, "the network of container %s", c->name);
	}
	/* the record names the network, not the id prefix it may have been given by */
	free(c->network);
	c->network = xstrdup(a.net->name);
	if (a.ip && *a.ip)
		c->ip = xstrdup(a.ip);
	hull_net_attachments_free(&a, 1);
	return 0;
}

void hull_net_up_abort(const struct hull_engine *e, const struct hull_ctr *c,
		       struct hull_net_pending *p)
{
	cleanup_free char *ns = NULL;

	if (!p->net)
		return;
	hull_net_attach_abort(e, c, p);
	ns = hull_net_netns_path(e, c->id);
	hull_netns_remove(ns, NULL);
}

int hull_net_down(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *ns = NULL;
	cleanup_close int lockfd = -1;
	struct hull_net_attachment *v = NULL;
	size_t n = 0;
	int rc = 0;

	if (!hull_net_needs_netns(c->network))
		return 0;
	ns = hull_net_netns_path(e, c->id);
	/* the first one in does the DELs; the next finds the attachments gone (a record
	 * already removed has no lock file to take: nothing to do then but the namespace) */
	lockfd = hull_net_lock(e, c, err);
	if (lockfd == -1)
		return -1;
	if (hull_net_attachments(e, c->id, &v, &n, err) < 0)
		return hull_error_wrap(err, "the networks of container %s", c->name);
	/* The namespace goes first: the container is gone, so the kernel then deletes its
	 * interfaces with it, in the background, and CNI's DEL (told the namespace is gone, as
	 * after a reboot) only frees addresses and port rules.  Deleting each veth itself would
	 * wait for the kernel's network clean-up: most of a DEL's time. */
	if (hull_netns_remove(ns, err) < 0)
		rc = -1;
	/* the last interface first, eth0 (with the published ports) last */
	for (size_t i = n; i-- > 0;)
		if (hull_net_detach(e, c, &v[i], rc < 0 ? NULL : err) < 0)
			rc = -1;
	hull_net_attachments_free(v, n);
	free(v);
	if (rc < 0)
		return hull_error_wrap(err, "the network of container %s", c->name);
	{
		/* every attachment is undone: what may be left is the temporary file of a record
		 * whose writer was killed (the first one is written before the plugin runs, so
		 * such a file stands for nothing to undo) */
		cleanup_free char *dir = hull_net_attach_dir(e, c->id);
		if (hull_remove_tree(dir, err) < 0)
			return hull_error_wrap(err, "the network of container %s", c->name);
	}
	return 0;
}
