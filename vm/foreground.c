/* `hull-oci run` of a VM container in the foreground: the signals run receives go to the
 * workload over the control channel (sent to QEMU they would just end the VM). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/log.h"
#include "runtime/util.h"
#include "vm.h"

static const int forwarded[] = {SIGHUP,	 SIGINT,  SIGQUIT, SIGTERM, SIGUSR1,
				SIGUSR2, SIGCONT, SIGTSTP, SIGPIPE};

int hull_vm_foreground_wait(const char *root, const char *id, pid_t pid)
{
	sigset_t set, old;
	int sfd, pfd, status = 0;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	/* the VMM's pidfd turns readable when it exits: no polling interval added to each run */
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd p[2] = {{sfd, POLLIN, 0}, {pfd, POLLIN, 0}};
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			status = 255 << 8;
			break;
		}
		/* without a pidfd, SIGCHLD is not ours to catch: look a few times a second */
		if (poll(p, 2, pfd >= 0 ? -1 : 200) > 0 && (p[0].revents & POLLIN)) {
			struct signalfd_siginfo si;
			struct hull_err err = {0};
			if (read(sfd, &si, sizeof(si)) == sizeof(si) &&
			    hull_vm_kill(root, id, pid, true, (int)si.ssi_signo, false, &err) < 0)
				hull_warn("%s", err.msg);
		}
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
