/* SPDX-License-Identifier: Apache-2.0 */
/* The workload's exit status as the guest reports it: on the hull.status port (one line, read
 * back by the QEMU preload, vm/host/exit_status.c) and in an exec session's EXIT frame (read by
 * the relay, vm/host/relay.c): "exit N" or "signal N".  Header-only: the preload links nothing
 * of hull. */
#ifndef HULL_VM_PROTO_STATUS_H
#define HULL_VM_PROTO_STATUS_H

#include <stddef.h>
#include <stdio.h>

#define HULL_STATUS_EXIT   "exit"
#define HULL_STATUS_SIGNAL "signal"
/* the longest report, with its newline and NUL */
#define HULL_STATUS_MAX 32

enum hull_status_kind {
	HULL_STATUS_NONE,     /* not a status */
	HULL_STATUS_EXITED,   /* exit code N */
	HULL_STATUS_SIGNALED, /* killed by signal N */
};

/* "exit CODE" or, when signo is not 0, "signal SIGNO" into buf; returns the length. */
static inline int hull_status_format(char *buf, size_t size, int code, int signo)
{
	int n = signo ? snprintf(buf, size, HULL_STATUS_SIGNAL " %d", signo)
		      : snprintf(buf, size, HULL_STATUS_EXIT " %d", code);
	return n < 0 ? 0 : n >= (int)size ? (int)size - 1 : n;
}

/* A report at the start of text (NUL-terminated; what follows the number, a newline, is
 * ignored): its kind, and the code or signal in *n. */
static inline enum hull_status_kind hull_status_parse(const char *text, int *n)
{
	if (sscanf(text, HULL_STATUS_EXIT " %d", n) == 1)
		return HULL_STATUS_EXITED;
	if (sscanf(text, HULL_STATUS_SIGNAL " %d", n) == 1)
		return HULL_STATUS_SIGNALED;
	return HULL_STATUS_NONE;
}

#endif
