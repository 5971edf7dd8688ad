/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The networks as `hull network` manages them: made (network/netrecord.c), removed only when
 * no container is on one (a container is on a network while its attachment file exists:
 * from just before its start to its clean-up), with its bridge and its address state; and
 * containers connected to or disconnected from a network while they run.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/net.h"
#include "engine/net_attach.h"
#include "engine/ops.h"
#include "engine/start.h"
#include "lib/util.h"
#include "network/link.h"
#include "network/masq.h"
#include "network/netns.h"

#define CNI_STATE_DIR ".cni"
#define CNI_IPAM_DIR  CNI_STATE_DIR "/ipam"

int hull_net_create(const struct hull_engine *e, const struct hull_network_opts *o,
		    struct hull_network **out, struct hull_err *err)
{
	cleanup_free char *dir = hull_net_records_dir(e);
	return hull_network_create(dir, o, out, err);
}

int hull_net_users(const struct hull_engine *e, const char *network, char ***ids,
		   struct hull_err *err)
{
	cleanup_free char *dir = hull_strfmt("%s/.net", e->runroot);
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	*ids = NULL;
	if (!d)
		return errno == ENOENT ? 0 : hull_error(err, errno, "open %s", dir);
	while ((de = readdir(d))) {
		cleanup_free char *path = NULL;
		if (de->d_name[0] == '.')
			continue;
		path = hull_strfmt("%s/%s/%s.json", dir, de->d_name, network);
		if (access(path, F_OK) == 0)
			hull_strv_push(ids, de->d_name);
	}
	return 0;
}

int hull_net_remove(const struct hull_engine *e, const char *ref, struct hull_err *err)
{
	cleanup_free char *dir = hull_net_records_dir(e), *ipam = NULL;
	cleanup_free char *cni_state = hull_strfmt("%s/%s", e->runroot, CNI_STATE_DIR);
	cleanup_strv char **users = NULL;
	cleanup_close int lock = -1;
	struct hull_network *n = NULL;
	int rc = -1;

	if (hull_network_load(dir, ref, &n, err) < 0)
		return -1;
	if (n->builtin) {
		hull_error(err, EPERM, "%s is a pre-defined network and cannot be removed",
			   n->name);
		goto out;
	}
	/* exclusive: no container is joining it while this looks */
	lock = hull_network_lock(dir, n->name, true, err);
	if (lock < 0)
		goto out;
	if (hull_net_users(e, n->name, &users, err) < 0)
		goto out;
	if (users) {
		struct hull_ctr *c = NULL;
		const char *who = users[0];
		if (hull_ctr_load(e, users[0], &c, NULL) == 0)
			who = c->name;
		hull_error(err, EBUSY,
			   "network %s has active endpoints (container %s%s): stop or disconnect "
			   "them first",
			   n->name, who, users[1] ? " and others" : "");
		hull_ctr_free(c);
		goto out;
	}
	if (hull_network_remove(dir, n, err) < 0)
		goto out;
	/* what CNI leaves on purpose (the bridge, host-local's last address) goes with it */
	ipam = hull_strfmt("%s/%s/%s", e->runroot, CNI_IPAM_DIR, n->name);
	hull_remove_tree(ipam, NULL);
	if (hull_masq_remove(cni_state, n, err) < 0)
		goto out;
	if (hull_link_delete(n->bridge, err) < 0)
		goto out;
	rc = 0;
out:
	hull_network_free(n);
	return rc;
}

/* the first ethN no attachment of the container uses */
static char *free_ifname(const struct hull_net_attachment *v, size_t n)
{
	for (int k = 0;; k++) {
		cleanup_free char *name = hull_strfmt("eth%d", k);
		bool used = false;
		for (size_t i = 0; i < n && !used; i++)
			used = !strcmp(v[i].ifname, name);
		if (!used)
			return xstrdup(name);
	}
}

/* a running container of the container level whose namespace hull made */
static int connectable(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *ns = hull_net_netns_path(e, c->id);
	pid_t pid;

	if (!hull_net_needs_netns(c->network))
		return hull_error(err, EINVAL,
				  "container %s is on the %s network: it has no namespace of its "
				  "own to connect",
				  c->name, hull_net_mode(c->network));
	if (hull_ctr_status(e, c, &pid) != HULL_RUNNING || !hull_netns_bound(ns))
		return hull_error(err, EINVAL, "container %s is not running", c->name);
	/* the guest took its interfaces over at boot: a new one would stay on the host */
	if (c->isolation && !strcmp(c->isolation, "vm"))
		return hull_error(err, ENOTSUP,
				  "container %s runs at the vm level: its networks are fixed at "
				  "boot",
				  c->name);
	return 0;
}

/* Not running: the network is the container's from its next start on (as docker's connect of
 * a stopped container), checked now as a running one's would be. */
