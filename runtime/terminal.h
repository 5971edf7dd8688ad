/* SPDX-License-Identifier: Apache-2.0 */
/* The container's terminal: a pty made inside it, its master handed to the caller. */
#ifndef HULL_TERMINAL_H
#define HULL_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"

/* Connect to the caller's --console-socket (create and exec hand the pty master there). */
int hull_console_connect(const char *path, struct hull_err *err);

/* In the container after pivot_root: open a pty on its own devpts, bind the slave on
 * /dev/console (when console is set: the init's terminal, not an exec's), send the master over
 * console_sock, make the slave the controlling terminal and stdio. */
struct hull_terminal_opts {
	unsigned int rows, cols; /* the initial size; 0: the pty's default */
	bool console;		 /* bind it on /dev/console */
	/* hull-oci's foreground proxy, never a caller's --console-socket: the pty does not turn
	 * "\n" into "\r\n", as runc's: what `run`/`exec -t` print is the workload's lines,
	 * piped or not; the caller's own terminal adds the "\r" (hull_tty_proxy_start keeps
	 * OPOST) */
	bool plain_newlines;
	/* the process's uid owns its terminal (the group stays devpts' gid= one), as with
	 * runc: screen, tmux, mesg and write refuse a terminal that is not the user's */
	uid_t owner;
};
int hull_terminal_setup(int console_sock, const struct hull_terminal_opts *o, struct hull_err *err);

/* In the runtime (run in the foreground without --console-socket): copy between our stdio
 * and the master until the container side hangs up.  Puts our terminal in raw mode while it
 * runs and passes window size changes on. */
struct hull_tty_proxy;
struct hull_tty_proxy *hull_tty_proxy_start(int master, struct hull_err *err);
/* One pass of the copy loop; returns 0 to continue, 1 when the pty hung up. */
int hull_tty_proxy_pump(struct hull_tty_proxy *p, int timeout_ms);
void hull_tty_proxy_resize(struct hull_tty_proxy *p);
void hull_tty_proxy_stop(struct hull_tty_proxy *p);

#endif
