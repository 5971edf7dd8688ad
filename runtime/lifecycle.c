/* SPDX-License-Identifier: Apache-2.0 */
/* start, kill, delete and the foreground part of run. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup_res.h"
#include "runtime/cgroup/driver.h"
#include "runtime/container.h"
#include "runtime/executor.h"
#include "runtime/foreground.h"
#include "runtime/hooks.h"
#include "runtime/lifecycle.h"
#include "runtime/sync.h"
#include "runtime/teardown.h"
#include "runtime/terminal.h"

void hull_launch_release(struct hull_launch *l)
{
	if (l->sync_fd >= 0)
		close(l->sync_fd);
	if (l->lock_fd >= 0)
		close(l->lock_fd);
	if (l->tty_master >= 0)
		close(l->tty_master);
	l->sync_fd = l->lock_fd = l->tty_master = -1;
	hull_spec_free(l->spec);
	hull_state_free(l->state);
	hull_cgroups_free(&l->cgroups);
	l->spec = NULL;
	l->state = NULL;
}

static bool same_process(pid_t pid, unsigned long long start_time)
{
	unsigned long long now;
	if (hull_proc_start_time(pid, &now, NULL) < 0)
		return false;
	return !start_time || now == start_time;
}

void hull_wait_gone(pid_t pid, unsigned long long start_time)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0), i;
	if (pfd >= 0) {
		/* the pid may have been reused between our check and pidfd_open */
		if (same_process(pid, start_time)) {
			struct pollfd p = {pfd, POLLIN, 0};
			poll(&p, 1, 10000);
		}
		close(pfd);
		return;
	}
	for (i = 0; i < 2000 && same_process(pid, start_time); i++)
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
}

static struct hull_spec *load_saved_spec(const char *root, const char *id, struct hull_err *err)
{
	cleanup_free char *path = hull_strfmt("%s/%s/config.json", root, id);
	return hull_spec_load(path, err);
}

/* Wait until nobody but us holds the fifo: the init exec'd, or it failed and wrote why.
 * (Whether the process is still there says nothing: a quick workload may be gone already.) */
static int wait_exec(int rfd, struct hull_err *err)
{
	struct pollfd p = {rfd, 0, 0};
	char why[HULL_ERR_MAX];
	size_t got = 0;
	ssize_t n;

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return hull_error(err, errno, "start: wait for the process to start");
	while (got < sizeof(why) - 1 && (n = read(rfd, why + got, sizeof(why) - 1 - got)) > 0)
		got += (size_t)n;
	if (got == 0)
		return 0;
	why[got] = '\0';
	return hull_error(err, 0, "start: %s", why);
}

static int remove_container(const char *root, const char *id, const struct hull_executor *level,
			    struct hull_state *st, struct hull_err *err);

int hull_container_start(const char *root, const char *id, struct hull_err *err)
{
	cleanup_close int lock = hull_state_lock(root, id, err);
	cleanup_free char *fifo = NULL, *json = NULL;
	struct hull_state *st = NULL;
	struct hull_spec *spec = NULL;
	cleanup_close int rfd = -1;
	int fd, ret = -1;

	if (lock < 0 || hull_state_load(root, id, &st, err) < 0)
		return hull_error_wrap(err, "start");
	if (st->status != HULL_CREATED) {
		hull_error(err, EINVAL, "start: container `%s` is %s, not created", id,
			   hull_status_name(st->status));
		goto out;
	}
	spec = load_saved_spec(root, id, err);
	if (!spec)
		goto out;
	fifo = hull_strfmt("%s/%s/exec.fifo", root, id);
	/* A read end first: once our byte is written, it sees POLLHUP when the init's fd on the
	 * fifo closes, which happens at its exec (the fd is close-on-exec).  That is when the
	 * process has started and the poststart hooks may run. */
	rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0) {
		hull_error(err, errno, "start: open `%s`", fifo);
		goto out;
	}
	/* Non-blocking, so a write end never waits for a reader: our own read end above is one,
	 * so the open succeeds even when the init is gone (the init's fd then being closed is
	 * what the POLLHUP below reports). */
	fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		hull_error(err, errno == ENXIO ? ESRCH : errno, "start: container `%s` init", id);
		goto out;
	}
	if (write(fd, "0", 1) != 1) {
		hull_error(err, errno, "start: wake container `%s`", id);
		close(fd);
		goto out;
	}
	close(fd);
	unlink(fifo);
	if (wait_exec(rfd, err) < 0)
		goto out;
	st->status = HULL_RUNNING;
	json = hull_state_to_json(st, false);
	/* a failing poststart hook fails start and the container goes, as with runc */
	if (hull_hooks_run(&spec->hooks.poststart, "poststart", json, err) < 0) {
		remove_container(root, id, hull_executor_find(st->isolation, NULL), st, NULL);
		goto out;
	}
	ret = 0;
