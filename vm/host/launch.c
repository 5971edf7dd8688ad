/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vm executor's side of the container's init.  The init is already in the container's
 * namespaces and cgroup; it never pivots into the rootfs: QEMU and virtiofsd are host
 * programs, and the rootfs reaches the guest through virtiofsd.  At start it forks virtiofsd
 * and becomes QEMU, so the VMM's pid is the container's pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "lib/pathres.h"
#include "lib/util.h"
#include "runtime/bind.h"
#include "runtime/hooks.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "vm/host/host.h"
#include "vm/host/preload.h"

int hull_vm_prepare(const struct hull_init_ctx *ctx, struct hull_err *err)
{
	const struct hull_spec *spec = ctx->spec;
	struct hull_vm_config c;
	cleanup_free char *cfg = NULL, *dir = NULL;
	cleanup_close int rootfd = -1, dirfd = -1;
	size_t len, i;

	/* the network namespace was checked by create (hull_vm_net_check, before the clone) */
	if (hull_vm_config_resolve(spec, &c, err) < 0)
		return -1;
	/* the VMM is the container's process on the host: the host's OOM killer weighs it as
	 * the workload asked (the guest applies the same score inside) */
	if (spec->process->has_oom_score_adj) {
		char v[16];
		snprintf(v, sizeof(v), "%d", spec->process->oom_score_adj);
		if (hull_write_string("/proc/self/oom_score_adj", v, err) < 0)
			goto fail;
	}
	/* nothing mounted here may reach the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		hull_error(err, errno, "make the mount namespace private");
		goto fail;
	}
	if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
		hull_error(err, errno, "bind the rootfs `%s`", ctx->rootfs);
		goto fail;
	}
	rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		hull_error(err, errno, "open the rootfs `%s`", ctx->rootfs);
		goto fail;
	}
	for (i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].bind &&
		    hull_bind_in_root(ctx->bundle, rootfd, &spec->mounts[i], err) < 0)
			goto fail;
	/* the guest mounts the other file systems, but cannot make their mount points in a
	 * read-only root (an image without /proc or /sys, as CRI's pause): made here first */
	if (hull_vm_mount_points(rootfd, spec, err) < 0)
		goto fail;
	/* virtiofsd writes as root: the read-only root is enforced here, not only in the guest */
	if (spec->root_readonly &&
	    mount(NULL, ctx->rootfs, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
		hull_error(err, errno, "make the rootfs read-only");
		goto fail;
	}
	dir = hull_state_dir(ctx->opts->root, ctx->opts->id);
	dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		hull_error(err, errno, "open `%s`", dir);
		goto fail;
	}
	/* a pod's sandbox: the share its app containers' roots will be bound into */
	if (hull_vm_spec_pod_role(spec, NULL) == HULL_VM_POD_SANDBOX &&
	    hull_vm_pod_share_prepare(dirfd, dir, err) < 0)
		goto fail;
	cfg = hull_vm_guest_config(spec, ctx->seccomp, &len, err);
	if (!cfg)
		goto fail;
	/* a VM booted at create runs its workload once told, at start */
	if (hull_vm_boots_at_create(ctx)) {
		struct hull_vm_buf b = {cfg, len, len};
		hull_vm_rec(&b, HULL_REC_HOLD, HULL_REC_ON);
		cfg = b.p;
		len = b.len;
	}
	if (hull_vm_write_initrd(dirfd, HULL_VM_INITRD, c.initrd, cfg, len, err) < 0)
		goto fail;
	hull_vm_config_free(&c);
	return 0;
fail:
	hull_vm_config_free(&c);
	return -1;
}

int hull_vm_mount_points(int rootfd, const struct hull_spec *spec, struct hull_err *err)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct hull_mount *m = &spec->mounts[i];
		int fd;
		if (m->bind)
			continue;
		fd = hull_mkpath_in_root(rootfd, m->destination, HULL_MK_DIR, 0755, err);
		if (fd < 0)
			return hull_error_wrap(err, "the mount point of `%s`", m->destination);
		close(fd);
	}
	return 0;
}

/* A copy of one of our stdio fds with the access mode QEMU's chardev opens it with, above 2
 * (QEMU takes no stdio fd in an fd set). */
static int stdio_fd(int fd, int mode, struct hull_err *err)
{
	int fl = fcntl(fd, F_GETFL), n;
	char path[32];
	if (fl >= 0 && (fl & O_ACCMODE) == mode)
		return fcntl(fd, F_DUPFD, 3);
	/* a pipe, tty, /dev/null or file: reopen it with the right mode */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = open(path, mode | O_NOCTTY);
	if (n < 0)
		return hull_error(err, errno, "the container's fd %d cannot be handed to the VM",
				  fd);
	if (n < 3) {
		int m = fcntl(n, F_DUPFD, 3);
		close(n);
		n = m;
	}
	return n;
}

