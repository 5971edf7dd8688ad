/* SPDX-License-Identifier: Apache-2.0 */
/* Messages between the runtime and the container's init while it is being created. */
#ifndef HULL_SYNC_H
#define HULL_SYNC_H

#include <stddef.h>

#include "lib/err.h"

enum hull_sync_type {
	SYNC_GO = 1,	 /* runtime -> init: uid maps written, cgroup joined: carry on */
	SYNC_MOUNTED,	 /* init -> runtime: mounts done, run prestart/createRuntime hooks */
	SYNC_HOOKS_DONE, /* runtime -> init: payload = state JSON for createContainer hooks */
	SYNC_READY,	 /* init -> runtime: about to wait for start */
	SYNC_START,	 /* runtime -> init (run only): exec the process now */
	SYNC_PID,	 /* intermediate -> runtime: value = the init's pid */
	SYNC_ERROR,	 /* init -> runtime: payload = the error text; value = errno */
	SYNC_SECCOMP_FD, /* process -> runtime: fd = the seccomp notify fd, for the listener */
};

#define HULL_SYNC_MAX 65536

struct hull_sync_msg {
	int type;
	int value;
	size_t len; /* payload bytes in data */
	int fd;	    /* an fd sent with the message (SCM_RIGHTS), -1 without one */
	char data[HULL_SYNC_MAX];
};

int hull_sync_send(int fd, int type, int value, const char *payload, struct hull_err *err);
/* The same with passfd sent along (SCM_RIGHTS). */
int hull_sync_send_fd(int fd, int type, int passfd, struct hull_err *err);
/* Receive one message; EOF is an error ("container init exited"). */
int hull_sync_recv(int fd, struct hull_sync_msg *m, struct hull_err *err);
/* Receive and insist on a type; a SYNC_ERROR turns into err with its text. */
int hull_sync_expect(int fd, int type, struct hull_sync_msg *m, struct hull_err *err);

/* fd passing over a unix socket (SCM_RIGHTS), with a short text payload. */
int hull_send_fd(int sock, int fd, const char *name, struct hull_err *err);
int hull_recv_fd(int sock, struct hull_err *err);

#endif
