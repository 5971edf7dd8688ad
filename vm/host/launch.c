/*
 * The vm executor's side of the container's init.  The init is already in the container's
 * namespaces and cgroup; it never pivots into the rootfs: QEMU and virtiofsd are host
 * programs, and the rootfs reaches the guest through virtiofsd.  At start it forks virtiofsd
 * and becomes QEMU, so the VMM's pid is the container's pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
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
#include "vm/host/host.h"
#include "vm/proto/proto.h"

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
	cfg = hull_vm_guest_config(spec, ctx->seccomp, &len, err);
	if (!cfg || hull_vm_write_initrd(dirfd, HULL_VM_INITRD, c.initrd, cfg, len, err) < 0)
		goto fail;
	hull_vm_config_free(&c);
	return 0;
fail:
	hull_vm_config_free(&c);
	return -1;
}

struct argv {
	char **v;
	size_t n;
};

static void arg(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	a->v = xrealloc(a->v, (a->n + 2) * sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* What /proc/cpuinfo says of the first CPU: its clock, which the guest calibrates its TSC
 * against instead of the PIT (VM-NOTES trap 1), and whether it has hardware virtualization. */
struct cpu_facts {
	unsigned long tsc_khz;
	bool hw_virt; /* vmx or svm */
};

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(list, word); p; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

static struct cpu_facts cpu_facts(void)
{
	struct cpu_facts f = {0};
	char *line = NULL;
	size_t cap = 0;
	FILE *in = fopen("/proc/cpuinfo", "re");
	/* the first processor's block ends at the first empty line */
	while (in && getline(&line, &cap, in) > 1) {
		double mhz;
		if (sscanf(line, "cpu MHz : %lf", &mhz) == 1)
			f.tsc_khz = (unsigned long)(mhz * 1000.0 + 0.5);
		else if (!strncmp(line, "flags", 5))
			f.hw_virt = has_word(line, "vmx") || has_word(line, "svm");
	}
	free(line);
	if (in)
		fclose(in);
	return f;
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

/* stdin, stdout, stderr: one virtio-serial port each, so the streams stay apart; stdout and
 * stderr are "file" chardevs on our fds (sockets, as some callers pass, go as they are). */
static int stdio_ports(struct argv *a, struct hull_err *err)
{
	static const char *const names[3] = {"hull.stdin", "hull.stdout", "hull.stderr"};
	for (int i = 0; i < 3; i++) {
		struct stat sb;
		int fd;
		if (i == 0 || (fstat(i, &sb) == 0 && S_ISSOCK(sb.st_mode))) {
			fd = i == 0 ? stdin_relay(err) : fcntl(i, F_DUPFD, 3);
			if (fd < 0)
				return -1;
			arg(a, "-chardev");
			arg(a, "socket,id=io%d,fd=%d", i, fd);
		} else {
			fd = stdio_fd(i, O_WRONLY, err);
			if (fd < 0)
				return -1;
			arg(a, "-add-fd");
			arg(a, "fd=%d,set=%d", fd, i + 1);
			/* append: QEMU truncates a file chardev otherwise, even one from an fd set
			 */
			arg(a, "-chardev");
			arg(a, "file,id=io%d,path=/dev/fdset/%d,append=on", i, i + 1);
		}
		arg(a, "-device");
		arg(a, "virtserialport,chardev=io%d,name=%s", i, names[i]);
	}
	return 0;
}

/* KVM only when /dev/kvm is the real device, answers, and has the CPU's virtualization
 * extensions behind it: a stray file, a node without a driver, or a KVM back end that needs
 * its own guest kernel and VMM (PVM, which offers /dev/kvm without vmx/svm, and on which
 * QEMU aborts setting MSRs) must mean TCG, not a VMM that fails to start.  why says which. */
static bool kvm_usable(const struct cpu_facts *cpu, const char **why)
{
	struct stat st;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), v = -1;
	*why = "/dev/kvm not available";
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode))
		v = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (v != KVM_API_VERSION)
		return false;
	*why = "/dev/kvm has no hardware virtualization (vmx/svm) behind it";
	return cpu->hw_virt;
}

