/* SPDX-License-Identifier: Apache-2.0 */
/* One size grammar for `hull run --memory`, `hull-oci update --memory` and the VM's size
 * annotations, so the same text means the same bytes everywhere. */
#include "lib/size.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int hull_parse_size(const char *s, int64_t bare_unit, int64_t *out, struct hull_err *err)
{
	static const char units[] = "kmgtp";
	const char *p;
	char *end;
	double v, mul = (double)bare_unit;

	errno = 0;
	v = strtod(s, &end);
	/* digits and a point only: strtod would also take "inf", "nan", hex, exponents and a sign
	 */
	if (end == s || !isdigit((unsigned char)*s) || errno ||
	    strspn(s, "0123456789.") != (size_t)(end - s))
		goto bad;
	if (*end == ' ')
		end++;
	if (*end && (p = strchr(units, tolower((unsigned char)*end)))) {
		mul = 1.0;
		for (const char *u = units; u <= p; u++)
			mul *= 1024.0;
		end++;
		if (tolower((unsigned char)*end) == 'i')
			end++;
	} else if (*end) {
		mul = 1.0; /* "b": bytes */
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || v * mul >= 9223372036854775807.0)
		goto bad;
	*out = (int64_t)(v * mul);
	return 0;
bad:
	return hull_error(err, EINVAL,
			  "invalid size `%.64s` (a number with an optional unit: b, k, m, g, t, p)",
			  s);
}
