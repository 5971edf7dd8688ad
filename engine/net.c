/*
 * A container's network.  `none` (the default) and `host` are namespaces the runtime makes or
 * shares.  `bridge` puts the container on hull's bridge network: before the container exists
 * hull makes its network namespace (network/netns.c, bound at <runroot>/.netns/<id>), runs the
 * CNI chain on it (network/cni.c) and keeps the result in the container's directory
 * (network.json); the container joins that namespace by path.  Every clean-up of the container
 * (its exit, stop, rm, a run that failed) undoes it once: CNI DEL, then the namespace goes.
 * At the vm level the guest takes over the interface CNI made (vm/net.c).
 */
#include "engine/net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/util.h"
#include "network/cni.h"
#include "network/netns.h"

#define RESULT_FILE "network.json"
/* held while the network is torn down: the monitor (at the container's exit) and `rm -f`
 * may both get there, and two CNI DELs at once race (portmap deletes a chain twice) */
#define DOWN_LOCK_FILE "network.lock"

int hull_net_check(const char *network, char *const *publish, struct hull_err *err)
{
	struct hull_port p;

	if (network && strcmp(network, "none") && strcmp(network, "host") &&
	    strcmp(network, "bridge"))
		return hull_error(err, EINVAL, "unsupported --network `%s` (none, host or bridge)",
				  network);
	for (char *const *s = publish; s && *s; s++) {
		if (!network || strcmp(network, "bridge"))
			return hull_error(err, EINVAL,
					  "-p `%s`: publishing a port needs --network bridge", *s);
		if (hull_port_parse(*s, &p, err) < 0)
			return -1;
	}
	return 0;
}

bool hull_net_needs_netns(const char *network)
{
	return network && !strcmp(network, "bridge");
}

char *hull_net_netns_path(const struct hull_engine *e, const char *id)
{
	return hull_strfmt("%s/.netns/%s", e->runroot, id);
}

static struct hull_port *ports_of(const struct hull_ctr *c, size_t *n)
{
	struct hull_port *v = NULL;
	*n = 0;
	for (char **s = c->ports; s && *s; s++) {
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		if (hull_port_parse(*s, &v[*n], NULL) == 0)
			(*n)++;
	}
	return v;
}

int hull_net_up(const struct hull_engine *e, struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *ns = NULL, *result = NULL, *state = NULL, *path = NULL;
	cleanup_free struct hull_port *ports = NULL;
	struct hull_cni cni = {0};
	char ip[64];
	size_t n;

	if (!hull_net_needs_netns(c->network))
		return 0;
	ns = hull_net_netns_path(e, c->id);
	state = hull_strfmt("%s/.cni", e->runroot);
	cni.state_dir = state;
	ports = ports_of(c, &n);
	if (hull_netns_create(ns, err) < 0)
		return -1;
	if (hull_cni_attach(&cni, c->id, ns, ports, n, &result, err) < 0)
		goto fail;
	path = hull_ctr_path(e, c->id, RESULT_FILE);
	if (hull_write_file_atomic(path, result, strlen(result), 0600, err) < 0) {
		hull_cni_detach(&cni, c->id, ns, result, ports, n, NULL);
		goto fail;
	}
	if (hull_cni_result_ipv4(result, ip, sizeof(ip)) == 0)
		c->ip = xstrdup(ip);
	return 0;
fail:
	hull_netns_remove(ns, NULL);
	return hull_error_wrap(err, "the bridge network of container %s", c->name);
}

int hull_net_down(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *ns = NULL, *result = NULL, *state = NULL, *path = NULL;
	cleanup_free struct hull_port *ports = NULL;
	cleanup_free char *lock = NULL;
	cleanup_close int lockfd = -1;
	struct hull_cni cni = {0};
	size_t n;

	if (!hull_net_needs_netns(c->network))
		return 0;
	ns = hull_net_netns_path(e, c->id);
	path = hull_ctr_path(e, c->id, RESULT_FILE);
	lock = hull_ctr_path(e, c->id, DOWN_LOCK_FILE);
	/* the first one in does the DEL; the next finds the result gone (a record already
	 * removed has no lock file to take: nothing to do then but the namespace) */
	lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lockfd >= 0 && flock(lockfd, LOCK_EX) < 0)
		return hull_error(err, errno, "lock %s", lock);
	if (hull_read_file(path, &result, NULL, NULL) == 0) {
		state = hull_strfmt("%s/.cni", e->runroot);
		cni.state_dir = state;
		ports = ports_of(c, &n);
		/* after a reboot the namespace is gone: CNI still frees what it holds */
		if (hull_cni_detach(&cni, c->id, hull_netns_bound(ns) ? ns : "", result, ports, n,
				    err) < 0)
			return hull_error_wrap(err, "the bridge network of container %s", c->name);
		if (unlink(path) < 0 && errno != ENOENT)
			return hull_error(err, errno, "remove %s", path);
	} else if (hull_netns_bound(ns)) {
		/* a hull killed during the attach kept no result: DEL without one (CNI allows
		 * it), so that the address and the rules it may have made go too */
		state = hull_strfmt("%s/.cni", e->runroot);
		cni.state_dir = state;
		if (hull_cni_detach(&cni, c->id, ns, NULL, NULL, 0, err) < 0)
			return hull_error_wrap(err, "the bridge network of container %s", c->name);
	}
	return hull_netns_remove(ns, err);
}
