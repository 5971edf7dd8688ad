/* SPDX-License-Identifier: Apache-2.0 */
/* create and run, the runtime's side: namespaces, uid maps, cgroup, hooks, state. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/timearg.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/bind.h"
#include "runtime/caps.h"
#include "runtime/cgroup/cgroup_res.h"
#include "runtime/cgroup/driver.h"
#include "runtime/container.h"
#include "runtime/executor.h"
#include "runtime/hooks.h"
#include "runtime/lifecycle.h"
#include "runtime/selfexe.h"
#include "runtime/sync.h"
#include "runtime/sysctl.h"
#include "runtime/terminal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int write_map(pid_t pid, const char *file, const struct hull_id_map *m, size_t n,
		     struct hull_err *err)
{
	char path[64], buf[4096];
	size_t i, off = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	for (i = 0; i < n && off < sizeof(buf) - 40; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%u %u %u\n", m[i].container_id,
				m[i].host_id, m[i].size);
	if (hull_write_string(path, buf, err) < 0)
		return hull_error_wrap(err, "write %s", file);
	return 0;
}

/* LISTEN_FDS meant for us (socket activation) are handed through to the workload. */
static int listen_fds(void)
{
	const char *n = getenv("LISTEN_FDS"), *p = getenv("LISTEN_PID");
	if (!n || !p || atoi(p) != getpid())
		return 0;
	return atoi(n) > 0 ? atoi(n) : 0;
}

/* fds the caller asked to keep must be open, or our own fds would land on their numbers
 * and leak into the container. */
static void reserve_fds(int upto)
{
	int fd;
	for (fd = 3; fd < upto; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int nul = open("/dev/null", O_RDWR);
			if (nul >= 0 && nul != fd) {
				dup2(nul, fd);
				close(nul);
			}
		}
}

static int prepare_namespaces(struct hull_init_ctx *ctx, struct hull_err *err)
{
	const struct hull_linux *lx = ctx->spec->linux_;
	size_t i;

	for (i = 0; lx && i < lx->n_namespaces; i++) {
		const struct hull_namespace *ns = &lx->namespaces[i];
		if (!ns->path || !*ns->path) {
			ctx->new_ns |= (unsigned long)ns->type;
			continue;
		}
		if (ctx->n_join >= ARRAY_SIZE(ctx->join))
			return hull_error(err, EINVAL, "too many namespaces to join");
		ctx->join[ctx->n_join].type = ns->type;
		ctx->join[ctx->n_join].fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (ctx->join[ctx->n_join].fd < 0)
			return hull_error(err, errno, "open %s namespace `%s`",
					  hull_namespace_name(ns->type), ns->path);
		ctx->n_join++;
	}
	if ((ctx->new_ns & CLONE_NEWUSER) &&
	    (!lx || lx->n_uid_mappings == 0 || lx->n_gid_mappings == 0))
		return hull_error(err, EINVAL,
				  "config.json: a new user namespace needs `linux.uidMappings` and "
				  "`linux.gidMappings`");
	return 0;
}

static void close_joins(struct hull_init_ctx *ctx)
{
	size_t i;
	for (i = 0; i < ctx->n_join; i++)
		if (ctx->join[i].fd >= 0)
			close(ctx->join[i].fd);
	ctx->n_join = 0;
}

