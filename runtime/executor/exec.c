/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container level's exec: a new process in a created or running container.  It joins
 * every namespace the container has (through a pidfd of the container's init, so the kernel
 * orders them), its cgroup and its root, and takes the container's confinement before it
 * execs.
 *
 * The runtime enters the pid namespace itself (that only affects its children) and forks
 * the process, so the process is its child: run-style waiting, signal forwarding and the
 * exit status work as for `run`.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/executor/process.h"
#include "runtime/foreground.h"
#include "runtime/sync.h"
#include "runtime/sysctl.h"
#include "runtime/terminal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	int type;
	const char *proc;
} ns_files[] = {
	{CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mnt"},	{CLONE_NEWUTS, "uts"},
	{CLONE_NEWIPC, "ipc"},	 {CLONE_NEWNET, "net"}, {CLONE_NEWCGROUP, "cgroup"},
	{CLONE_NEWTIME, "time"}, {CLONE_NEWPID, "pid"},
};

/* The namespaces the container's init is in that we are not in: those we must join. */
static int ns_to_join(pid_t pid, int *flags, struct hull_err *err)
{
	size_t i;
	*flags = 0;
	for (i = 0; i < ARRAY_SIZE(ns_files); i++) {
		cleanup_free char *theirs = hull_strfmt("/proc/%d/ns/%s", pid, ns_files[i].proc);
		cleanup_free char *ours = hull_strfmt("/proc/self/ns/%s", ns_files[i].proc);
		struct stat a, b;
		if (stat(theirs, &a) < 0) {
			if (errno == ENOENT && ns_files[i].type == CLONE_NEWTIME)
				continue; /* a kernel without time namespaces */
			return hull_error(err, errno, "inspect `%s`", theirs);
		}
		if (stat(ours, &b) < 0)
			return hull_error(err, errno, "inspect `%s`", ours);
		if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
			*flags |= ns_files[i].type;
	}
	return 0;
}

struct exec_ctx {
	const struct hull_exec_opts *o;
	const struct hull_spec *spec;
	const struct hull_process *proc;
	struct hull_seccomp *seccomp; /* the container's filter, NULL without one */
	int pidfd;		      /* the container's init */
	int rootfd;		      /* its root directory, O_PATH */
	int ns_flags;		      /* namespaces to join, CLONE_NEWPID excepted */
	int sync_fd;		      /* our end of the sync socket */
	int console_fd;		      /* where the pty master goes, -1 without a terminal */
};

__attribute__((noreturn)) static void child_fail(struct exec_ctx *c, struct hull_err *err)
{
	hull_sync_send(c->sync_fd, SYNC_ERROR, err->errnum, err->msg, NULL);
	_exit(1);
}

/* In the child, already in the container's pid namespace (our parent entered it for us). */
__attribute__((noreturn)) static void exec_child(struct exec_ctx *c)
{
	const struct hull_process *p = c->proc;
	struct hull_sync_msg *m = xmalloc(sizeof(*m));
	struct hull_err err = {0};
	cleanup_free char *exe = NULL;
	char **env;
	sigset_t none;

	/* nothing in the container may ptrace us or read our memory before the exec */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* our parent moves us into the container's cgroup first */
	if (hull_sync_expect(c->sync_fd, SYNC_GO, m, &err) < 0)
		_exit(1);
	if (c->ns_flags && setns(c->pidfd, c->ns_flags) < 0) {
		hull_error(&err, errno, "join the container's namespaces");
		child_fail(c, &err);
	}
	if (fchdir(c->rootfd) < 0 || chroot(".") < 0) {
		hull_error(&err, errno, "enter the container's root");
		child_fail(c, &err);
	}
	close(c->rootfd);
	close(c->pidfd);
	if (p->terminal) {
		struct hull_terminal_opts t = {
			.rows = p->console_height,
			.cols = p->console_width,
			.plain_newlines = c->o->tty_plain_newlines && !c->o->console_socket,
			.owner = p->uid,
		};
		if (hull_terminal_setup(c->console_fd, &t, &err) < 0)
			child_fail(c, &err);
	}
	if (c->console_fd >= 0)
		close(c->console_fd);
	/* a session of its own inside the container, with a terminal (made above) or not, as
	 * runc's exec'd processes have: our own is the runtime's, outside the pid namespace */
	if (!p->terminal && setsid() < 0) {
		hull_error(&err, errno, "setsid");
		child_fail(c, &err);
	}
	if (hull_process_chdir(p->cwd, &err) < 0)
		child_fail(c, &err);
	exe = hull_process_lookup(p, &err);
	/* the environment before the uid changes: HOME comes from the container's passwd */
	env = hull_process_env(p, 0);
	/* the container's linux.personality, as its init has it (runc's exec sets it too) */
	if (!exe ||
	    hull_personality_apply(c->spec->linux_ ? c->spec->linux_->personality : NULL, &err) <
		    0 ||
	    hull_process_confine(p, c->seccomp, c->o->preserve_fds, &err) < 0)
		child_fail(c, &err);
	/* the listener of a filter with notify rules: our parent takes it to listenerPath */
	if (hull_seccomp_has_notify(c->seccomp)) {
		int nfd = hull_seccomp_take_notify_fd(c->seccomp);
		if (hull_sync_send_fd(c->sync_fd, SYNC_SECCOMP_FD, nfd, &err) < 0)
			child_fail(c, &err);
		close(nfd);
	}
	/* the sync socket is close-on-exec: our parent reads EOF once the exec succeeded */
	execve(exe, p->args, env);
	hull_error_go(&err, errno, "exec `%s`", exe);
	child_fail(c, &err);
}

/* Fork the child inside the container's pid namespace, then restore our own for later
 * children (hooks, helpers). */
static pid_t fork_in_pidns(struct exec_ctx *c, bool join_pid, struct hull_err *err)
{
	cleanup_close int own = -1;
	pid_t pid;

	if (join_pid) {
		own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (own < 0)
			return hull_error(err, errno, "open /proc/self/ns/pid");
		if (setns(c->pidfd, CLONE_NEWPID) < 0)
			return hull_error(err, errno, "join the container's pid namespace");
	}
	pid = fork();
	if (pid == 0)
		exec_child(c);
	if (pid < 0)
		hull_error(err, errno, "fork");
	if (join_pid)
		setns(own, CLONE_NEWPID);
	return pid;
}

int hull_container_exec_process(const struct hull_exec_opts *o, const struct hull_state *st,
				const struct hull_spec *spec, const struct hull_process *p,
				int *status, struct hull_err *err)
{
	struct hull_cgroups cg = {0};
	struct hull_sync_msg *m = NULL;
	struct hull_tty_proxy *tty = NULL;
	struct exec_ctx c = {.o = o, .pidfd = -1, .rootfd = -1, .sync_fd = -1, .console_fd = -1};
	int sv[2] = {-1, -1}, tty_pair[2] = {-1, -1}, flags = 0, tty_master = -1, ret = 0;
	pid_t pid = -1;

	*status = 0;
	c.spec = spec;
	c.proc = p;
	if (spec->linux_ && hull_seccomp_build(spec->linux_->seccomp, o->root, &c.seccomp, err) < 0)
		goto fail;

	/* pin the init, then check it is still the container's and not a reused pid */
	c.pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (c.pidfd < 0) {
		hull_error(err, errno, "open the container's process %d", st->pid);
		goto fail;
	}
	{
		cleanup_free char *root = hull_strfmt("/proc/%d/root", st->pid);
		unsigned long long t = 0;
		c.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c.rootfd < 0 || ns_to_join(st->pid, &flags, err) < 0 ||
		    hull_proc_start_time(st->pid, &t, err) < 0 || t != st->start_time) {
			if (!err->msg[0])
				hull_error(err, c.rootfd < 0 ? errno : ESRCH,
					   "the container's process %d is gone", st->pid);
			goto fail;
		}
	}
	c.ns_flags = flags & ~CLONE_NEWPID;

	if (c.proc->terminal) {
		if (o->console_socket) {
			c.console_fd = hull_console_connect(o->console_socket, err);
		} else if (!o->detach) {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tty_pair) < 0)
				hull_error(err, errno, "socketpair");
			c.console_fd = tty_pair[1];
		} else {
			hull_error(err, EINVAL, "a terminal with --detach needs --console-socket");
		}
		if (c.console_fd < 0)
			goto fail;
	} else if (o->console_socket) {
		hull_error(err, EINVAL, "--console-socket given without a terminal (--tty)");
		goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		hull_error(err, errno, "socketpair");
		goto fail;
	}
	c.sync_fd = sv[1];
	pid = fork_in_pidns(&c, flags & CLONE_NEWPID, err);
	close(sv[1]);
	sv[1] = -1;
	if (c.console_fd >= 0) {
		close(c.console_fd);
		c.console_fd = -1;
	}
	if (pid < 0)
		goto fail;
	if (!o->detach)
		hull_forward_signals(pid);

	if (hull_cgroups_discover(&cg, err) < 0)
		goto fail;
	if (st->cgroup_path && *st->cgroup_path &&
	    (o->sub_cgroups ? hull_cgroup_join_sub(&cg, st->cgroup_path, o->sub_cgroups, pid, err)
			    : hull_cgroup_join(&cg, st->cgroup_path, pid, err)) < 0)
		goto fail;
	if (hull_sync_send(sv[0], SYNC_GO, 0, NULL, err) < 0)
		goto fail;
	if (hull_seccomp_has_notify(c.seccomp)) {
		cleanup_free char *json = hull_state_to_json(st, false);
		if (hull_seccomp_notify_forward(c.seccomp, spec->linux_->seccomp, sv[0], pid, json,
						err) < 0)
			goto fail;
	}
	m = xmalloc(sizeof(*m));
	/* EOF: the exec succeeded (the child's end is close-on-exec) */
	if (hull_sync_recv(sv[0], m, NULL) == 0) {
		if (m->type == SYNC_ERROR) {
			/* the child's message already carries its errno text */
			hull_error(err, 0, "%s", m->data);
			err->errnum = m->value;
		} else {
			hull_error(err, EPROTO, "exec: unexpected message %d", m->type);
		}
		goto fail;
	}
	if (tty_pair[0] >= 0) {
		tty_master = hull_recv_fd(tty_pair[0], err);
		if (tty_master < 0)
			goto fail;
		tty = hull_tty_proxy_start(tty_master, err);
	}
	if (o->pid_file) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%d", pid);
		if (hull_write_file_replace(o->pid_file, buf, strlen(buf), 0644, err) < 0)
			goto fail;
	}
	hull_debug("exec in `%s`: pid %d, %s", o->id, pid, c.proc->args[0]);
	if (!o->detach) {
		*status = hull_foreground_wait(pid, tty);
		hull_forward_signals(0);
		tty = NULL;
	}
	pid = -1;
	goto out;

fail:
	ret = -1;
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		hull_forward_signals(0);
	}
out:
	if (tty)
		hull_tty_proxy_stop(tty);
	if (tty_master >= 0)
		close(tty_master);
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (tty_pair[i] >= 0)
			close(tty_pair[i]);
	}
	if (c.console_fd >= 0)
		close(c.console_fd);
	if (c.pidfd >= 0)
		close(c.pidfd);
	if (c.rootfd >= 0)
		close(c.rootfd);
	free(m);
	hull_cgroups_free(&cg);
	hull_seccomp_free(c.seccomp);
	return ret;
}
