/* SPDX-License-Identifier: Apache-2.0 */
/* A process run in the foreground (run, exec): our signals go to it, its terminal is
 * proxied, and its end becomes our exit status. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>

#include "lib/util.h"
#include "runtime/foreground.h"
#include "runtime/terminal.h"

static volatile sig_atomic_t fwd_pid;
static volatile sig_atomic_t got_winch;

static void forward(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	if (fwd_pid > 0)
		kill((pid_t)fwd_pid, sig);
}

static const int forwarded[] = {SIGHUP,	 SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
				SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP, SIGPIPE};

void hull_forward_signals(pid_t pid)
{
	struct sigaction sa = {.sa_handler = pid > 0 ? forward : SIG_DFL, .sa_flags = SA_RESTART};
	size_t i;

	sigemptyset(&sa.sa_mask);
	fwd_pid = pid;
	for (i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &sa, NULL);
}

int hull_foreground_wait(pid_t pid, struct hull_tty_proxy *tty)
{
	int status;
	for (;;) {
		pid_t r;
		if (tty) {
			if (got_winch) {
				got_winch = 0;
				hull_tty_proxy_resize(tty);
			}
			r = waitpid(pid, &status, WNOHANG);
			if (r == 0) {
				if (hull_tty_proxy_pump(tty, 100) == 1) {
					hull_tty_proxy_stop(tty);
					tty = NULL;
				}
				continue;
			}
		} else {
			r = waitpid(pid, &status, 0);
		}
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return 255;
	}
	if (tty) {
		/* drain what the workload wrote last */
		while (hull_tty_proxy_pump(tty, 0) == 0)
			;
		hull_tty_proxy_stop(tty);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}
