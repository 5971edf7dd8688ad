/* SPDX-License-Identifier: Apache-2.0 */
/* `hull-oci run` of a VM container in the foreground: the signals run receives go to the
 * workload over the control channel (sent to QEMU they would just end the VM). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "runtime/terminal.h"
#include "vm/host/host.h"

static const int forwarded[] = {SIGHUP,	 SIGINT,  SIGQUIT, SIGTERM, SIGUSR1,
				SIGUSR2, SIGCONT, SIGTSTP, SIGPIPE, SIGWINCH};

int hull_vm_foreground_wait(const char *root, const char *id, pid_t pid, struct hull_tty_proxy *tty)
{
	sigset_t set, old;
	int sfd, pfd, status = 0;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	/* the VMM's pidfd turns readable when it exits: no polling interval added to each run */
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd p[2] = {{sfd, POLLIN, 0}, {pfd, POLLIN, 0}};
		struct signalfd_siginfo si;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			status = 255 << 8;
			break;
		}
		/* SIGCHLD is not ours to catch here: without a pidfd, look at the child a few
		 * times a second */
		if (tty) {
			if (hull_tty_proxy_pump(tty, 100) == 1) {
				hull_tty_proxy_stop(tty);
				tty = NULL;
			}
		} else {
			poll(p, 2, pfd >= 0 ? -1 : 200);
		}
		while (sfd >= 0 && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			struct hull_err err = {0};
			if (si.ssi_signo == SIGWINCH) {
				/* the terminal's relay passes the new size on to the guest */
				if (tty)
					hull_tty_proxy_resize(tty);
			} else if (hull_vm_kill(root, id, pid, true, (int)si.ssi_signo, false,
						&err) < 0) {
				hull_warn("%s", err.msg);
			}
		}
	}
	if (tty) {
		/* the relay writes the last output and closes the pty once QEMU is gone */
		while (hull_tty_proxy_pump(tty, 100) == 0)
			;
		hull_tty_proxy_stop(tty);
	}
	if (pfd >= 0)
		close(pfd);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}