/* clone(2) without a stack behaves like fork, plus the namespace flags. */
static pid_t clone_ns(unsigned long flags)
{
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

/* The cgroup and time namespaces are entered by the init itself, once it is in its cgroup. */
#define CLONE_LATER (CLONE_NEWCGROUP | CLONE_NEWTIME)

static pid_t spawn_init(struct hull_init_ctx *ctx, int parent_end, struct hull_err *err)
{
	unsigned long flags = ctx->new_ns & ~CLONE_LATER;
	pid_t pid;
	size_t i;

	if (ctx->n_join == 0) {
		ctx->runtime_pid = getpid();
		pid = clone_ns(flags);
		if (pid < 0)
			return hull_error(err, errno, "clone the container init");
		if (pid == 0) {
			close(parent_end);
			hull_init_main(ctx);
		}
		return pid;
	}
	/* Joining a pid namespace only affects children: go through an intermediate process
	 * that joins (the user namespace first, so it owns what follows) and then clones. */
	pid = fork();
	if (pid < 0)
		return hull_error(err, errno, "fork");
	if (pid == 0) {
		pid_t child;
		close(parent_end);
		for (int pass = 0; pass < 2; pass++)
			for (i = 0; i < ctx->n_join; i++) {
				bool user = ctx->join[i].type == CLONE_NEWUSER;
				if ((pass == 0) != user)
					continue;
				if (setns(ctx->join[i].fd, ctx->join[i].type) < 0) {
					hull_error(err, errno, "join %s namespace",
						   hull_namespace_name(ctx->join[i].type));
					hull_sync_send(ctx->sync_fd, SYNC_ERROR, err->errnum,
						       err->msg, NULL);
					_exit(1);
				}
			}
		child = clone_ns(flags);
		if (child < 0) {
			hull_error(err, errno, "clone the container init");
			hull_sync_send(ctx->sync_fd, SYNC_ERROR, err->errnum, err->msg, NULL);
			_exit(1);
		}
		if (child == 0)
			hull_init_main(ctx);
		hull_sync_send(ctx->sync_fd, SYNC_PID, child, NULL, NULL);
		_exit(0);
	}
	{
		struct hull_sync_msg *m = xmalloc(sizeof(*m));
		int status, r = hull_sync_expect(parent_end, SYNC_PID, m, err);
		pid_t child = m->value;
		free(m);
		waitpid(pid, &status, 0);
		return r < 0 ? -1 : child;
	}
}

static struct hull_state *new_state(const struct hull_create_opts *o, const struct hull_spec *spec,
				    const char *bundle, const char *rootfs, const char *level)
{
	struct hull_state *st = xzalloc(sizeof(*st));
	size_t i;
	st->id = xstrdup(o->id);
	st->bundle = xstrdup(bundle);
	st->rootfs = xstrdup(rootfs);
	st->created = hull_now_rfc3339();
	st->owner = getuid();
	st->isolation = xstrdup(level);
	st->status = HULL_CREATING;
	st->annotations = xzalloc((spec->n_annotations + 1) * sizeof(*st->annotations));
	for (i = 0; i < spec->n_annotations; i++) {
		st->annotations[i].key = xstrdup(spec->annotations[i].key);
		st->annotations[i].value = xstrdup(spec->annotations[i].value);
	}
	st->n_annotations = spec->n_annotations;
	return st;
}

static int validate(const struct hull_spec *spec, struct hull_err *err)
{
	unsigned long persona;
	bool set;

	if (!spec->process)
		return hull_error(err, EINVAL,
				  "config.json: `process` is required to create a container");
	if (!spec->process->args || !spec->process->args[0] || !*spec->process->args[0])
		return hull_error(err, EINVAL, "config.json: `process.args` must not be empty");
	if (!spec->root_path || !*spec->root_path)
		return hull_error(err, EINVAL, "config.json: `root.path` is required");
	if (!spec->linux_ || !hull_spec_namespace(spec, CLONE_NEWNS))
		return hull_error(err, EINVAL,
				  "config.json: hull needs a mount namespace (`linux.namespaces` "
				  "type `mount`)");
	hull_caps_warn_unknown(spec->process->caps);
	if (hull_sysctl_check(spec, err) < 0 ||
	    hull_personality_parse(spec->linux_->personality, &persona, &set, err) < 0)
		return -1;
	return 0;
}

int hull_container_create_internal(const struct hull_create_opts *o, struct hull_launch *out,
				   struct hull_err *err)
{
	cleanup_free char *bundle = NULL, *cfg_path = NULL, *cfg = NULL, *dir = NULL;
	cleanup_free char *rootfs = NULL, *fifo = NULL, *cgpath = NULL, *state_json = NULL;
	struct hull_spec *spec = NULL;
	struct hull_state *st = NULL;
	struct hull_cgroups cgroups = {0};
	struct hull_init_ctx ctx = {.fifo_fd = -1, .console_fd = -1, .sync_fd = -1, .lock_fd = -1};
	struct hull_sync_msg *m = NULL;
	int sv[2] = {-1, -1}, lockfd = -1, tty_pair[2] = {-1, -1};
	bool dir_made = false, cg_placed = false;
	pid_t pid = -1;
	struct hull_cg_extra extra = {0};
	char rbuf[PATH_MAX];

	if (hull_validate_id(o->id, err) < 0 || hull_selfexe_check(err) < 0)
		return -1;
	if (!realpath(o->bundle ? o->bundle : ".", rbuf))
		return hull_error(err, errno, "bundle `%s`", o->bundle ? o->bundle : ".");
	bundle = xstrdup(rbuf);
	cfg_path = hull_strfmt("%s/config.json", bundle);
	if (hull_read_file(cfg_path, &cfg, NULL, err) < 0)
		return -1;
	spec = hull_spec_parse(cfg, err);
	if (!spec || validate(spec, err) < 0)
		goto fail;
	/* the level, and what it refuses, before anything is made */
	ctx.level = hull_executor_choose(spec, o->level_by_name, err);
	if (!ctx.level || (ctx.level->check && ctx.level->check(spec, err) < 0) ||
	    (ctx.level->cgroup && ctx.level->cgroup(spec, &extra, err) < 0))
		goto fail;
	rootfs = spec->root_path[0] == '/' ? xstrdup(spec->root_path)
					   : hull_strfmt("%s/%s", bundle, spec->root_path);
	if (!realpath(rootfs, rbuf)) {
		hull_error(err, errno, "rootfs `%s`", rootfs);
		goto fail;
	}
	free(rootfs);
	rootfs = xstrdup(rbuf);

	/* The state directory is the container's claim on its id. */
	if (hull_mkdir_p(o->root, 0711, err) < 0)
		goto fail;
	dir = hull_state_dir(o->root, o->id);
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			hull_error(err, EEXIST, "container `%s` already exists", o->id);
		else
			hull_error(err, errno, "create state directory `%s`", dir);
		goto fail;
	}
	dir_made = true;
	lockfd = hull_state_lock(o->root, o->id, err);
	if (lockfd < 0)
		goto fail;
	ctx.lock_fd = lockfd;
	{
		cleanup_free char *copy = hull_strfmt("%s/config.json", dir);
		if (hull_write_file_replace(copy, cfg, strlen(cfg), 0600, err) < 0)
			goto fail;
	}

	ctx.spec = spec;
	ctx.opts = o;
	ctx.bundle = bundle;
	ctx.rootfs = rootfs;
	ctx.run_mode = out->run_mode;
	ctx.n_listen_fds = listen_fds();
	if (hull_seccomp_build(spec->linux_->seccomp, o->root, &ctx.seccomp, err) < 0)
		goto fail;
	/* the listener's fd comes from the container level's init (runtime/seccomp/) */
	if (hull_seccomp_has_notify(ctx.seccomp) && ctx.level != &hull_container_executor) {
		hull_error(err, ENOTSUP,
			   "config.json: `linux.seccomp`: SCMP_ACT_NOTIFY is only "
			   "supported at the container isolation level");
		goto fail;
	}
	reserve_fds(3 + ctx.n_listen_fds + o->preserve_fds);
	if (prepare_namespaces(&ctx, err) < 0)
		goto fail;
	if (hull_cgroups_discover(&cgroups, err) < 0)
		goto fail;
	cgpath = hull_cgroup_driver_path(&cgroups, o->systemd_cgroup, spec->linux_->cgroups_path,
					 o->id, err);
	if (!cgpath)
		goto fail;
	/* A cgroup left frozen (by a crash, by someone else) would stop the init half-way and
	 * create would wait for it for ever: refused as runc does, and left as it was found. */
	if (hull_cgroup_refuse_frozen(&cgroups, cgpath, err) < 0) {
		free(cgpath);
		cgpath = NULL;
		goto fail;
	}
	ctx.cgroups = &cgroups;
	ctx.cgroup_path = cgpath;
	/* The fifo also marks the container as created until it starts (run: until SYNC_START). */
	fifo = hull_strfmt("%s/exec.fifo", dir);
	if (mkfifo(fifo, 0600) < 0) {
		hull_error(err, errno, "mkfifo `%s`", fifo);
		goto fail;
	}
	if (!out->run_mode) {
		/* O_RDWR: the init holds the read side without blocking; start writes a byte. */
		ctx.fifo_fd = open(fifo, O_RDWR | O_CLOEXEC);
		if (ctx.fifo_fd < 0) {
			hull_error(err, errno, "open `%s`", fifo);
			goto fail;
		}
	}
	if (spec->process->terminal) {
		if (o->console_socket) {
			ctx.console_fd = hull_console_connect(o->console_socket, err);
		} else if (out->run_mode && !o->detach) {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tty_pair) < 0)
				hull_error(err, errno, "socketpair");
			ctx.console_fd = tty_pair[1];
		} else {
			hull_error(err, EINVAL,
				   "config.json sets `process.terminal`: --console-socket is "
				   "required");
		}
		if (ctx.console_fd < 0)
			goto fail;
	} else if (o->console_socket) {
		hull_error(
			err, EINVAL,
			"--console-socket given but config.json does not set `process.terminal`");
		goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		hull_error(err, errno, "socketpair");
		goto fail;
	}
	ctx.sync_fd = sv[1];
	if (out->run_mode && ctx.n_join)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	pid = spawn_init(&ctx, sv[0], err);
	close(sv[1]);
	sv[1] = -1;
	if (tty_pair[1] >= 0) {
		close(tty_pair[1]);
		tty_pair[1] = -1;
	}
	if (pid < 0)
		goto fail;
	if (ctx.fifo_fd >= 0) {
		close(ctx.fifo_fd);
		ctx.fifo_fd = -1;
	}
	if (ctx.console_fd >= 0 && tty_pair[0] < 0) {
		close(ctx.console_fd);
		ctx.console_fd = -1;
	}

	st = new_state(o, spec, bundle, rootfs, ctx.level->name);
	st->pid = pid;
	st->cgroup_path = xstrdup(cgpath);
	st->systemd_cgroup = o->systemd_cgroup;
	/* Recorded before the cgroup is made: whatever moment this process is killed at from
	 * here on, delete finds the init and the cgroup (before this, the init still waits for
	 * SYNC_GO and exits when our end of the socket closes). */
	if (hull_proc_start_time(pid, &st->start_time, err) < 0 ||
	    hull_state_save(o->root, st, err) < 0)
		goto fail;
	if ((ctx.new_ns & CLONE_NEWUSER) && (write_map(pid, "uid_map", spec->linux_->uid_mappings,
						       spec->linux_->n_uid_mappings, err) < 0 ||
					     write_map(pid, "gid_map", spec->linux_->gid_mappings,
						       spec->linux_->n_gid_mappings, err) < 0))
		goto fail;
	if (hull_cgroup_driver_enter(&cgroups, o->systemd_cgroup, cgpath, pid, spec->linux_, &extra,
				     err) < 0)
		goto fail;
	cg_placed = true;
	if (hull_sync_send(sv[0], SYNC_GO, 0, NULL, err) < 0 ||
	    hull_bind_sources_send(spec, bundle, pid, sv[0], err) < 0)
		goto fail;

	m = xmalloc(sizeof(*m));
	if (hull_sync_expect(sv[0], SYNC_MOUNTED, m, err) < 0)
		goto fail;
	state_json = hull_state_to_json(st, false);
	if (hull_hooks_run(&spec->hooks.prestart, "prestart", state_json, err) < 0 ||
	    hull_hooks_run(&spec->hooks.create_runtime, "createRuntime", state_json, err) < 0)
		goto fail;
	if (hull_sync_send(sv[0], SYNC_HOOKS_DONE, 0, state_json, err) < 0 ||
	    hull_seccomp_notify_forward(ctx.seccomp, spec->linux_->seccomp, sv[0], pid, state_json,
					err) < 0 ||
	    hull_sync_expect(sv[0], SYNC_READY, m, err) < 0)
		goto fail;
	if (tty_pair[0] >= 0) {
		out->tty_master = hull_recv_fd(tty_pair[0], err);
		if (out->tty_master < 0)
			goto fail;
	}
	st->status = HULL_CREATED;
	if (hull_state_save(o->root, st, err) < 0)
		goto fail;
	if (o->pid_file) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%d", pid);
		if (hull_write_file_replace(o->pid_file, buf, strlen(buf), 0644, err) < 0)
			goto fail;
	}

	hull_debug("container `%s` created: pid %d, cgroup %s, bundle %s", o->id, pid, cgpath,
		   bundle);
	free(m);
	out->pid = pid;
	out->level = ctx.level;
	out->sync_fd = sv[0];
	out->spec = spec;
	out->state = st;
	out->lock_fd = lockfd;
	out->cgroups = cgroups;
	if (tty_pair[0] >= 0)
		close(tty_pair[0]);
	close_joins(&ctx);
	hull_seccomp_free(ctx.seccomp);
	return 0;