static int qemu_argv(const struct hull_vm_config *c, int dirfd, struct argv *a,
		     struct hull_err *err)
{
	struct cpu_facts cpu = cpu_facts();
	const char *no_kvm;
	bool kvm = kvm_usable(&cpu, &no_kvm);
	unsigned long khz = cpu.tsc_khz;

	arg(a, "%s", c->qemu);
	arg(a, "-M");
	/* a kernel without ACPI (its boot marker says so) finds the virtio-mmio devices on the
	 * command line, which QEMU then writes, and ends the VM through reboot=t + -no-reboot */
	arg(a, "microvm,isa-serial=off,memory-backend=mem%s", c->acpi_off ? ",acpi=off" : "");
	if (kvm) {
		arg(a, "-accel");
		arg(a, "kvm");
	} else {
		dprintf(2, "hull: %s, using software emulation (slow)\n", no_kvm);
		arg(a, "-accel");
		arg(a, "tcg");
	}
	if (kvm || c->cpu_model) {
		arg(a, "-cpu");
		arg(a, "%s", c->cpu_model ? c->cpu_model : "host");
	}
	arg(a, "-smp");
	arg(a, "%u", c->cpus);
	arg(a, "-m");
	arg(a, "%lluM", c->mem_mib);
	arg(a, "-object");
	arg(a, "memory-backend-memfd,id=mem,size=%lluM,share=on", c->mem_mib);
	arg(a, "-nodefaults");
	arg(a, "-no-user-config");
	arg(a, "-display");
	arg(a, "none");
	arg(a, "-no-reboot");
	arg(a, "-global");
	arg(a, "virtio-mmio.force-legacy=false");
	arg(a, "-kernel");
	arg(a, "%s", c->kernel);
	arg(a, "-initrd");
	arg(a, "/proc/self/fd/%d/%s", dirfd, HULL_VM_INITRD);
	arg(a, "-append");
	{
		char tsc[48] = "";
		if (khz)
			snprintf(tsc, sizeof(tsc), " tsc_early_khz=%lu", khz);
		arg(a, "%s panic=-1 reboot=t rdinit=/init%s%s%s",
		    c->debug ? "console=hvc0 loglevel=7" : "quiet loglevel=1", tsc,
		    c->extra_cmdline ? " " : "", c->extra_cmdline ? c->extra_cmdline : "");
	}
	arg(a, "-chardev");
	arg(a, "socket,id=fs,path=/proc/self/fd/%d/%s", dirfd, HULL_VM_FS);
	arg(a, "-device");
	arg(a, "vhost-user-fs-device,chardev=fs,tag=hullroot");
	arg(a, "-device");
	arg(a, "virtio-serial-device");
	if (stdio_ports(a, err) < 0)
		return -1;
	arg(a, "-chardev");
	arg(a, "file,id=st,path=/proc/self/fd/%d/%s", dirfd, HULL_VM_STATUS);
	arg(a, "-device");
	arg(a, "virtserialport,chardev=st,name=hull.status");
	arg(a, "-chardev");
	arg(a, "socket,id=ctl,path=/proc/self/fd/%d/%s,server=on,wait=off", dirfd, HULL_VM_CTL);
	arg(a, "-device");
	arg(a, "virtserialport,chardev=ctl,name=hull.ctl");
	if (c->debug) {
		int fd = fcntl(2, F_DUPFD, 3);
		arg(a, "-add-fd");
		arg(a, "fd=%d,set=4", fd);
		arg(a, "-chardev");
		arg(a, "file,id=con,path=/dev/fdset/4,append=on");
		arg(a, "-device");
		arg(a, "virtconsole,chardev=con");
	}
	return 0;
}

