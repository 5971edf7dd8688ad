/* SPDX-License-Identifier: Apache-2.0 */
/* Attaching to a container's stdio through its monitor, as conmon's attach socket: the
 * monitor listens on <container dir>/attach (SOCK_SEQPACKET) while the container runs and
 * copies the output to every attached client as well as to the log; a client's input goes to
 * the container's stdin.  Each message is one frame: a type byte, then its payload. */
#ifndef HULL_ENGINE_ATTACH_H
#define HULL_ENGINE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/ctr.h"
#include "lib/err.h"

#define HULL_ATTACH_SOCKET "attach"

enum hull_attach_frame {
	/* monitor -> client */
	HULL_FRAME_STDOUT = 1, /* output (a tty's too) */
	HULL_FRAME_STDERR = 2,
	HULL_FRAME_EXIT = 3, /* the workload ended: its exit status, decimal; the last frame */
	/* client -> monitor */
	HULL_FRAME_STDIN = 4,
	HULL_FRAME_STDIN_EOF = 5, /* the client's input ended: so does the container's (no tty) */
	HULL_FRAME_RESIZE = 6,	  /* the client's terminal: rows, cols as two uint16_t */
};

/* the largest payload of a frame */
#define HULL_ATTACH_FRAME_MAX 32768

/* docker's default detach keys */
#define HULL_DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
#define HULL_DETACH_KEYS_MAX	 16

/* A detach key sequence and how much of it the input has matched so far. */
struct hull_detach_keys {
	unsigned char seq[HULL_DETACH_KEYS_MAX];
	size_t len; /* 0: none */
	size_t matched;
};

/* docker's --detach-keys: comma-separated keys, each a single character or ctrl-X (X a
 * letter or one of @[\]^_).  "" means no detach keys. */
int hull_detach_keys_parse(const char *s, struct hull_detach_keys *k, struct hull_err *err);

/* Pass n bytes of input through k: what goes on to the container lands in out (room for
 * n + HULL_DETACH_KEYS_MAX), *out_n bytes; a partial match is held back until the next byte
 * tells.  true once the whole sequence was typed (the bytes after it are dropped). */
bool hull_detach_feed(struct hull_detach_keys *k, const unsigned char *in, size_t n,
		      unsigned char *out, size_t *out_n);

/* Connect to the attach socket of container id. */
int hull_attach_connect(const struct hull_engine *e, const char *id, struct hull_err *err);

struct hull_attach_opts {
	int fd;			 /* connected to the monitor: hull_attach_connect or a spawn's */
	bool stdin;		 /* send our stdin (docker's -i / not --no-stdin) */
	bool sig_proxy;		 /* pass the signals we get on to the workload (not with a tty) */
	const char *detach_keys; /* NULL: ctrl-p,ctrl-q */
};

/* What ended an attach. */
enum hull_attach_end {
	HULL_ATTACH_EXITED,   /* the workload ended: *status */
	HULL_ATTACH_DETACHED, /* the detach keys */
};

/* Relay our stdio to and from c (a tty: ours in raw mode, its size passed on) until the
 * workload ends or the detach keys are typed.  Closes o->fd. */
int hull_attach(const struct hull_engine *e, const struct hull_ctr *c,
		const struct hull_attach_opts *o, enum hull_attach_end *end, int *status,
		struct hull_err *err);

#endif