static int connect_stopped(const struct hull_engine *e, const struct hull_ctr *c,
			   const struct hull_network *net, const char *ip, char *const *aliases,
			   struct hull_err *err)
{
	if (!hull_network_is_bridge(net))
		return hull_error(err, EINVAL, "a container cannot be connected to the %s network",
				  net->name);
	if (ip && hull_net_check_ip(net, ip, err) < 0)
		return -1;
	return hull_net_config_link(e, c, net->name, ip, aliases, err);
}

static bool stopped(const struct hull_engine *e, const struct hull_ctr *c)
{
	pid_t pid;
	return hull_ctr_status(e, c, &pid) == HULL_STOPPED;
}

int hull_net_connect(const struct hull_engine *e, const struct hull_ctr *c, const char *network,
		     const char *ip, char *const *aliases, struct hull_err *err)
{
	cleanup_free char *ifname = NULL, *records = hull_net_records_dir(e);
	struct hull_net_attachment *v = NULL, a = {0};
	struct hull_network *net = NULL;
	cleanup_close int lock = -1;
	int start_lock;
	size_t n = 0;
	int rc = -1;

	/* under the start lock, so that a start sees the network in the config or on the
	 * container (and a stopped container stays so), then the container's network lock: a
	 * clean-up (its exit) waits, or went first and took the namespace, which
	 * connectable() then sees */
	start_lock = hull_ctr_lock(e, c->id, err);
	if (start_lock < 0)
		return -1;
	lock = hull_net_lock(e, c, err);
	if (lock == -1)
		goto out;
	if (!hull_net_needs_netns(c->network) || !stopped(e, c)) {
		if (connectable(e, c, err) < 0)
			goto out;
	}
	if (hull_network_load(records, network, &net, err) < 0)
		goto out;
	if (net->builtin && (ip || (aliases && *aliases))) {
		hull_error(err, EINVAL, "--ip and --alias need a user defined network");
		goto out;
	}
	if (stopped(e, c)) {
		rc = connect_stopped(e, c, net, ip, aliases, err);
		goto out;
	}
	if (hull_net_attachments(e, c->id, &v, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].net->name, net->name)) {
			hull_error(err, EEXIST, "container %s is already on network %s", c->name,
				   net->name);
			goto out;
		}
	/* in its config first: the network is the container's at its next start too */
	if (hull_net_config_link(e, c, net->name, ip, aliases, err) < 0)
		goto out;
	ifname = free_ifname(v, n);
	if (hull_net_attach(e, c, net->name, ifname, ip, aliases, NULL, &a, err) < 0) {
		hull_net_config_unlink(e, c, net->name, NULL);
		goto out;
	}
	hull_net_attachments_free(&a, 1);
	rc = hull_net_resolv_follow(e, c, NULL, err);
out:
	hull_net_attachments_free(v, n);
	free(v);
	hull_network_free(net);
	hull_ctr_unlock(start_lock);
	return rc < 0 ? hull_error_wrap(err, "connect %s to %s", c->name, network) : 0;
}

int hull_net_disconnect(const struct hull_engine *e, const struct hull_ctr *c, const char *network,
			struct hull_err *err)
{
	cleanup_free char *records = hull_net_records_dir(e);
	struct hull_net_attachment *v = NULL;
	struct hull_network *net = NULL;
	cleanup_close int lock = -1;
	int start_lock, linked;
	bool attached = false;
	size_t n = 0;
	int rc = -1;

	if (hull_network_load(records, network, &net, err) < 0) {
		/* a network removed since a stopped container was connected to it: its name
		 * leaves the container's config (else it could not start again) */
		struct hull_err lerr = {0};
		return hull_net_config_unlink(e, c, network, &lerr) == 0 ? 0 : -1;
	}
	start_lock = hull_ctr_lock(e, c->id, err);
	if (start_lock < 0)
		goto out;
	lock = hull_net_lock(e, c, err);
	if (lock == -1)
		goto out;
	if (hull_net_attachments(e, c->id, &v, &n, err) < 0)
		goto out;
	/* out of its config (the next start leaves it off), and off the container if it runs */
	linked = hull_net_config_unlink(e, c, net->name, err);
	if (linked < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && !attached; i++) {
		if (strcmp(v[i].net->name, net->name))
			continue;
		attached = true;
		rc = hull_net_detach(e, c, &v[i], err);
		if (rc == 0)
			rc = hull_net_resolv_follow(e, c, v[i].net->gateway, err);
	}
	if (!attached && linked == 1)
		rc = hull_error(err, ENOENT, "container %s is not connected to network %s", c->name,
				net->name);
out:
	hull_net_attachments_free(v, n);
	free(v);
	hull_network_free(net);
	hull_ctr_unlock(start_lock);
	return rc;
}