/* The container's network namespace, handed over to the guest (net.c). */
static int net_args(int dirfd, struct argv *a, struct hull_err *err)
{
	struct hull_vm_net net;
	if (hull_vm_net_attach(dirfd, &net, err) < 0)
		return -1;
	for (size_t i = 0; i < net.n_args; i++)
		arg(a, "%s", net.args[i]);
	hull_vm_net_free(&net);
	return 0;
}

/* The exec ports (vm/exec.c) and, with a terminal, the port of its relay (hull.console). */
static int session_ports(struct argv *a, int dirfd, int con_slave, struct hull_err *err)
{
	for (int i = 0; i < HULL_VM_EXEC_PORTS; i++) {
		arg(a, "-chardev");
		arg(a,
		    "socket,id=ex%d,path=/proc/self/fd/%d/" HULL_VM_EXEC_SOCK ",server=on,wait=off",
		    i, dirfd, i);
		arg(a, "-device");
		arg(a, "virtserialport,chardev=ex%d,name=hull.exec%d", i, i);
	}
	if (con_slave >= 0) {
		int fd = hull_vm_console_relay(con_slave, err);
		if (fd < 0)
			return -1;
		arg(a, "-chardev");
		arg(a, "socket,id=con0,fd=%d", fd);
		arg(a, "-device");
		arg(a, "virtserialport,chardev=con0,name=" HULL_VM_CONSOLE_PORT);
	}
	return 0;
}

/* virtiofsd on the rootfs as this mount namespace shows it; it serves one QEMU and exits when
 * QEMU goes away. */
static int start_virtiofsd(const struct hull_init_ctx *ctx, const struct hull_vm_config *c,
			   int dirfd, struct hull_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int lfd = -1;
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, HULL_VM_FS);
	unlink(sa.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0)
		return hull_error(err, errno, "virtiofsd socket in the state directory");
	pid = fork();
	if (pid < 0)
		return hull_error(err, errno, "fork virtiofsd");
	if (pid == 0) {
		char fdarg[32];
		cleanup_free char *src = hull_strfmt("source=%s", ctx->rootfs);
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
	struct argv a = {0};
	cleanup_free char *dir = NULL;
	int dirfd, con_slave = -1;

	if (hull_vm_config_resolve(ctx->spec, &c, &err) < 0 ||
	    (ctx->spec->process->terminal && hull_vm_console_open(ctx, &con_slave, &err) < 0))
		hull_init_fail(ctx, &err);
	if (hull_init_ready_wait(ctx) < 0)
		_exit(1);
	/* closed at once: `start` returns without waiting for QEMU's exec, and the helpers
	 * forked below (virtiofsd, relays) cannot keep it waiting */
	if (ctx->fifo_fd >= 0)
		close(ctx->fifo_fd);
	/* from here on errors are the workload's, reported on its stderr as in container mode */
	dir = hull_state_dir(ctx->opts->root, ctx->opts->id);
	dirfd = open(dir, O_PATH | O_DIRECTORY); /* QEMU names its files through it */
	if (dirfd < 0) {
		hull_error(&err, errno, "open `%s`", dir);
		goto fail;
	}
	if (hull_hooks_run(&ctx->spec->hooks.start_container, "startContainer", state_json, &err) <
		    0 ||
	    qemu_argv(&c, dirfd, &a, &err) < 0 || net_args(dirfd, &a, &err) < 0 ||
	    session_ports(&a, dirfd, con_slave, &err) < 0 ||
	    start_virtiofsd(ctx, &c, dirfd, &err) < 0)
		goto fail;
	{
		char fdenv[32];
		cleanup_free char *pre = hull_strfmt("LD_PRELOAD=%s", c.preload);
		char *env[] = {pre, fdenv, "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
		snprintf(fdenv, sizeof(fdenv), "HULL_VM_STATE_FD=%d", dirfd);
		execve(c.qemu, a.v, env);
		hull_error(&err, errno, "exec `%s`", c.qemu);
	}
fail:
	dprintf(2, "hull-oci: %s\n", err.msg);
	_exit(HULL_EXIT_NOT_FOUND);
}