out:
	hull_spec_free(spec);
	hull_state_free(st);
	return ret;
}

/* A stopped container's cgroup can still hold processes: its init was not pid 1 of a pid
 * namespace of its own, and its end took nothing with it.  They are signalled by cgroup
 * membership, never by the init's recorded pid, which may be another process's by now.
 * 1 when there were some. */
static int signal_leftovers(const struct hull_state *st, int sig)
{
	struct hull_cgroups cg = {0};
	pid_t *pids = NULL;
	size_t n = 0, i;

	if (!st->cgroup_path || !*st->cgroup_path || hull_cgroups_discover(&cg, NULL) < 0)
		return 0;
	if (hull_cgroup_pids(&cg, st->cgroup_path, &pids, &n, NULL) == 0)
		for (i = 0; i < n; i++)
			kill(pids[i], sig);
	free(pids);
	hull_cgroups_free(&cg);
	return n > 0;
}

int hull_container_kill(const char *root, const char *id, int sig, bool all, struct hull_err *err)
{
	const struct hull_executor *level;
	struct hull_state *st = NULL;
	int ret = -1;

	if (hull_state_load(root, id, &st, err) < 0)
		return hull_error_wrap(err, "kill");
	/* runc's words: containerd's shim reads "container not running" as already gone */
	/* SIGKILL or --all still reach what a stopped container left in its cgroup (runc's) */
	if (st->status == HULL_STOPPED && sig && (all || sig == SIGKILL) &&
	    signal_leftovers(st, sig))
		ret = 0;
	else if (st->status == HULL_STOPPED)
		hull_error(err, ESRCH, "kill `%s`: container not running", id);
	else if (sig == 0)
		ret = 0; /* kill(2)'s null signal: only whether the container runs */
	else if (!(level = hull_executor_find(st->isolation, err)))
		hull_error_wrap(err, "kill: container `%s`", id);
	else
		ret = level->kill(root, st, sig, all, err);
	hull_state_free(st);
	return ret;
}

/* Everything of container id goes: its processes, what its level left, its cgroup, its state
 * directory.  st is NULL when state.json is missing or damaged: the cgroup is then found from
 * the saved config.json alone, and the poststop hooks, which need the state, do not run. */
static int remove_container(const char *root, const char *id, const struct hull_executor *level,
			    struct hull_state *st, struct hull_err *err)
{
	struct hull_cgroups cg = {0};
	cleanup_free char *dir = hull_state_dir(root, id), *cgpath = NULL;
	struct hull_spec *spec = load_saved_spec(root, id, NULL);
	struct hull_err herr = {0};
	int ret = 0;

	if (hull_cgroups_discover(&cg, NULL) < 0)
		cg.n = 0;
	cgpath = hull_teardown_cgroup(&cg, id, spec, st);
	hull_teardown_kill(&cg, cgpath, st && st->status != HULL_STOPPED ? st->pid : 0,
			   st ? st->start_time : 0);
	/* what the level left outside the state directory and the cgroup (the vm level: the
	 * namespace's tc qdiscs) goes once its processes are gone */
	if (!level && spec)
		level = hull_executor_choose(spec, NULL, NULL);
	if (level && level->cleanup)
		level->cleanup(dir, spec);
	if (cgpath &&
	    hull_cgroup_driver_remove(&cg, hull_teardown_systemd(spec, st), cgpath, err) < 0)
		ret = -1;
	hull_cgroups_free(&cg);
	if (spec && st) {
		cleanup_free char *json = NULL;
		st->status = HULL_STOPPED;
		json = hull_state_to_json(st, false);
		/* poststop failures are logged; the container is removed all the same */
		if (hull_hooks_run(&spec->hooks.poststop, "poststop", json, &herr) < 0)
			hull_warn("%s", herr.msg);
	}
	hull_spec_free(spec);
	if (hull_teardown_state_dir(dir, ret < 0 ? NULL : err) < 0)
		ret = -1;
	return ret;
}

/* A state directory without a usable state.json: a create killed before it wrote one, a
 * delete killed half-way, a damaged file.  Cleaned, not refused; without force only when
 * nothing of it runs any more. */
static int remove_damaged(const char *root, const char *id, bool force, struct hull_err *err)
{
	struct hull_spec *spec = load_saved_spec(root, id, NULL);
	struct hull_cgroups cg = {0};
	cleanup_free char *cgpath = NULL;
	pid_t *pids = NULL;
	size_t n = 0;

	if (!force && hull_cgroups_discover(&cg, NULL) == 0 &&
	    (cgpath = hull_teardown_cgroup(&cg, id, spec, NULL)) &&
	    hull_cgroup_pids(&cg, cgpath, &pids, &n, NULL) == 0 && n > 0) {
		hull_error(err, EBUSY,
			   "delete: container `%s` has no usable state file and %zu processes in "
			   "its cgroup `%s`: use --force",
			   id, n, cgpath);
		free(pids);
		hull_cgroups_free(&cg);
		hull_spec_free(spec);
		return -1;
	}
	free(pids);
	hull_cgroups_free(&cg);
	hull_spec_free(spec);
	hull_debug("deleting container `%s` without a usable state file", id);
	return remove_container(root, id, NULL, NULL, err);
}

