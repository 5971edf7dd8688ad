/* The session protocol of the exec ports (hull.exec0..N) and of the main process's terminal
 * (hull.console), shared by the host (vm/relay.c, vm/exec.c) and the guest (session.c).
 * A stream of frames: an 8-byte header, then `len` bytes of payload.  Described in
 * vm/README.md. */
#ifndef HULL_VM_PROTO_H
#define HULL_VM_PROTO_H

#include <stdint.h>

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

/* Number of exec ports QEMU gets: as many execs can run at the same time. */
#define HULL_VM_EXEC_PORTS 8

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
