/* SPDX-License-Identifier: Apache-2.0 */
/* The host end of the control channel (the hull.ctl port; QEMU listens on vm-ctl.sock in the
 * state directory): one request per connection, answered by the guest init
 * (vm/proto/control.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/state.h"
#include "vm/host/host.h"
#include "vm/proto/control.h"

/* A guest still booting answers once its init runs: allow for a slow (TCG) boot. */
#define REPLY_TIMEOUT_MS   60000
#define CONNECT_TIMEOUT_MS 10000

int hull_vm_connect(int dirfd, const char *name, pid_t vmm, long timeout_ms, struct hull_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	/* through the directory fd: the state root may be longer than a socket path can be */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, name);
	for (long waited = 0;; waited += 50) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e;
		if (fd < 0)
			return hull_error(err, errno, "socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		e = errno;
		close(fd);
		/* QEMU makes its sockets as it starts: right after start they may not be there */
		if ((e != ENOENT && e != ECONNREFUSED) || waited >= timeout_ms || kill(vmm, 0) < 0)
			return hull_error(err, e, "connect to the VM's channel `%s`", name);
		usleep(50000);
	}
}

static int request(const char *root, const char *id, pid_t vmm, const char *req, char *reply,
		   size_t size, struct hull_err *err)
{
	cleanup_free char *dir = hull_state_dir(root, id);
	cleanup_close int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	size_t got = 0;

	if (dirfd < 0)
		return hull_error(err, errno, "open `%s`", dir);
	fd = hull_vm_connect(dirfd, HULL_VM_CTL, vmm, CONNECT_TIMEOUT_MS, err);
	if (fd < 0)
		return hull_error_wrap(err, "the control channel of `%s`", dir);
	if (hull_write_all(fd, req, strlen(req)) < 0)
		return hull_error(err, errno, "write to the VM's control channel");
	while (got < size - 1) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;
		int r = poll(&p, 1, REPLY_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return hull_error(err, r < 0 ? errno : ETIMEDOUT,
					  "no answer from the guest on the control channel");
		n = read(fd, reply + got, size - 1 - got);
		if (n <= 0)
			return hull_error(err, n < 0 ? errno : ECONNRESET,
					  "the VM closed its control channel");
		got += (size_t)n;
		reply[got] = 0;
		if (strchr(reply, '\n'))
			return 0;
	}
	return hull_error(err, EPROTO, "an overlong answer on the VM's control channel");
}

int hull_vm_ctl(const char *root, const char *id, pid_t vmm, const char *req, struct hull_err *err)
{
	char reply[HULL_CTL_MAX];
	int e = 0;

	if (request(root, id, vmm, req, reply, sizeof(reply), err) < 0)
		return -1;
	switch (hull_ctl_reply_parse(reply, &e)) {
	case 0:
		return 0;
	case -1:
		return hull_error(err, e, "in the VM");
	default:
		return hull_error(err, EPROTO, "unexpected answer from the guest: %s", reply);
	}
}

int hull_vm_kill(const char *root, const char *id, pid_t pid, bool running, int sig, bool all,
		 struct hull_err *err)
{
	char req[HULL_CTL_MAX], reply[HULL_CTL_MAX];
	int e = 0;

	/* SIGKILL cannot wait for a guest that may be wedged; before start there is no guest */
	if (sig == SIGKILL || !running) {
		if (kill(pid, sig) < 0)
			return hull_error(err, errno, "kill: container `%s` (pid %d)", id, pid);
		return 0;
	}
	hull_ctl_kill_format(req, sizeof(req), sig, all);
	if (request(root, id, pid, req, reply, sizeof(reply), err) < 0)
		return hull_error_wrap(err, "kill: container `%s`", id);
	switch (hull_ctl_reply_parse(reply, &e)) {
	case 0:
		return 0;
	case -1:
		return hull_error(err, e, "kill: signal %d in the VM of container `%s`", sig, id);
	default:
		break;
	}
	return hull_error(err, EPROTO, "kill: unexpected answer from the guest: %s", reply);
}
