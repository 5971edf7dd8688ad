/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor's side of the attach socket (engine/attach.h): engine-internal. */
#ifndef HULL_ENGINE_ATTACH_SERVER_H
#define HULL_ENGINE_ATTACH_SERVER_H

#include <stddef.h>

#include "engine/attach.h"
#include "engine/ctr.h"
#include "lib/err.h"

#define HULL_ATTACH_MAX_CLIENTS 16

struct hull_attach_srv {
	int lfd;   /* listening, -1: none */
	int dirfd; /* the container directory the socket is in */
	int clients[HULL_ATTACH_MAX_CLIENTS];
	size_t n;
};

/* Listen on <container dir>/attach (a stale socket there is replaced). */
int hull_attach_srv_open(struct hull_attach_srv *s, const struct hull_engine *e, const char *id,
			 struct hull_err *err);
/* A client connected already (hull start -a hands its end of a socket pair to the monitor). */
void hull_attach_srv_add(struct hull_attach_srv *s, int fd);
/* Take the clients waiting on the socket. */
void hull_attach_srv_accept(struct hull_attach_srv *s);
/* A frame to every client; one that cannot take it in a few seconds is dropped. */
void hull_attach_srv_send(struct hull_attach_srv *s, enum hull_attach_frame type, const void *buf,
			  size_t n);
/* Drop client i (it left, or misbehaved). */
void hull_attach_srv_drop(struct hull_attach_srv *s, size_t i);
/* The workload ended: its status to every client, which are then let go. */
void hull_attach_srv_end(struct hull_attach_srv *s, int status);
/* Stop listening: the socket goes. */
void hull_attach_srv_close(struct hull_attach_srv *s);

#endif
