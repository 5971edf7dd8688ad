/* SPDX-License-Identifier: Apache-2.0 */
/* Network interfaces of the host that hull's networks own (link.c). */
#ifndef HULL_NETWORK_LINK_H
#define HULL_NETWORK_LINK_H

#include "lib/err.h"

/* Delete the interface (a network's bridge when the network goes); one that is not there is
 * no error. */
int hull_link_delete(const char *name, struct hull_err *err);

#endif
