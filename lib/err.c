/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int verror(struct hull_err *err, int errnum, bool lower, const char *fmt, va_list ap)
{
	int n;

	if (!err)
		return -1;
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		n = 0;
	if (errnum && (size_t)n + 2 < sizeof(err->msg)) {
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
		if (lower)
			err->msg[n + 2] = (char)tolower((unsigned char)err->msg[n + 2]);
	}
	err->errnum = errnum;
	return -1;
}

int hull_error(struct hull_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(err, errnum, false, fmt, ap);
	va_end(ap);
	return rc;
}

int hull_error_go(struct hull_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(err, errnum, true, fmt, ap);
	va_end(ap);
	return rc;
}

int hull_error_wrap(struct hull_err *err, const char *fmt, ...)
{
	char prefix[512], old[HULL_ERR_MAX];
	size_t n, len;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* truncation of an over-long message is fine: the outermost context comes first */
	n = strlen(prefix);
	if (n > sizeof(err->msg) - 3)
		n = sizeof(err->msg) - 3;
	memcpy(err->msg, prefix, n);
	memcpy(err->msg + n, ": ", 2);
	n += 2;
	len = strlen(old);
	if (len > sizeof(err->msg) - 1 - n)
		len = sizeof(err->msg) - 1 - n;
	memcpy(err->msg + n, old, len);
	err->msg[n + len] = '\0';
	return -1;
}
