/* SPDX-License-Identifier: Apache-2.0 */
/* Raw mode for a terminal hull relays a container's pty through. */
#ifndef HULL_TTY_H
#define HULL_TTY_H

#include <stdbool.h>
#include <termios.h>

struct hull_tty_mode {
	struct termios saved;
	bool raw; /* set by hull_tty_raw: restore puts saved back */
};

/* Put the terminal fd in raw mode, keeping output post-processing when keep_opost (our own
 * output stays readable while our side relays), and remember its mode in m (may be NULL).
 * false, with nothing changed, when fd is not a terminal or refuses the change. */
bool hull_tty_raw(int fd, bool keep_opost, struct hull_tty_mode *m);

/* Undo hull_tty_raw (nothing when it did not change fd). */
void hull_tty_restore(int fd, struct hull_tty_mode *m);

#endif
