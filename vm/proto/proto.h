/* SPDX-License-Identifier: Apache-2.0 */
/* The session protocol of the exec ports (hull.exec0..N) and of the main process's terminal
 * (hull.console), shared by the host (vm/host/relay.c, vm/host/exec.c) and the guest
 * (vm/guest/session.c).  A stream of frames: an 8-byte header, then `len` bytes of payload.
 * Described in vm/README.md. */
#ifndef HULL_VM_PROTO_H
#define HULL_VM_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HULL_FRAME_MAGIC0 'H'
#define HULL_FRAME_MAGIC1 'x'
#define HULL_FRAME_HDR	  8
/* A guest write to a virtio port carries at most 32 KiB: a frame stays one write. */
#define HULL_FRAME_MAX 16384

/* host -> guest */
#define HULL_F_OPEN    'O' /* records as in /hull/config, with `nonce` and `tty` */
#define HULL_F_STDIN   'I' /* data; an empty payload is the end of the input */
#define HULL_F_WINSIZE 'W' /* "ROWS COLS" */
#define HULL_F_SIGNAL  'K' /* "SIGNO" */
/* guest -> host */
#define HULL_F_STARTED 'S' /* "NONCE PID" */
#define HULL_F_ERROR   'E' /* "NONCE message" */
#define HULL_F_STDOUT  'o'
#define HULL_F_STDERR  'e'
#define HULL_F_EXIT    'X' /* "exit N" or "signal N" */
#define HULL_F_DONE    'D' /* empty: the session's output is all sent (after EXIT) */

/* Payloads.  WINSIZE, and the `tty` record of OPEN: rows, cols. */
#define HULL_WINSIZE_FMT "%u %u"
/* SIGNAL: the signal's number. */
#define HULL_SIGNAL_FMT "%d"
/* STARTED and ERROR: the nonce of the request answered, a space, then the pid or the message.
 * A request too malformed to have a nonce is answered with HULL_NONCE_NONE. */
#define HULL_STARTED_FMT "%s %d"
#define HULL_ERROR_FMT	 "%s %s"
#define HULL_NONCE_NONE	 "0"
/* EXIT: "exit N" or "signal N", as on the status port (vm/proto/status.h). */

/* The payload of a STARTED or ERROR frame answers the request with this nonce: returns what
 * follows the nonce (len - strlen(nonce) - 1 bytes), else NULL. */
static inline const char *hull_answer_for(const char *nonce, const char *data, size_t len)
{
	size_t n = strlen(nonce);
	if (len <= n || strncmp(data, nonce, n) || data[n] != ' ')
		return NULL;
	return data + n + 1;
}

/* After an exec's process exits, the guest reports EXIT at once, then keeps passing on what
 * its background children write to the same stdout/stderr until both reach their end or this
 * long after the exit, whichever comes first; then DONE.  The bound keeps a child that never
 * closes its stdout from holding the port (and the host's relay) for ever. */
#define HULL_EXEC_LINGER_MS 3000

/* Number of exec ports QEMU gets: as many execs can run at the same time.  A pod's VM has
 * more: each running app container holds one for its life (its relay's session). */
#define HULL_VM_EXEC_PORTS     8
#define HULL_VM_POD_EXEC_PORTS 24
#define HULL_VM_EXEC_PORTS_MAX 24

static inline void hull_frame_header(unsigned char *h, char type, uint32_t len)
{
	h[0] = HULL_FRAME_MAGIC0;
	h[1] = HULL_FRAME_MAGIC1;
	h[2] = (unsigned char)type;
	h[3] = 0;
	h[4] = (unsigned char)(len & 0xff);
	h[5] = (unsigned char)((len >> 8) & 0xff);
	h[6] = (unsigned char)((len >> 16) & 0xff);
	h[7] = (unsigned char)((len >> 24) & 0xff);
}

/* A whole frame at the start of buf (of n bytes)?  Returns its total size, 0 when more bytes
 * are needed, -1 when buf does not start with a frame (the reader then skips to the next
 * magic: a host that died mid-frame leaves a partial one behind). */
static inline long hull_frame_parse(const unsigned char *buf, unsigned long n, char *type,
				    uint32_t *len)
{
	if (n >= 1 && buf[0] != HULL_FRAME_MAGIC0)
		return -1;
	if (n >= 2 && buf[1] != HULL_FRAME_MAGIC1)
		return -1;
	if (n < HULL_FRAME_HDR)
		return 0;
	*type = (char)buf[2];
	*len = (uint32_t)buf[4] | (uint32_t)buf[5] << 8 | (uint32_t)buf[6] << 16 |
	       (uint32_t)buf[7] << 24;
	if (*len > HULL_FRAME_MAX)
		return -1;
	if (n < HULL_FRAME_HDR + *len)
		return 0;
	return (long)(HULL_FRAME_HDR + *len);
}

#endif
