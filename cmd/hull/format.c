/* SPDX-License-Identifier: Apache-2.0 */
/* Figures as docker prints them, and progress on a terminal. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/hull/cli.h"
#include "lib/util.h"

/* bytes in units of base (1000 or 1024), with digits significant digits */
static void in_units(unsigned long long bytes, double base, const char *const units[6], int digits,
		     char *buf, size_t len)
{
	double v = (double)bytes;
	size_t u = 0;
	while (v >= base && u + 1 < 6) {
		v /= base;
		u++;
	}
	snprintf(buf, len, "%.*g%s", digits, v, units[u]);
}

/* decimal units and three significant digits, as docker's HumanSize */
void human_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const units[6] = {"B", "kB", "MB", "GB", "TB", "PB"};
	in_units(bytes, 1000, units, 3, buf, len);
}

/* binary units, four significant digits, as docker's BytesSize (memory in `stats`) */
void human_bytes(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const units[6] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	in_units(bytes, 1024, units, 4, buf, len);
}

static time_t parse_rfc3339(const char *s)
{
	struct tm tm = {0};
	const char *rest;
	if (!s || !(rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return (time_t)-1;
	return timegm(&tm); /* hull writes UTC; a fraction or an offset is ignored */
}

void human_since(const char *rfc3339, char *buf, size_t len)
{
	time_t t = parse_rfc3339(rfc3339);
	long long d = (long long)(time(NULL) - t);
	const long long h = 3600, day = 24 * h;

	if (t == (time_t)-1) {
		snprintf(buf, len, "N/A");
		return;
	}
	if (d < 1)
		snprintf(buf, len, "Less than a second ago");
	else if (d == 1)
		snprintf(buf, len, "1 second ago");
	else if (d < 60)
		snprintf(buf, len, "%lld seconds ago", d);
	else if (d / 60 == 1)
		snprintf(buf, len, "About a minute ago");
	else if (d < h)
		snprintf(buf, len, "%lld minutes ago", d / 60);
	else if (d / h == 1)
		snprintf(buf, len, "About an hour ago");
	else if (d < 2 * day)
		snprintf(buf, len, "%lld hours ago", d / h);
	else if (d < 14 * day)
		snprintf(buf, len, "%lld days ago", d / day);
	else if (d < 60 * day)
		snprintf(buf, len, "%lld weeks ago", d / (7 * day));
	else if (d < 730 * day)
		snprintf(buf, len, "%lld months ago", d / (30 * day));
	else
		snprintf(buf, len, "%lld years ago", d / (365 * day));
}

static bool progress_shown;

static void progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	char a[32], b[32];
	const char *slash = strrchr(what, '/');
	char id[16];
	/* blob paths are long: their digest (or docker's "<id>/layer.tar" id) says enough */
	if (slash && !strcmp(slash, "/layer.tar") && slash - what >= 12) {
		snprintf(id, sizeof(id), "%.12s", what);
		what = id;
	} else if (slash && slash[1]) {
		what = slash + 1;
	}
	if (hull_has_prefix(what, "sha256:"))
		what += 7;
	human_size(done, a, sizeof(a));
	if (total > 1) {
		human_size(total, b, sizeof(b));
		fprintf(stderr, "\r\033[K%.12s: %s / %s", what, a, b);
	} else if (total == 1) {
		fprintf(stderr, "\r\033[K%.12s: stored", what);
	} else {
		fprintf(stderr, "\r\033[K%.12s: %s unpacked", what, a);
	}
	progress_shown = true;
}

void progress_attach(struct hull_store *s)
{
	if (isatty(STDERR_FILENO))
		s->progress.fn = progress;
}

void progress_done(void)
{
	if (progress_shown)
		fprintf(stderr, "\r\033[K");
	progress_shown = false;
}
