/* A container's network (net.c): none, the host's, or hull's bridge network through CNI. */
#ifndef HULL_ENGINE_NET_H
#define HULL_ENGINE_NET_H

#include <stdbool.h>

#include "engine/ctr.h"
#include "lib/err.h"

/* Check a --network value and the -p list that goes with it. */
int hull_net_check(const char *network, char *const *publish, struct hull_err *err);
/* Whether a container of that network mode gets a namespace made for it before it starts. */
bool hull_net_needs_netns(const char *network);
/* <runroot>/.netns/<id> (dot names are no container's), malloc'd */
char *hull_net_netns_path(const struct hull_engine *e, const char *id);
/* Before the container starts: its namespace, on the bridge, ports published; c->ip set and
 * the CNI result kept in the container's directory.  Nothing is left on failure. */
int hull_net_up(const struct hull_engine *e, struct hull_ctr *c, struct hull_err *err);
/* After it stopped (each clean-up calls this; a second time does nothing). */
int hull_net_down(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err);

#endif