int hull_container_delete(const char *root, const char *id, bool force, struct hull_err *err)
{
	cleanup_close int lock = -1;
	const struct hull_executor *level;
	struct hull_state *st = NULL;
	struct hull_err lerr = {0};
	int ret;

	if (hull_validate_id(id, err) < 0)
		return hull_error_wrap(err, "delete");
	lock = hull_state_lock(root, id, err);
	if (lock < 0)
		return hull_error_wrap(err, "delete");
	if (hull_state_load(root, id, &st, &lerr) < 0) {
		struct stat sb;
		/* removed by another delete while we waited for the lock */
		if (fstat(lock, &sb) == 0 && sb.st_nlink == 0)
			return 0;
		/* no state.json is what a create killed before it wrote one leaves; a damaged
		 * one deserves a word */
		if (lerr.errnum == ENOENT)
			hull_debug("container `%s` has no state.json", id);
		else
			hull_warn("%s: removing what is left of `%s` without it", lerr.msg, id);
		ret = remove_damaged(root, id, force, err);
		return ret < 0 ? hull_error_wrap(err, "delete `%s`", id) : 0;
	}
	/* its level's cleanup is part of the deletion: without the level, the container stays */
	level = hull_executor_find(st->isolation, err);
	if (!level) {
		hull_state_free(st);
		return hull_error_wrap(err, "delete `%s`", id);
	}
	if ((st->status == HULL_RUNNING || st->status == HULL_PAUSED) && !force) {
		hull_error(err, EBUSY,
			   "delete: container `%s` is %s: stop it first, or use --force", id,
			   hull_status_name(st->status));
		hull_state_free(st);
		return -1;
	}
	hull_debug("deleting container `%s` (%s, pid %d)", id, hull_status_name(st->status),
		   st->pid);
	ret = remove_container(root, id, level, st, err);
	hull_state_free(st);
	return ret < 0 ? hull_error_wrap(err, "delete `%s`", id) : 0;
}

int hull_container_run(const struct hull_create_opts *o, int *status, struct hull_err *err)
{
	struct hull_launch l = {.run_mode = true, .tty_master = -1, .sync_fd = -1, .lock_fd = -1};
	struct hull_tty_proxy *tty = NULL;
	cleanup_free char *json = NULL;

	*status = 0;
	if (hull_container_create_internal(o, &l, err) < 0)
		return -1;
	if (!o->detach && l.level->foreground_begin)
		l.level->foreground_begin(l.state);
	if (l.tty_master >= 0)
		tty = hull_tty_proxy_start(l.tty_master, err);
	if (hull_sync_send(l.sync_fd, SYNC_START, 0, NULL, err) < 0)
		goto fail;
	{
		cleanup_free char *fifo = hull_strfmt("%s/%s/exec.fifo", o->root, o->id);
		struct hull_sync_msg *m = xmalloc(sizeof(*m));
		unlink(fifo);
		/* the init's end is close-on-exec: EOF means the process started (or the init
		 * failed before, and said so on its stderr) */
		hull_sync_recv(l.sync_fd, m, NULL);
		free(m);
	}
	l.state->status = HULL_RUNNING;
	json = hull_state_to_json(l.state, false);
	if (hull_hooks_run(&l.spec->hooks.poststart, "poststart", json, err) < 0)
		goto fail;
	/* the lock is only held while the state changes, not while the workload runs */
	close(l.lock_fd);
	l.lock_fd = -1;
	if (o->detach) {
		hull_launch_release(&l);
		return 0;
	}
	*status = l.level->foreground_wait(o->root, l.state, tty);
	tty = NULL;
	hull_forward_signals(0);
	l.state->status = HULL_STOPPED;
	if (!o->keep) {
		int lock = hull_state_lock(o->root, o->id, NULL);
		struct hull_err derr = {0};
		if (remove_container(o->root, o->id, l.level, l.state, &derr) < 0)
			hull_warn("%s", derr.msg);
		if (lock >= 0)
			close(lock);
	}
	hull_launch_release(&l);
	return 0;

fail:
	hull_tty_proxy_stop(tty);
	l.state->status = HULL_CREATED;
	remove_container(o->root, o->id, l.level, l.state, NULL);
	hull_launch_release(&l);
	return hull_error_wrap(err, "run `%s`", o->id);
}
