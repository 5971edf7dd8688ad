#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hull_error(struct hull_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (errnum && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	err->errnum = errnum;
	return -1;
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
