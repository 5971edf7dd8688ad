/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hull's guest init: PID 1 of the microVM.  It loads the virtio modules, finds the ports the
 * host made, mounts the container's root (virtio-fs) and the spec's kernel file systems,
 * switches into the root, runs the workload (workload.c) and reports its exit status to the
 * host before powering off.  Every failure before the workload runs comes up to main as a
 * struct hull_err, is written to the workload's stderr and reported as status 125.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vm/guest/guest.h"
#include "vm/proto/names.h"
#include "vm/proto/records.h"
#include "vm/proto/status.h"

#define CONFIG_PATH	    "/" HULL_GUEST_CONFIG
#define NET_PATH	    "/" HULL_GUEST_NET
#define MODULES_PATH	    "/" HULL_GUEST_MODULES
#define STATUS_SETUP_FAILED HULL_EXIT_ERROR

int guest_log_fd = -1;

void guest_log(const char *fmt, ...)
{
	char buf[1024];
	int n;
	va_list ap;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (guest_log_fd < 0)
		guest_log_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (guest_log_fd >= 0 &&
	    write(guest_log_fd, GUEST_LOG_PREFIX, strlen(GUEST_LOG_PREFIX)) > 0)
		(void)!write(guest_log_fd, buf, (size_t)n);
}

static void msleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static bool has_acpi; /* else no power-off: reboot=t with QEMU's -no-reboot ends the VM */

__attribute__((noreturn)) static void power_off(void)
{
	guest_write_back();
	if (has_acpi)
		reboot(RB_POWER_OFF);
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

static void report(int status_fd, int status, int signo)
{
	char line[HULL_STATUS_MAX];
	int n = hull_status_format(line, sizeof(line) - 1, status, signo);
	line[n++] = '\n';
	/* a blocking write to a virtio port returns once the host has taken the data */
	if (status_fd < 0 || write(status_fd, line, (size_t)n) != n)
		guest_log("cannot report the exit status %d: %s", status, strerror(errno));
}

static int load_modules(struct hull_err *err)
{
	char line[256];
	FILE *f = fopen(MODULES_PATH, "re");
	if (!f)
		return 0; /* a kernel with the drivers built in: no list, or an empty one */
	while (fgets(line, sizeof(line), f)) {
		int fd;
		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		fd = open(line, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)) {
			hull_error(err, errno, "load module %s", line);
			if (fd >= 0)
				close(fd);
			fclose(f);
			return -1;
		}
		close(fd);
	}
	fclose(f);
	return 0;
}

/* The ports found so far, device (vportNpM) and name: one pass over sysfs finds them all
 * rather than one pass per port. */
static struct {
	char dev[32], name[64];
} ports[64];
static size_t n_ports;

static void scan_ports(void)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *de;

	while (d && (de = readdir(d)) && n_ports < sizeof(ports) / sizeof(ports[0])) {
		char path[300], buf[64] = {0};
		bool known = false;
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(ports[0].dev))
			continue;
		for (size_t i = 0; i < n_ports && !known; i++)
			known = !strcmp(ports[i].dev, de->d_name);
		if (known)
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue; /* not named yet: the next scan */
		buf[strcspn(buf, "\n")] = 0;
		snprintf(ports[n_ports].dev, sizeof(ports[0].dev), "%s", de->d_name);
		snprintf(ports[n_ports].name, sizeof(ports[0].name), "%s", buf);
		n_ports++;
	}
	if (d)
		closedir(d);
}

static const char *port_dev(const char *name)
{
	for (size_t i = 0; i < n_ports; i++)
		if (!strcmp(ports[i].name, name))
			return ports[i].dev;
	return NULL;
}

/* Ports appear asynchronously once the host has announced them: look them up by name. */
static int open_port(const char *name, int flags, struct hull_err *err)
{
	for (int tries = 0; tries < 1000; tries++) {
		const char *dev = port_dev(name);
		char path[64];
		int fd;

		if (!dev) {
			scan_ports();
			dev = port_dev(name);
		}
		if (!dev) {
			msleep(10);
			continue;
		}
		snprintf(path, sizeof(path), "/dev/%s", dev);
		fd = open(path, flags | O_CLOEXEC);
		if (fd < 0)
			return hull_error(err, errno, "open port %s (%s)", name, path);
		return fd;
	}
	return hull_error(err, ENODEV, "no virtio-serial port named %s", name);
}

/* The ports every VM has.  All are opened even when one fails, so that the reason reaches the
 * workload's stderr when that port is there; err says the first failure. */