fail:
	free(m);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		hull_wait_gone(pid, st ? st->start_time : 0);
	}
	/* a unit of that name that the driver did not start is not ours to stop */
	if (cgpath && cgroups.n && (cg_placed || !o->systemd_cgroup)) {
		struct hull_err ignored;
		hull_cgroup_driver_remove(&cgroups, o->systemd_cgroup, cgpath, &ignored);
	}
	hull_cgroups_free(&cgroups);
	close_joins(&ctx);
	hull_seccomp_free(ctx.seccomp);
	if (ctx.fifo_fd >= 0)
		close(ctx.fifo_fd);
	if (ctx.console_fd >= 0)
		close(ctx.console_fd);
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (tty_pair[i] >= 0)
			close(tty_pair[i]);
	}
	if (dir_made) {
		struct hull_err ignored;
		hull_remove_tree(dir, &ignored);
	}
	if (lockfd >= 0)
		close(lockfd);
	hull_state_free(st);
	hull_spec_free(spec);
	return hull_error_wrap(err, "create container `%s`", o->id);
}

int hull_container_create(const struct hull_create_opts *o, struct hull_err *err)
{
	struct hull_launch l = {.run_mode = false, .tty_master = -1};
	if (hull_container_create_internal(o, &l, err) < 0)
		return -1;
	hull_launch_release(&l);
	return 0;
}
