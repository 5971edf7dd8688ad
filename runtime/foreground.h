/* SPDX-License-Identifier: Apache-2.0 */
/* A process run in the foreground (run, exec), for the runtime and its levels: our signals
 * go to it, its terminal is proxied, and its end becomes our exit status. */
#ifndef HULL_FOREGROUND_H
#define HULL_FOREGROUND_H

#include <sys/types.h>

struct hull_tty_proxy;

/* Forward our catchable signals to pid (0: stop forwarding). */
void hull_forward_signals(pid_t pid);
/* Wait for our child pid, pumping tty (if not NULL, it is stopped at the end); returns its
 * exit code, or 128+N when killed by signal N. */
int hull_foreground_wait(pid_t pid, struct hull_tty_proxy *tty);

#endif