static int open_ports(struct guest_ports *p, struct hull_err *err)
{
	const struct {
		int *fd;
		const char *name;
		int flags;
	} want[] = {
		{&p->status, HULL_PORT_STATUS, O_WRONLY},
		{&p->err, HULL_PORT_STDERR, O_WRONLY},
		{&p->out, HULL_PORT_STDOUT, O_WRONLY},
		{&p->in, HULL_PORT_STDIN, O_RDONLY},
		{&p->ctl, HULL_PORT_CTL, O_RDWR | O_NONBLOCK},
	};
	int ret = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct hull_err later;
		*want[i].fd = open_port(want[i].name, want[i].flags, ret < 0 ? &later : err);
		if (*want[i].fd < 0)
			ret = -1;
	}
	if (p->err >= 0)
		guest_log_fd = p->err;
	return ret;
}

/* Every page the guest reads from its root is a FUSE request through virtiofsd; FUSE asks for
 * 128 KiB of readahead, so loading a 2 MiB binary takes 16 round trips.  A larger window (FUSE
 * splits it by the request size virtiofsd allows, 1 MiB) cuts the exec of the workload, and
 * any sequential read, to a few. */
#define ROOT_READAHEAD_KB "1024"

static void readahead_up(const char *mnt)
{
	struct stat st;
	char path[64];
	int fd;

	if (stat(mnt, &st) < 0)
		return;
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb", major(st.st_dev),
		 minor(st.st_dev));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, ROOT_READAHEAD_KB, strlen(ROOT_READAHEAD_KB)) < 0)
		guest_log("raise the root's readahead (%s): %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static int mount_root(const struct guest_config *c, struct hull_err *err)
{
	int tries;

	/* the virtio-fs device registers shortly after its module loads */
	for (tries = 0; tries < 500; tries++) {
		if (mount(HULL_FS_TAG, "/root", "virtiofs", 0, NULL) == 0)
			break;
		if (errno != ENODEV && errno != ENOENT && errno != EINVAL)
			break;
		msleep(10);
	}
	if (tries == 500 || errno == EPERM)
		return hull_error(err, errno, "mount the container's root (virtio-fs tag %s)",
				  HULL_FS_TAG);
	readahead_up("/root");
	if (chdir("/root") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		return hull_error(err, errno, "switch to the container's root");
	if (guest_mounts_apply(c, false, err) < 0)
		return -1;
	/* not worth failing the container for */
	if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
		guest_log("set hostname `%s`: %s", c->hostname, strerror(errno));
	if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0)
		guest_log("set domainname `%s`: %s", c->domainname, strerror(errno));
	return 0;
}

/* The exec ports, and the terminal's when the process has one (vm/README.md).  An exec port
 * that is missing only means no exec there; a missing terminal fails the workload's start. */
static void open_session_ports(const struct guest_config *c, struct guest_ports *p)
{
	struct hull_err err;

	p->n_exec = c->pod_ports ? (int)c->pod_ports : HULL_VM_EXEC_PORTS;
	for (int i = 0; i < p->n_exec; i++) {
		char name[32];
		snprintf(name, sizeof(name), HULL_PORT_EXEC_FMT, i);
		p->exec[i] = open_port(name, O_RDWR | O_NONBLOCK, &err);
		if (p->exec[i] < 0)
			guest_log("%s", err.msg);
	}
	if (c->terminal)
		p->console = open_port(HULL_PORT_CONSOLE, O_RDWR | O_NONBLOCK, &err);
}

/* Everything before the workload runs: -1 with err filled (status 125). */
static int setup(struct guest_ports *p, struct guest_config *c, struct hull_err *err)
{
	if (load_modules(err) < 0 || open_ports(p, err) < 0 ||
	    guest_config_load(CONFIG_PATH, NET_PATH, c, err) < 0 || guest_net_setup(c, err) < 0)
		return -1;
	open_session_ports(c, p);
	if (c->pod_ports && guest_pod_init(err) < 0)
		return -1;
	return mount_root(c, err);
}

int main(void)
{
	struct guest_ports p = {-1, -1, -1, -1, -1, -1, {0}, 0};
	struct guest_config c;
	struct hull_err err = {0};
	int status, signo = 0;

	if (getpid() != 1)
		return 1;
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL);
	guest_writeback_prepare();
	has_acpi = access("/sys/firmware/acpi", F_OK) == 0;
	/* no console: fds 0-2 must not be taken by the first files we open */
	for (int fd = open("/dev/null", O_RDWR); fd >= 0 && fd < 3; fd = open("/dev/null", O_RDWR))
		;
	/* the one place the init's failures are told and their status picked */
	if (setup(&p, &c, &err) < 0 || (status = guest_run(&c, &p, &signo, &err)) < 0) {
		guest_log("%s", err.msg);
		status = STATUS_SETUP_FAILED;
		signo = 0;
	}
	report(p.status, status, signo);
	power_off();
}
