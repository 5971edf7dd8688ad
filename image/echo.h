/* SPDX-License-Identifier: Apache-2.0 */
/* Names from an image (archive members, layer entries, link targets, tags) are hostile and
 * may be megabytes long: a message quotes at most HULL_ECHO_MAX bytes of one, and says so
 * when it cut. */
#ifndef HULL_IMAGE_ECHO_H
#define HULL_IMAGE_ECHO_H

#include <stdio.h>
#include <string.h>

#define HULL_ECHO_MAX 128

/* buf holds HULL_ECHO_MAX + 4 bytes */
static inline const char *hull_echo(char *buf, const char *s)
{
	if (!s)
		return "(none)";
	if (strlen(s) <= HULL_ECHO_MAX)
		return s;
	snprintf(buf, HULL_ECHO_MAX + 4, "%.*s...", HULL_ECHO_MAX, s);
	return buf;
}

/* For one argument of a message: hull_error(err, e, "`%s`: ...", ECHO(name)). */
#define ECHO(s) hull_echo((char[HULL_ECHO_MAX + 4]){0}, (s))

#endif
