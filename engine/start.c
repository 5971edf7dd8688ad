/* SPDX-License-Identifier: Apache-2.0 */
/* Starting an existing container: the start lock, the explicit-stop mark a restart policy
 * obeys, what a (re)start needs before the runtime runs (rootfs, network), and `hull start` /
 * `hull restart` themselves, which hand the container to a new monitor. */
#include "engine/start.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include "engine/monitor.h"
#include "engine/net.h"
#include "engine/ops.h"
#include "engine/restart_policy.h"
#include "engine/runstate.h"
#include "image/rootfs.h"
#include "image/store.h"
#include "lib/util.h"

/* how long `hull start` waits for the monitor of the last run to finish its clean-up */
#define OLD_MONITOR_WAIT_MS 15000

int hull_ctr_lock(const struct hull_engine *e, const char *id, struct hull_err *err)
{
	cleanup_free char *path = hull_ctr_path(e, id, HULL_CTR_LOCK_FILE);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return hull_error(err, errno, "open %s", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		hull_error(err, errno, "lock %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

void hull_ctr_unlock(int fd)
{
	if (fd < 0)
		return;
	/* LOCK_UN: a child that inherited the fd between fork and exec must not keep it */
	flock(fd, LOCK_UN);
	close(fd);
}

void hull_ctr_mark_stopped(const struct hull_engine *e, const char *id)
{
	cleanup_free char *path = hull_ctr_path(e, id, HULL_CTR_STOP_MARK);
	int lock = hull_ctr_lock(e, id, NULL), fd;

	if (lock < 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		close(fd);
	hull_ctr_unlock(lock);
}

bool hull_ctr_stopped_by_user(const struct hull_engine *e, const char *id)
{
	cleanup_free char *path = hull_ctr_path(e, id, HULL_CTR_STOP_MARK);
	return access(path, F_OK) == 0;
}

void hull_ctr_clear_stopped(const struct hull_engine *e, const char *id)
{
	cleanup_free char *path = hull_ctr_path(e, id, HULL_CTR_STOP_MARK);
	unlink(path);
}

/* hull run's prepare brought the network up for the first start while it made the bundle:
 * a container never started that is on its network already (hull create brings none up). */
static bool net_ready(const struct hull_engine *e, const struct hull_ctr *c)
{
	struct hull_net_attachment *v = NULL;
	size_t n = 0;

	if (c->started || !hull_net_needs_netns(c->network))
		return false;
	if (hull_net_attachments(e, c->id, &v, &n, NULL) < 0)
		return false;
	hull_net_attachments_free(v, n);
	free(v);
	return n > 0;
}

/* The container's networks as its config has them (net_config.c), with its /etc/hosts and
 * resolv.conf for the address of this start (net_etc.c: the one writer of both). */
static int net_up(const struct hull_engine *e, struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *hpath = hull_ctr_path(e, c->id, "hostname"), *hostname = NULL;

	if (hull_read_file(hpath, &hostname, NULL, err) < 0)
		return -1;
	hostname[strcspn(hostname, "\n")] = '\0';
	/* what a run that died without its clean-up may have left */
	hull_net_down(e, c, NULL);
	return hull_net_up_config(e, c, hostname, err);
}

int hull_ctr_bring_up(const struct hull_engine *e, struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *exitp = hull_ctr_path(e, c->id, "exit.json");
	bool overlay = c->rootfs_kind && !strcmp(c->rootfs_kind, "overlay");

	if (overlay && !hull_rootfs_mounted(e->root, c->id)) {
		struct hull_store s;
		int rc;
		if (hull_store_open(&s, e->root, false, err) < 0)
			return -1;
		rc = hull_rootfs_mount(&s, c->id, err);
		hull_store_close(&s);
		if (rc < 0)
			return -1;
	}
	if (!net_ready(e, c) && net_up(e, c, err) < 0)
		goto fail;
	if (hull_ctr_save(e, c, err) < 0) {
		hull_net_down(e, c, NULL);
		goto fail;
	}
	if (unlink(exitp) < 0 && errno != ENOENT) {
		hull_error(err, errno, "remove %s", exitp);
		hull_net_down(e, c, NULL);
		goto fail;
	}
	return 0;
fail:
	if (overlay && c->rootfs)
		umount2(c->rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
	return -1;
}

bool hull_ctr_is_restarting(const struct hull_ctr *c, enum hull_status s)
{
	return s == HULL_STOPPED && c->restarting && hull_ctr_monitor_alive(c);
}

int hull_ctr_set_restart_policy(const struct hull_engine *e, const struct hull_ctr *c,
				const char *policy, struct hull_err *err)
{
	struct hull_restart_policy p;
	struct hull_ctr *cur = NULL;
	int lock, rc = -1;

	if (hull_restart_policy_parse(policy, &p, err) < 0)
		return -1;
	if (p.kind != HULL_RESTART_NO && c->auto_remove)
		return hull_error(err, EINVAL,
				  "container %s is removed at its exit (--rm): it takes no restart "
				  "policy",
				  c->name);
	/* the monitor saves the record under the lock too */
	lock = hull_ctr_lock(e, c->id, err);
	if (lock < 0)
		return -1;
	if (hull_ctr_load(e, c->id, &cur, err) == 0) {
		free(cur->restart_policy);
		cur->restart_policy = xstrdup(policy);
		rc = hull_ctr_save(e, cur, err);
	}
	hull_ctr_free(cur);
	hull_ctr_unlock(lock);
	return rc;
}

int hull_ctr_start(const struct hull_engine *e, const struct hull_ctr *c, int client_fd,
		   struct hull_err *err)
{
	struct hull_ctr *cur = NULL;
	pid_t pid;
	enum hull_status s;
	int waited = 0, rc;

	/* the client is the monitor's from here (closed with it), or goes now */
#define GIVE_UP(r)                                                                                 \
	do {                                                                                       \
		if (client_fd >= 0)                                                                \
			close(client_fd);                                                          \
		return (r);                                                                        \
	} while (0)

	/* the record as it is now: an old monitor may still be at work */
	for (;;) {
		if (hull_ctr_load(e, c->id, &cur, err) < 0)
			GIVE_UP(-1);
		s = hull_ctr_status(e, cur, &pid);
		if (s == HULL_RUNNING || s == HULL_PAUSED || s == HULL_CREATED) {
			hull_ctr_free(cur);
			GIVE_UP(1);
		}
		if (!hull_ctr_monitor_alive(cur) || cur->monitor_pid == getpid())
			break;
		if (cur->restarting && !hull_ctr_stopped_by_user(e, c->id)) {
			hull_error(err, EBUSY,
				   "container %s is restarting: wait until it runs, or stop it "
				   "first",
				   cur->name);
			hull_ctr_free(cur);
			GIVE_UP(-1);
		}
		if (waited >= OLD_MONITOR_WAIT_MS) {
			hull_error(err, EBUSY, "container %s is still being stopped", cur->name);
			hull_ctr_free(cur);
			GIVE_UP(-1);
		}
		hull_ctr_free(cur);
		usleep(20000);
		waited += 20;
	}
	rc = hull_monitor_spawn(e, cur, client_fd, err);
	hull_ctr_free(cur);
	if (rc < 0 && err->errnum == EALREADY)
		return 1;
	return rc;
#undef GIVE_UP
}

int hull_ctr_restart(const struct hull_engine *e, const struct hull_ctr *c, int timeout,
		     struct hull_err *err)
{
	pid_t pid;
	enum hull_status s = hull_ctr_status(e, c, &pid);

	if ((s != HULL_STOPPED || hull_ctr_monitor_alive(c)) &&
	    hull_ctr_stop(e, c, timeout, err) < 0)
		return -1;
	return hull_ctr_start(e, c, -1, err) < 0 ? -1 : 0;
}
