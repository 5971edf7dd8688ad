/* SPDX-License-Identifier: Apache-2.0 */
/* --since/--until: the three ways docker takes a time; and the present as the records write it. */
#include "lib/timearg.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"

#define NS_PER_S 1000000000LL

/* "1h30m", "2.5s", "500ms", "1m0.5s": Go's time.ParseDuration for the units logs use. */
static int duration_ns(const char *s, int64_t *out)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1},	 {"us", 1e3}, {"µs", 1e3},  {"ms", 1e6},
		     {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
	double total = 0;

	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v;
		size_t best = 0, k = sizeof(units) / sizeof(units[0]);
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		v = strtod(s, &end);
		if (end == s)
			return -1;
		s = end;
		/* the longest unit that matches: "ms" before "m" */
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].unit);
			if (!strncmp(s, units[i].unit, n) && n > best) {
				best = n;
				k = i;
			}
		}
		if (!best)
			return -1;
		total += v * units[k].ns;
		s += best;
	}
	if (total > 9.2e18)
		return -1;
	*out = (int64_t)total;
	return 0;
}

static int unix_ns(const char *s, int64_t *out)
{
	int64_t sec = 0, frac = 0, scale = NS_PER_S;
	const char *p = s;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (sec > 9200000000LL)
			return -1;
		sec = sec * 10 + (*p - '0');
	}
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	if (*p)
		return -1;
	*out = sec * NS_PER_S + frac;
	return 0;
}

/* date[Thh:mm[:ss[.frac]]][Z|±hh:mm] */
static int rfc3339_ns(const char *s, size_t len, int64_t *out)
{
	char buf[64];
	struct tm tm = {0};
	const char *p;
	int64_t frac = 0, off = 0;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	p = strptime(buf, "%Y-%m-%d", &tm);
	if (!p)
		return -1;
	if (*p == 'T') {
		const char *q = strptime(p + 1, "%H:%M:%S", &tm);
		if (!q)
			q = strptime(p + 1, "%H:%M", &tm);
		if (!q)
			return -1;
		p = q;
		if (*p == '.') {
			int64_t scale = NS_PER_S;
			p++;
			while (isdigit((unsigned char)*p)) {
				scale /= 10;
				frac += (*p - '0') * scale;
				p++;
			}
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int h, m;
		if (sscanf(p + 1, "%2d:%2d", &h, &m) != 2)
			return -1;
		off = (int64_t)(h * 3600 + m * 60) * (*p == '+' ? 1 : -1);
		p += 6;
	}
	if (*p)
		return -1;
	*out = ((int64_t)timegm(&tm) - off) * NS_PER_S + frac;
	return 0;
}

int hull_parse_time_arg(const char *s, int64_t now_ns, int64_t *ns, struct hull_err *err)
{
	int64_t d;
	if (duration_ns(s, &d) == 0) {
		*ns = now_ns - d;
		return 0;
	}
	if (unix_ns(s, ns) == 0 || rfc3339_ns(s, strlen(s), ns) == 0)
		return 0;
	return hull_error(err, EINVAL,
			  "`%.64s` is not a time (a duration such as 10m, a Unix time, or an RFC "
			  "3339 date and time)",
			  s);
}

int64_t hull_rfc3339_ns(const char *s, size_t len)
{
	int64_t v;
	return rfc3339_ns(s, len, &v) == 0 ? v : -1;
}

char *hull_now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return hull_strfmt("%s.%09ldZ", buf, ts.tv_nsec);
}
