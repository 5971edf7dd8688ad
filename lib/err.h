/* SPDX-License-Identifier: Apache-2.0 */
/* Error object carried up the call chain; only cmd/ prints it. */
#ifndef HULL_ERR_H
#define HULL_ERR_H

#include <stddef.h>

#define HULL_ERR_MAX 2048

struct hull_err {
	int errnum;		/* errno of the root cause, 0 if none */
	char msg[HULL_ERR_MAX]; /* "what failed: on what: errno text", outermost context first */
};

/* Set err (if not NULL) and return -1.  The errno text is appended when errnum != 0. */
int hull_error(struct hull_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As hull_error, the errno text in Go's lowercase wording ("no such file or directory"), as
 * runc's messages read: dockerd picks 127 or 126 for a workload that could not be executed
 * by matching those words, case and all. */
int hull_error_go(struct hull_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an already-set error with more context ("create `c1`: ..."); returns -1. */
int hull_error_wrap(struct hull_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void hull_err_clear(struct hull_err *err)
{
	if (err) {
		err->errnum = 0;
		err->msg[0] = '\0';
	}
}

#endif
