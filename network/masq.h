/* SPDX-License-Identifier: Apache-2.0 */
/* A bridge network's way out: one masquerade rule per network, as docker and netavark set it,
 * not one per container as CNI's bridge plugin would (masq.c). */
#ifndef HULL_NETWORK_MASQ_H
#define HULL_NETWORK_MASQ_H

#include "lib/err.h"
#include "network/netrecord.h"

/* The rule for n (nothing for an internal network), set once: <state_dir>/masq/<name>
 * records that it is in place, so a container's start costs one stat.  state_dir is the
 * runtime root's CNI state (volatile, like the rules themselves). */
int hull_masq_ensure(const char *state_dir, const struct hull_network *n, struct hull_err *err);
/* Take n's rule away (the network is being removed); none there is no error. */
int hull_masq_remove(const char *state_dir, const struct hull_network *n, struct hull_err *err);

#endif
