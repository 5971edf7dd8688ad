/* SPDX-License-Identifier: Apache-2.0 */
/* Each layer's progress of a pull or push on standard error, as docker shows it: on a
 * terminal one line per layer redrawn in place (state, bar, bytes, rate); otherwise a plain
 * line per change of state. */
#ifndef HULL_CMD_XFERVIEW_H
#define HULL_CMD_XFERVIEW_H

#include <stdbool.h>

#include "image/xfer.h"

/* Fill x to report; push chooses a push's words. */
void xferview_attach(struct hull_xfer *x, bool push);
/* The last redraw; forget the layers. */
void xferview_done(void);

#endif
