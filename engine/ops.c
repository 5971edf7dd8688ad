/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/ops.h"
#include "engine/events.h"
#include "engine/net.h"
#include "engine/runstate.h"
#include "engine/start.h"
#include "engine/volume.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/signals.h"
#include "lib/util.h"
#include "runtime/container.h"
#include "runtime/resources.h"

/* how many times rm removes a directory a monitor is still writing in (20 ms apart) */
#define REMOVE_TRIES 50

static bool monitor_alive(const struct hull_ctr *c)
{
	return hull_ctr_monitor_alive(c);
}

static bool exit_recorded(const struct hull_engine *e, const struct hull_ctr *c)
{
	cleanup_free char *path = hull_ctr_path(e, c->id, "exit.json");
	return access(path, F_OK) == 0;
}

enum hull_status hull_ctr_status(const struct hull_engine *e, const struct hull_ctr *c, pid_t *pid)
{
	struct hull_state *st = NULL;
	enum hull_status s;

	*pid = 0;
	if (exit_recorded(e, c))
		return HULL_STOPPED;
	if (hull_state_load(e->runroot, c->id, &st, NULL) < 0)
		/* no runtime state yet: being made by its monitor, or gone with it */
		return monitor_alive(c) ? HULL_CREATING : HULL_STOPPED;
	s = st->status;
	if (s != HULL_STOPPED)
		*pid = st->pid;
	hull_state_free(st);
	return s;
}

static void emit_signal(const struct hull_engine *e, const struct hull_ctr *c, int sig)
{
	char attr[32];
	const char *attrs[] = {attr, NULL};
	snprintf(attr, sizeof(attr), "signal=%d", sig);
	hull_event_emit(e, c, "kill", attrs);
}

int hull_ctr_kill(const struct hull_engine *e, const struct hull_ctr *c, int sig, bool all,
		  struct hull_err *err)
{
	pid_t pid;
	enum hull_status s = hull_ctr_status(e, c, &pid);

	if (s != HULL_RUNNING && s != HULL_PAUSED && s != HULL_CREATED)
		return hull_error(err, ESRCH, "container %s is not running", c->name);
	/* as docker's: SIGKILL or the stop signal is an explicit stop (no restart policy) */
	if (sig == SIGKILL ||
	    sig == hull_parse_signal(c->stop_signal ? c->stop_signal : "SIGTERM", NULL))
		hull_ctr_mark_stopped(e, c->id);
	if (hull_container_kill(e->runroot, c->id, sig, all, err) < 0)
		return -1;
	emit_signal(e, c, sig);
	return 0;
}

bool hull_ctr_wait(const struct hull_engine *e, const struct hull_ctr *c, int timeout_ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t pid;
		enum hull_status s = hull_ctr_status(e, c, &pid);
		/* the monitor records the end; without a monitor the runtime's state tells */
		if (exit_recorded(e, c) || (s == HULL_STOPPED && !monitor_alive(c)))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout_ms >= 0 &&
		    (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >=
			    timeout_ms)
			return false;
		usleep(20000);
	}
}

int hull_ctr_pause(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	pid_t pid;
	enum hull_status s = hull_ctr_status(e, c, &pid);

	if (s == HULL_PAUSED)
		return hull_error(err, EINVAL, "container %s is already paused", c->name);
	if (s != HULL_RUNNING)
		return hull_error(err, EINVAL, "container %s is not running", c->name);
	if (hull_container_pause(e->runroot, c->id, err) < 0)
		return -1;
	hull_event_emit(e, c, "pause", NULL);
	return 0;
}

int hull_ctr_unpause(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	pid_t pid;

	if (hull_ctr_status(e, c, &pid) != HULL_PAUSED)
		return hull_error(err, EINVAL, "container %s is not paused", c->name);
	if (hull_container_resume(e->runroot, c->id, err) < 0)
		return -1;
	hull_event_emit(e, c, "unpause", NULL);
	return 0;
}

int hull_ctr_rename(const struct hull_engine *e, struct hull_ctr *c, const char *name,
		    struct hull_err *err)
{
	char *old = c->name;

	if (!strcmp(name, old))
		return hull_error(err, EINVAL, "container %s is already named %s", old, name);
	if (hull_ctr_claim_name(e, name, c->id, err) < 0)
		return -1;
	c->name = xstrdup(name);
	if (hull_ctr_save(e, c, err) < 0) {
		hull_ctr_release_name(e, name);
		free(c->name);
		c->name = old;
		return -1;
	}
	hull_ctr_release_name(e, old);
	hull_net_renamed(e, c);
	{
		cleanup_free char *attr = hull_strfmt("oldName=%s", old);
		const char *attrs[] = {attr, NULL};
		hull_event_emit(e, c, "rename", attrs);
	}
	free(old);
	return 0;
}

static int stopped(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	if (hull_ctr_cleanup(e, c, err) < 0)
		return -1;
	hull_event_emit(e, c, "stop", NULL);
	return 0;
}