static void close_from(unsigned int fd)
{
	if (syscall(SYS_close_range, fd, ~0U, 0) < 0)
		for (int i = (int)fd; i < 1024; i++)
			close(i);
}

/* stdin goes to QEMU through a socket fed by this small relay: a socket's end reaches the
 * guest as the end of its input (QEMU's file chardevs have no input side here, and its pipe
 * chardev opens read-write, so it would never see the pipe's end).  It dies with QEMU. */
static int stdin_relay(struct hull_err *err)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return hull_error(err, errno, "socketpair for stdin");
	pid = fork();
	if (pid < 0)
		return hull_error(err, errno, "fork the stdin relay");
	if (pid == 0) {
		char buf[65536];
		ssize_t n;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* forked, not exec'd: nothing of the init may stay open here (the sync socket's
		 * end tells run that QEMU started) */
		if (sv[1] != 3 && dup2(sv[1], 3) < 0)
			_exit(1);
		sv[1] = 3;
		close_from(4);
		close(1);
		close(2);
		while ((n = read(0, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
			if (n > 0 && hull_write_all(sv[1], buf, (size_t)n) < 0)
				_exit(0);
		/* half-close and stay: a hang-up now would make QEMU drop what the guest has not
		 * read yet; QEMU reads up to the end and then closes its side */
		shutdown(sv[1], SHUT_WR);
		while (read(sv[1], buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(sv[1]);
	/* QEMU is exec'd with it */
	fcntl(sv[0], F_SETFD, 0);
	return sv[0];
}

/* stdin, stdout, stderr as QEMU gets them (one port each, so the streams stay apart):
 * stdin through the relay's socket, stdout and stderr as files on our fds (sockets, as some
 * callers pass, go as they are). */
static int stdio_fds(struct hull_qemu_stdio io[3], struct hull_err *err)
{
	for (int i = 0; i < 3; i++) {
		struct stat sb;
		io[i].socket = i == 0 || (fstat(i, &sb) == 0 && S_ISSOCK(sb.st_mode));
		if (i == 0)
			io[i].fd = stdin_relay(err);
		else if (!io[i].socket)
			io[i].fd = stdio_fd(i, O_WRONLY, err);
		else if ((io[i].fd = fcntl(i, F_DUPFD, 3)) < 0)
			hull_error(err, errno, "the container's fd %d cannot be handed to the VM",
				   i);
		if (io[i].fd < 0)
			return -1;
	}
	return 0;
}

/* The QEMU command line: the host's facts and the fds QEMU inherits gathered here (relays
 * forked, the network handed over), the line itself built by hull_qemu_args (qemu_args.c). */
static char **qemu_command(const struct hull_vm_config *c, const struct hull_spec *spec, int dirfd,
			   int con_slave, struct hull_err *err)
{
	struct hull_qemu_io io = {.state_dirfd = dirfd, .console_fd = -1, .debug_fd = -1};
	bool pod = hull_vm_spec_pod_role(spec, NULL) == HULL_VM_POD_SANDBOX;
	struct hull_vm_host host;
	struct hull_vm_net net;
	char **argv;

	hull_vm_host_probe(&host);
	if (!host.kvm)
		dprintf(2, "hull: %s, using software emulation (slow)\n", host.no_kvm);
	if (stdio_fds(io.stdio, err) < 0)
		return NULL;
	if (c->debug)
		io.debug_fd = fcntl(2, F_DUPFD, 3);
	/* the container's network namespace, handed over to the guest (net.c) */
	if (hull_vm_net_attach(dirfd, host.kvm && !c->no_vhost, &net, err) < 0)
		return NULL;
	/* the terminal's relay, on the hull.console port */
	if (con_slave >= 0 && (io.console_fd = hull_vm_console_relay(con_slave, err)) < 0) {
		hull_vm_net_free(&net);
		return NULL;
	}
	io.net_args = net.args;
	io.n_net_args = net.n_args;
	io.pod_fs = pod;
	io.exec_ports = hull_vm_exec_ports(spec->annotations, spec->n_annotations);
	argv = hull_qemu_args(c, &host, &io);
	hull_vm_net_free(&net);
	return argv;
}

/* virtiofsd on source (the rootfs, or a pod's share) as this mount namespace shows it, on the
 * socket sock in the state directory; it serves one QEMU and exits when QEMU goes away. */
static int start_virtiofsd(const char *source, const char *sock, const struct hull_vm_config *c,
			   int dirfd, struct hull_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int lfd = -1;
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, sock);
	unlink(sa.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0)
		return hull_error(err, errno, "virtiofsd socket in the state directory");
	pid = fork();
	if (pid < 0)
		return hull_error(err, errno, "fork virtiofsd");
	if (pid == 0) {
		char fdarg[32];
		cleanup_free char *src = hull_strfmt("source=%s", source);
		int null = open("/dev/null", O_RDWR);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(null, 1);
		if (!c->debug)
			dup2(null, 2);
		if (lfd != 3 && dup2(lfd, 3) < 0)
			_exit(HULL_EXIT_NOT_FOUND);
		close_from(4);
		snprintf(fdarg, sizeof(fdarg), "--fd=%d", 3);
		execl(c->virtiofsd, c->virtiofsd, fdarg, "-o", src, "-o", "cache=auto", "-o",
		      "announce_submounts", "-o", c->debug ? "log_level=debug" : "log_level=err",
		      (char *)NULL);
		dprintf(2, "hull: exec `%s`: %s\n", c->virtiofsd, strerror(errno));
		_exit(HULL_EXIT_NOT_FOUND);
	}
	return 0;
}

__attribute__((noreturn)) void hull_vm_exec(const struct hull_init_ctx *ctx, const char *state_json)
{
	struct hull_err err = {0};
	struct hull_vm_config c;
	char **argv = NULL;
	cleanup_free char *dir = NULL;
	int dirfd, con_slave = -1;
	/* a pod's sandbox boots now, while create runs: everything up to QEMU's exec is done
	 * before ready (its errors are create's), and a starter tells the guest at start */
	bool early = hull_vm_boots_at_create(ctx), ready = !early;

	if (hull_vm_config_resolve(ctx->spec, &c, &err) < 0 ||
	    (ctx->spec->process->terminal && hull_vm_console_open(ctx, &con_slave, &err) < 0))
		hull_init_fail(ctx, &err);
	if (!early) {
		if (hull_init_ready_wait(ctx) < 0)
			_exit(1);
		/* closed at once: `start` returns without waiting for QEMU's exec, and the
		 * helpers forked below (virtiofsd, relays) cannot keep it waiting */
		if (ctx->fifo_fd >= 0)
			close(ctx->fifo_fd);
	}
	/* from here on errors are the workload's, reported on its stderr as in container mode */
	dir = hull_state_dir(ctx->opts->root, ctx->opts->id);
	dirfd = open(dir, O_PATH | O_DIRECTORY); /* QEMU names its files through it */
	if (dirfd < 0) {
		hull_error(&err, errno, "open `%s`", dir);
		goto fail;
	}
	if ((!early && hull_hooks_run(&ctx->spec->hooks.start_container, "startContainer",
				      state_json, &err) < 0) ||
	    !(argv = qemu_command(&c, ctx->spec, dirfd, con_slave, &err)) ||
	    start_virtiofsd(ctx->rootfs, HULL_VM_FS, &c, dirfd, &err) < 0)
		goto fail;
	if (hull_vm_spec_pod_role(ctx->spec, NULL) == HULL_VM_POD_SANDBOX) {
		cleanup_free char *share = hull_strfmt("%s/%s", dir, HULL_VM_POD_SHARE);
		if (start_virtiofsd(share, HULL_VM_POD_FS, &c, dirfd, &err) < 0)
			goto fail;
	}
	if (early) {
		if (hull_vm_pod_starter(ctx, &err) < 0)
			goto fail;
		hull_sync_send(ctx->sync_fd, SYNC_READY, 0, NULL, NULL);
		close(ctx->fifo_fd); /* the starter holds it until start */
		ready = true;
	}
	{
		char fdenv[32];
		cleanup_free char *pre = hull_strfmt("LD_PRELOAD=%s", c.preload);
		char *env[] = {pre, fdenv, "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
		snprintf(fdenv, sizeof(fdenv), HULL_VM_STATE_FD_ENV "=%d", dirfd);
		execve(c.qemu, argv, env);
		hull_error(&err, errno, "exec `%s`", c.qemu);
	}
fail:
	if (!ready) { /* booting at create: create fails with it, the network as it was */
		hull_vm_net_cleanup(dir, ctx->spec);
		hull_init_fail(ctx, &err);
	}
	dprintf(2, "hull-oci: %s\n", err.msg);
	_exit(HULL_EXIT_NOT_FOUND);
}
