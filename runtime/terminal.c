/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lib/pathres.h"
#include "lib/tty.h"
#include "lib/util.h"
#include "runtime/sync.h"

/* Bind the pty slave over the /dev/console placeholder (devices.c made it an empty file).
 * Both ends go by fd: a name under /dev/pts or /dev/console that is a symlink planted by the
 * image could otherwise put a file such as /proc/sysrq-trigger behind the console
 * (CVE-2025-52565). */
static int bind_console(int slave, struct hull_err *err)
{
	cleanup_close int target = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char src[HULL_FD_PATH_MAX], dst[HULL_FD_PATH_MAX];
	struct stat st;

	if (target < 0)
		return hull_error(err, errno, "open /dev/console");
	if (fstat(target, &st) < 0 || !S_ISREG(st.st_mode))
		return hull_error(err, EPERM, "/dev/console is not the file the runtime made");
	hull_fd_path(slave, src);
	hull_fd_path(target, dst);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return hull_error(err, errno, "bind mount the pty on /dev/console");
	return 0;
}

int hull_terminal_setup(int console_sock, const struct hull_terminal_opts *o, struct hull_err *err)
{
	cleanup_close int master = -1;
	struct stat st;
	int slave;
	char name[64];

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return hull_error(err, errno, "open /dev/ptmx (is devpts mounted on /dev/pts?)");
	if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
		return hull_error(err, errno, "set up the pty");
	/* the peer of this master, whatever /dev/pts/N names in the container */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return hull_error(err, errno, "open pty `%s`", name);
	if (fstat(slave, &st) < 0 || !S_ISCHR(st.st_mode) || !isatty(slave)) {
		close(slave);
		return hull_error(err, EPERM, "pty `%s` is not a terminal", name);
	}
	if (fchown(slave, o->owner, (gid_t)-1) < 0) {
		int e = errno;
		close(slave);
		return hull_error(err, e, "give pty `%s` to uid %u", name, (unsigned)o->owner);
	}
	if (o->rows && o->cols) {
		struct winsize ws = {.ws_row = (unsigned short)o->rows,
				     .ws_col = (unsigned short)o->cols};
		ioctl(slave, TIOCSWINSZ, &ws);
	}
	if (o->plain_newlines) {
		struct termios t;
		/* before the master leaves: nothing the workload writes is translated */
		if (tcgetattr(slave, &t) == 0) {
			t.c_oflag &= ~(tcflag_t)ONLCR;
			tcsetattr(slave, TCSANOW, &t);
		}
	}
	if (o->console && bind_console(slave, err) < 0) {
		close(slave);
		return -1;
	}
	if (hull_send_fd(console_sock, master, name, err) < 0) {
		close(slave);
		return -1;
	}
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
		int e = errno;
		close(slave);
		return hull_error(err, e, "make the pty the controlling terminal");
	}
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) {
		int e = errno;
		close(slave);
		return hull_error(err, e, "make the pty stdio");
	}
	if (slave > 2)
		close(slave);
	return 0;
}

struct hull_tty_proxy {
	int master;
	struct hull_tty_mode mode; /* our stdin's, raw while we relay */
	bool in_eof;
};

struct hull_tty_proxy *hull_tty_proxy_start(int master, struct hull_err *err)
{
	struct hull_tty_proxy *p = xzalloc(sizeof(*p));
	p->master = master;
	hull_tty_raw(0, true, &p->mode);
	hull_tty_proxy_resize(p);
	return p;
}

void hull_tty_proxy_resize(struct hull_tty_proxy *p)
{
	struct winsize ws;
	if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(p->master, TIOCSWINSZ, &ws);
}

int hull_tty_proxy_pump(struct hull_tty_proxy *p, int timeout_ms)
{
	struct pollfd fds[2] = {{p->master, POLLIN, 0}, {0, POLLIN, 0}};
	char buf[8192];
	ssize_t n;
	int r = poll(fds, p->in_eof ? 1 : 2, timeout_ms);

	if (r <= 0)
		return 0;
	if (fds[0].revents & POLLIN) {
		n = read(p->master, buf, sizeof(buf));
		if (n > 0)
			hull_write_all(1, buf, (size_t)n);
		else if (n == 0 || errno != EINTR)
			return 1;
	} else if (fds[0].revents & (POLLHUP | POLLERR)) {
		return 1;
	}
	if (!p->in_eof && (fds[1].revents & (POLLIN | POLLHUP))) {
		n = read(0, buf, sizeof(buf));
		if (n > 0) {
			hull_write_all(p->master, buf, (size_t)n);
		} else if (n == 0) {
			/* pass EOF on as the terminal's EOF character */
			p->in_eof = true;
			hull_write_all(p->master, "\004", 1);
		}
	}
	return 0;
}

void hull_tty_proxy_stop(struct hull_tty_proxy *p)
{
	if (!p)
		return;
	hull_tty_restore(0, &p->mode);
	free(p);
}

int hull_console_connect(const char *path, struct hull_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;
	if (strlen(path) >= sizeof(sa.sun_path))
		return hull_error(err, ENAMETOOLONG, "console socket path `%s`", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hull_error(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return hull_error(err, e, "connect to console socket `%s`", path);
	}
	return fd;
}