int hull_ctr_stop(const struct hull_engine *e, const struct hull_ctr *c, int timeout,
		  struct hull_err *err)
{
	pid_t pid;
	enum hull_status s;
	int sig;

	/* first: the restart policy must not start it again, not even when it waits to */
	hull_ctr_mark_stopped(e, c->id);
	s = hull_ctr_status(e, c, &pid);
	if (s == HULL_STOPPED)
		return hull_ctr_cleanup(e, c, err);
	sig = hull_parse_signal(c->stop_signal ? c->stop_signal : "SIGTERM", NULL);
	if (sig <= 0)
		sig = SIGTERM;
	if (timeout > 0 && hull_container_kill(e->runroot, c->id, sig, false, NULL) == 0) {
		emit_signal(e, c, sig);
		if (hull_ctr_wait(e, c, timeout * 1000))
			return stopped(e, c, err);
	}
	if (hull_container_kill(e->runroot, c->id, SIGKILL, true, NULL) < 0 &&
	    hull_ctr_status(e, c, &pid) != HULL_STOPPED)
		return hull_error(err, EIO, "kill container %s", c->name);
	emit_signal(e, c, SIGKILL);
	if (!hull_ctr_wait(e, c, 10000))
		return hull_error(err, ETIMEDOUT, "container %s did not stop after SIGKILL",
				  c->name);
	return stopped(e, c, err);
}

int hull_ctr_cleanup(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *dir = hull_state_dir(e->runroot, c->id);
	struct stat st;

	/* the monitor does this itself; here for a monitor that was killed */
	if (!monitor_alive(c) && !exit_recorded(e, c) && c->started)
		hull_ctr_record_exit(e, c->id, 255, NULL);
	if (stat(dir, &st) == 0 && hull_container_delete(e->runroot, c->id, true, err) < 0 &&
	    stat(dir, &st) == 0)
		return hull_error_wrap(err, "clean up container %s", c->name);
	if (c->rootfs_kind && !strcmp(c->rootfs_kind, "overlay") && c->rootfs &&
	    umount2(c->rootfs, UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT &&
	    umount2(c->rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
		return hull_error(err, errno, "unmount the rootfs of %s", c->name);
	return hull_net_down(e, c, err);
}

/* The container's directory.  A monitor that a partial record does not name (rm cannot wait
 * for it) may write its last words (exit.json, through a temporary file) while the tree goes:
 * the directory is then not empty at its rmdir, and is removed again once they are written. */
static int remove_dir(const char *dir, struct hull_err *err)
{
	for (int i = 0;; i++) {
		struct hull_err rerr = {0};
		if (hull_remove_tree(dir, &rerr) == 0)
			return 0;
		if (rerr.errnum != ENOTEMPTY || i == REMOVE_TRIES) {
			if (err)
				*err = rerr;
			return -1;
		}
		usleep(20000);
	}
}

int hull_ctr_remove(const struct hull_engine *e, const char *id, bool force, struct hull_err *err)
{
	struct hull_ctr *c = NULL;
	cleanup_free char *dir = NULL;
	pid_t pid;
	enum hull_status s;
	int rc = 0;

	if (hull_ctr_load(e, id, &c, err) < 0)
		return -1;
	if (force)
		hull_ctr_mark_stopped(e, c->id);
	s = hull_ctr_status(e, c, &pid);
	if (s == HULL_STOPPED && c->restarting && monitor_alive(c) && !force) {
		rc = hull_error(err, EBUSY,
				"cannot remove container %s: it is restarting: stop it first or "
				"remove it with -f",
				c->name);
		goto out;
	}
	if (s != HULL_STOPPED) {
		if (!force) {
			rc = hull_error(err, EBUSY,
					"cannot remove container %s: it is %s: stop it first or "
					"remove it with -f",
					c->name, hull_status_name(s));
			goto out;
		}
		hull_container_kill(e->runroot, c->id, SIGKILL, true, NULL);
		hull_ctr_wait(e, c, 10000);
	}
	if (hull_ctr_cleanup(e, c, err) < 0) {
		rc = -1;
		goto out;
	}
	/* the monitor writes its last words in the directory: let it finish them first */
	for (int i = 0; i < 500 && c->monitor_pid != getpid() && monitor_alive(c); i++)
		usleep(20000);
	dir = hull_ctr_dir(e, c->id);
	if (remove_dir(dir, err) < 0) {
		rc = -1;
		goto out;
	}
	hull_ctr_release_name(e, c->name);
	/* docker's --rm takes the container's anonymous volumes with it (`rm -v`: cmd/hull) */
	if (c->auto_remove)
		hull_volumes_release(e, c->id, true, NULL);
	hull_ctr_release_names_of(e, c->id);
	hull_event_emit(e, c, "destroy", NULL);
out:
	hull_ctr_free(c);
	return rc;
}
