/* SPDX-License-Identifier: Apache-2.0 */
/* hull inspect: containers and images as JSON objects, printed as an array or through
 * --format. */
#ifndef HULL_CMD_INSPECT_H
#define HULL_CMD_INSPECT_H

#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "engine/ctr.h"
#include "engine/ops.h"

/* docker's word for a container's state: created, running, paused, restarting, exited. */
const char *docker_state(const struct hull_ctr *c, enum hull_status s);

/* One container's inspect object (inspect_ctr.c). */
char *inspect_container_json(const struct hull_engine *e, const struct hull_ctr *c);

/* One image's inspect object, or NULL with err (images.c). */
char *inspect_image_json(const struct hull_globals *g, const char *ref, struct hull_err *err);

/* One network's inspect object, or NULL with err (network.c). */
char *inspect_network_json(const struct hull_engine *e, const char *ref, struct hull_err *err);

#endif
