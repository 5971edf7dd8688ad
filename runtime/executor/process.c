/* SPDX-License-Identifier: Apache-2.0 */
/* The workload's identity, environment and fds, set just before it is executed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/caps.h"
#include "runtime/executor/process.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* the last NAME=: the one the process gets (hull_process_env) */
static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name), i;
	const char *v = NULL;
	for (i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, n) && env[i][n] == '=')
			v = env[i] + n + 1;
	return v;
}

static bool is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *hull_process_lookup(const struct hull_process *p, struct hull_err *err)
{
	const char *name = p->args[0], *path;
	cleanup_free char *copy = NULL;
	char *dir, *save = NULL;
	struct stat st;

	if (strchr(name, '/')) {
		if (stat(name, &st) < 0)
			return hull_error_go(err, errno, "exec `%s`", name), NULL;
		if (S_ISDIR(st.st_mode))
			return hull_error_go(err, EACCES, "exec `%s`: is a directory", name), NULL;
		if (access(name, X_OK) < 0)
			return hull_error_go(err, errno, "exec `%s`", name), NULL;
		return xstrdup(name);
	}
	path = env_get(p->env, "PATH");
	copy = xstrdup(path ? path : DEFAULT_PATH);
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *cand = hull_strfmt("%s/%s", *dir ? dir : ".", name);
		if (is_executable(cand))
			return cand;
		free(cand);
	}
	hull_error_go(err, ENOENT, "exec `%s`: executable file not found in $PATH", name);
	return NULL;
}

int hull_process_chdir(const char *cwd, struct hull_err *err)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0)
		return hull_error(err, errno, "cwd `%s`", cwd);
	/* A cwd reached through an fd the runtime still holds (/proc/self/fd/N) can lie
	 * outside the container's root; the kernel then reports it as unreachable and glibc
	 * fails with ENOENT (CVE-2024-21626). */
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return hull_error(err, EPERM, "cwd `%s` is outside the container's root", cwd);
	return 0;
}

/* The stdio the runtime was given (pipes, a file) belong to the user it runs as; a workload
 * that is not root could not reopen them (/dev/stdout, /proc/self/fd/1: EACCES on a 0600
 * pipe).  runc and crun hand them to the container's user; devices (/dev/null, a terminal)
 * are left as they are.  What cannot be changed (an owner not mapped in a user namespace, a
 * read-only file system) is left too: the workload may not need it. */
