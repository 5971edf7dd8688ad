/* SPDX-License-Identifier: Apache-2.0 */
/* One raw mode for the three places that relay a pty: the runtime's foreground terminal
 * proxy, the monitor attached to a terminal, and the VM's exec pty (whose guest side cooks). */
#include "lib/tty.h"

#include <unistd.h>

bool hull_tty_raw(int fd, bool keep_opost, struct hull_tty_mode *m)
{
	struct termios t, saved;

	if (m)
		m->raw = false;
	if (!isatty(fd) || tcgetattr(fd, &saved) < 0)
		return false;
	t = saved;
	cfmakeraw(&t);
	if (keep_opost)
		t.c_oflag |= OPOST;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return false;
	if (m) {
		m->saved = saved;
		m->raw = true;
	}
	return true;
}

void hull_tty_restore(int fd, struct hull_tty_mode *m)
{
	if (m && m->raw) {
		tcsetattr(fd, TCSANOW, &m->saved);
		m->raw = false;
	}
}
