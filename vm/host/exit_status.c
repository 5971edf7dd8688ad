/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hull-vm-exit.so, preloaded into QEMU: QEMU cannot exit with an arbitrary status, but the
 * container's pid is QEMU's and its exit status must be the workload's.  The guest init writes
 * "exit N" or "signal N" to the hull.status port, which QEMU stores in the state directory;
 * when QEMU exits (after its own clean-up, this being the last destructor to run) this turns
 * that into QEMU's own status: _exit(N), or death by signal N.  Without a report (the guest
 * crashed, QEMU failed) QEMU's status stands.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "vm/host/preload.h"
#include "vm/proto/status.h"

static int state_fd = -1;

__attribute__((constructor)) static void hull_vm_exit_init(void)
{
	const char *v = getenv(HULL_VM_STATE_FD_ENV);
	if (v)
		state_fd = atoi(v);
	/* nothing QEMU starts should inherit these */
	unsetenv(HULL_VM_STATE_FD_ENV);
	unsetenv("LD_PRELOAD");
}

__attribute__((destructor)) static void hull_vm_exit_fini(void)
{
	char buf[HULL_STATUS_MAX] = {0};
	enum hull_status_kind kind;
	int fd, n = -1;
	ssize_t len;

	if (state_fd < 0)
		return;
	fd = openat(state_fd, HULL_VM_STATUS, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return;
	kind = hull_status_parse(buf, &n);
	if (kind == HULL_STATUS_EXITED && n >= 0 && n <= 255)
		_exit(n);
	if (kind == HULL_STATUS_SIGNALED && n > 0 && n < NSIG) {
		struct rlimit none = {0, 0};
		sigset_t set;
		/* die the way the workload died, without a core of QEMU */
		setrlimit(RLIMIT_CORE, &none);
		signal(n, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, n);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), n);
		_exit(128 + n);
	}
}
