/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's remains, found and removed whatever moment its runtime died at: create writes
 * state.json (the init's pid, its cgroup) before it makes the cgroup, and the config.json copy
 * before that, so delete always has one of them to go by.  Which cgroup is swept is decided
 * here and never taken from state.json alone (teardown.h says why).
 */
#include "runtime/teardown.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/driver.h"
#include "runtime/cgroup/cgroup_res.h"
#include "runtime/lifecycle.h"

#define STATE_FILE  "state.json"
#define CONFIG_FILE "config.json"

/* Sweep rounds x ROUND_MS: processes forking while they are killed, a freezer thawing. */
#define SWEEP_ROUNDS 300
#define ROUND_MS     10

static bool same_process(pid_t pid, unsigned long long start_time)
{
	unsigned long long now;
	/* without the start time a pid says nothing: it may be anyone's by now */
	return pid > 0 && start_time && hull_proc_start_time(pid, &now, NULL) == 0 &&
	       now == start_time;
}

/* Whether the live init is in cgroup path in any hierarchy (/proc/<pid>/cgroup). */
static bool init_is_in(pid_t pid, unsigned long long start_time, const char *path)
{
	char file[64];
	cleanup_free char *buf = NULL;
	char *line, *save = NULL;
	bool in = false;

	if (!same_process(pid, start_time))
		return false;
	snprintf(file, sizeof(file), "/proc/%d/cgroup", pid);
	if (hull_read_file(file, &buf, NULL, NULL) < 0)
		return false;
	for (line = strtok_r(buf, "\n", &save); line && !in; line = strtok_r(NULL, "\n", &save)) {
		char *p = strchr(line, ':');
		p = p ? strchr(p + 1, ':') : NULL;
		in = p && !strcmp(p + 1, path);
	}
	/* the pid could have been reused while we read */
	return in && same_process(pid, start_time);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

bool hull_teardown_systemd(const struct hull_spec *spec, const struct hull_state *st)
{
	const char *spec_path = spec && spec->linux_ ? spec->linux_->cgroups_path : NULL;
	/* the state says which driver; without it, a slice:prefix:name path is systemd's */
	if (st)
		return st->systemd_cgroup;
	return spec_path && strchr(spec_path, ':');
}

char *hull_teardown_cgroup(const struct hull_cgroups *cg, const char *id,
			   const struct hull_spec *spec, const struct hull_state *st)
{
	const char *spec_path = spec && spec->linux_ ? spec->linux_->cgroups_path : NULL;
	const char *recorded = st && st->cgroup_path && *st->cgroup_path ? st->cgroup_path : NULL;
	/* without a readable config.json, hull's own default for the id is all there is */
	cleanup_free char *derived =
		hull_cgroup_driver_path(cg, hull_teardown_systemd(spec, st), spec_path, id, NULL);

	if (recorded) {
		cleanup_free char *tail = spec_path && *spec_path && spec_path[0] != '/'
						  ? hull_strfmt("/%s", spec_path)
						  : NULL;
		/* a relative cgroupsPath is below the creator's own cgroup, which may not be
		 * ours: its tail is what must match */
		if ((derived && !strcmp(recorded, derived)) ||
		    (tail && has_suffix(recorded, tail)) ||
		    init_is_in(st->pid, st->start_time, recorded))
			return xstrdup(recorded);
		hull_warn("state.json of `%s` names cgroup `%s`, which is not the container's: "
			  "it is left alone",
			  id, recorded);
	}
	return steal_pointer(&derived);
}

/* The root, or a cgroup this process is in (or below), is nobody's to sweep. */
static bool sweepable(const struct hull_cgroups *cg, const char *path)
{
	size_t i, n = strlen(path);

	if (!*path || !strcmp(path, "/"))
		return false;
	for (i = 0; i < cg->n; i++) {
		const char *own = cg->h[i].own;
		if (!strncmp(own, path, n) && (own[n] == '\0' || own[n] == '/'))
			return false;
	}
	return true;
}

/* SIGKILL every process in path, in every hierarchy; how many there were. */
static size_t kill_round(const struct hull_cgroups *cg, const char *path)
{
	size_t i, n = 0;

	for (i = 0; i < cg->n; i++) {
		cleanup_free char *procs =
			hull_strfmt("%s%s/cgroup.procs", cg->h[i].mountpoint, path);
		cleanup_free char *buf = NULL;
		char *line, *save = NULL;
		if (hull_read_file(procs, &buf, NULL, NULL) < 0)
			continue;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			pid_t p = (pid_t)atoi(line);
			if (p > 0 && p != getpid()) {
				kill(p, SIGKILL);
				n++;
			}
		}
	}
	return n;
}

/* cgroup v2's cgroup.kill (Linux 5.14) kills the whole subtree at once, forks included. */
static void kill_v2(const struct hull_cgroups *cg, const char *path)
{
	size_t i;
	for (i = 0; i < cg->n; i++) {
		cleanup_free char *f = NULL;
		if (!cg->h[i].v2)
			continue;
		f = hull_strfmt("%s%s/cgroup.kill", cg->h[i].mountpoint, path);
		if (access(f, F_OK) == 0)
			hull_write_string(f, "1", NULL);
	}
}

void hull_teardown_kill(const struct hull_cgroups *cg, const char *path, pid_t pid,
			unsigned long long start_time)
{
	int round;

	if (same_process(pid, start_time))
		kill(pid, SIGKILL);
	if (path && cg->n && sweepable(cg, path)) {
		kill_v2(cg, path);
		for (round = 0; round < SWEEP_ROUNDS; round++) {
			bool frozen = false;
			if (kill_round(cg, path) == 0)
				break;
			/* frozen tasks die only once thawed */
			if (round == 0 && hull_cgroup_frozen(cg, path, &frozen, NULL) == 0 &&
			    frozen)
				hull_cgroup_freeze(cg, path, false, NULL);
			nanosleep(&(struct timespec){0, ROUND_MS * 1000 * 1000}, NULL);
		}
	}
	if (pid > 0 && start_time)
		hull_wait_gone(pid, start_time);
}

int hull_teardown_state_dir(const char *dir, struct hull_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return hull_error(err, errno, "open `%s`", dir);
	}
	while ((de = readdir(d))) {
		cleanup_free char *p = NULL;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, STATE_FILE) || !strcmp(de->d_name, CONFIG_FILE))
			continue;
		p = hull_strfmt("%s/%s", dir, de->d_name);
		if (hull_remove_tree(p, ret < 0 ? NULL : err) < 0)
			ret = -1;
	}
	closedir(d);
	if (ret < 0)
		return -1;
	{
		cleanup_free char *state = hull_strfmt("%s/%s", dir, STATE_FILE);
		cleanup_free char *config = hull_strfmt("%s/%s", dir, CONFIG_FILE);
		if ((unlink(state) < 0 && errno != ENOENT) ||
		    (unlink(config) < 0 && errno != ENOENT))
			return hull_error(err, errno, "remove the state of `%s`", dir);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return hull_error(err, errno, "remove `%s`", dir);
	return 0;
}