static int chown_stdio(uid_t uid, gid_t gid, struct hull_err *err)
{
	struct stat st;
	int fd;

	for (fd = 0; fd <= STDERR_FILENO; fd++) {
		if (fstat(fd, &st) < 0 || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
		    (st.st_uid == uid && st.st_gid == gid))
			continue;
		if (fchown(fd, uid, gid) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
			return hull_error(err, errno, "hand stdio fd %d to uid %u", fd, uid);
	}
	return 0;
}

int hull_process_identity(const struct hull_process *p, struct hull_err *err)
{
	size_t i;

	for (i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {p->rlimits[i].soft, p->rlimits[i].hard};
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return hull_error(err, errno, "set rlimit %s", p->rlimits[i].type);
	}
	if (p->has_oom_score_adj) {
		char v[16];
		snprintf(v, sizeof(v), "%d", p->oom_score_adj);
		if (hull_write_string("/proc/self/oom_score_adj", v, err) < 0)
			return -1;
	}
	if (hull_process_sched(p, err) < 0)
		return -1;
	if (hull_caps_prepare(p->caps, err) < 0)
		return -1;
	/* setgroups is refused in a user namespace whose setgroups is "deny"; only call it when
	 * there is something to set or when it is allowed to clear the inherited ones. */
	if (setgroups(p->n_additional_gids, p->additional_gids) < 0 &&
	    (p->n_additional_gids > 0 || errno != EPERM))
		return hull_error(err, errno, "setgroups");
	if (chown_stdio(p->uid, p->gid, err) < 0)
		return -1;
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return hull_error(err, errno, "setgid %u", p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return hull_error(err, errno, "setuid %u", p->uid);
	if (hull_caps_apply(p->caps, err) < 0)
		return -1;
	umask(p->has_umask ? p->umask : 022);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hull_error(err, errno, "set no_new_privs");
	return 0;
}

/* The home directory of uid in the container's /etc/passwd (we are in its root already), or
 * "/" when it has no entry, as runc and crun set HOME. */
static char *passwd_home(uid_t uid)
{
	/* the image's file: a fifo or a device there must not hang or feed the init */
	int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char *line = NULL, *home = NULL;
	struct stat st;
	size_t cap = 0;
	FILE *f = NULL;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		f = fdopen(fd, "r");
	if (!f && fd >= 0)
		close(fd);

	while (f && !home && getline(&line, &cap, f) > 0) {
		/* name:password:uid:gid:gecos:home:shell */
		char *field[7], *s = line, *end;
		unsigned long v;
		int k;
		line[strcspn(line, "\n")] = '\0';
		for (k = 0; k < 7 && s; k++)
			field[k] = strsep(&s, ":");
		if (k < 6 || !*field[2])
			continue;
		errno = 0;
		v = strtoul(field[2], &end, 10);
		if (errno || *end || v != uid || !*field[5])
			continue;
		home = xstrdup(field[5]);
	}
	free(line);
	if (f)
		fclose(f);
	return home ? home : xstrdup("/");
}

/* Whether env[i]'s name is set again later in env (the last one is the one kept). */
static bool set_again(char *const *env, size_t i)
{
	size_t len = strcspn(env[i], "=");
	for (size_t j = i + 1; env[j]; j++)
		if (!strncmp(env[j], env[i], len) && env[j][len] == '=')
			return true;
	return false;
}

char **hull_process_env(const struct hull_process *p, int n_listen_fds)
{
	size_t n = hull_strv_len(p->env), i, k = 0;
	char **env = xzalloc((n + 4) * sizeof(char *));
	const char *home = NULL;
	for (i = 0; i < n; i++) {
		/* a name given twice is set once, to its last value, as runc's (and execve's
		 * readers, which take the first, would otherwise see the older one) */
		if (set_again(p->env, i))
			continue;
		if (hull_has_prefix(p->env[i], "HOME="))
			home = p->env[i] + strlen("HOME=");
		if (n_listen_fds > 0 && (hull_has_prefix(p->env[i], "LISTEN_FDS=") ||
					 hull_has_prefix(p->env[i], "LISTEN_PID=")))
			continue;
		if (!strcmp(p->env[i], "HOME="))
			continue; /* an empty HOME is set as a missing one is */
		env[k++] = p->env[i];
	}
	if (n_listen_fds > 0) {
		env[k++] = hull_strfmt("LISTEN_FDS=%d", n_listen_fds);
		env[k++] = xstrdup("LISTEN_PID=1");
	}
	if (!home || !*home) {
		cleanup_free char *dir = passwd_home(p->uid);
		env[k++] = hull_strfmt("HOME=%s", dir);
	}
	return env;
}

/* fn on each open fd >= first, from /proc/self/fd (or, without it, every number up to
 * the fd limit).  -1 with errno only when neither works. */
static int for_each_fd_from(int first, void (*fn)(int fd, void *arg), void *arg)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long max;

	if (d) {
		while ((e = readdir(d))) {
			int fd = atoi(e->d_name);
			if (e->d_name[0] != '.' && fd >= first && fd != dirfd(d))
				fn(fd, arg);
		}
		closedir(d);
		return 0;
	}
	max = sysconf(_SC_OPEN_MAX);
	if (max <= 0)
		return -1;
	for (int fd = first; fd < (max < 65536 ? max : 65536); fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			fn(fd, arg);
	return 0;
}

static void mark_cloexec(int fd, void *arg)
{
	int fl = fcntl(fd, F_GETFD);
	(void)arg;
	if (fl >= 0)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

int hull_process_confine(const struct hull_process *p, struct hull_seccomp *filter, int keep_fds,
			 struct hull_err *err)
{
	if (!p->no_new_privileges && hull_seccomp_load(filter, err) < 0)
		return -1;
	if (hull_process_identity(p, err) < 0 || hull_process_fds(keep_fds, err) < 0)
		return -1;
	if (p->no_new_privileges && hull_seccomp_load(filter, err) < 0)
		return -1;
	return 0;
}

int hull_process_fds(int keep, struct hull_err *err)
{
	int fd;
	for (fd = 3; fd < 3 + keep; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			return hull_error(err, errno, "keep fd %d", fd);
	}
	/* Mark, not close: the sync socket must stay usable until exec succeeds.  A seccomp
	 * filter already loaded may refuse close_range (a profile older than it, or one that
	 * denies it, as runc's tests do): then one fd at a time. */
	if (syscall(SYS_close_range, 3 + keep, ~0U, CLOSE_RANGE_CLOEXEC) < 0 &&
	    for_each_fd_from(3 + keep, mark_cloexec, NULL) < 0)
		return hull_error(err, errno, "close inherited fds");
	return 0;
}

static bool is_spared(int fd, const int *spare, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (spare[i] == fd)
			return true;
	return false;
}

struct spared {
	const int *fds;
	size_t n;
};

static void close_if_inherited(int fd, void *arg)
{
	const struct spared *s = arg;
	int fl = fcntl(fd, F_GETFD);
	if (fl >= 0 && !(fl & FD_CLOEXEC) && !is_spared(fd, s->fds, s->n))
		close(fd);
}

void hull_process_close_inherited(int keep, const int *spare, size_t n_spare)
{
	struct spared s = {spare, n_spare};
	for_each_fd_from(3 + keep, close_if_inherited, &s);
}
