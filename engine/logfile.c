/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "lib/timearg.h"
#include "lib/util.h"

/* Longer lines are cut into P records, so a reader never has to hold a huge line. */
#define PART_MAX 16384

static const char *const stream_name[] = {"stdout", "stderr"};

int hull_logw_open(struct hull_logw *w, const char *path, struct hull_err *err)
{
	memset(w, 0, sizeof(*w));
	w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (w->fd < 0)
		return hull_error(err, errno, "open the log %s", path);
	return 0;
}

static void record(struct hull_logw *w, enum hull_stream s, char tag, const char *text, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char head[64];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(head, sizeof(head), "%Y-%m-%dT%H:%M:%S", &tm);
	n += snprintf(head + n, sizeof(head) - (size_t)n, ".%09ldZ %s %c ", ts.tv_nsec,
		      stream_name[s], tag);
	/* one writev-like buffer so concurrent readers never see half a record */
	char *rec = xmalloc((size_t)n + len + 1);
	memcpy(rec, head, (size_t)n);
	memcpy(rec + n, text, len);
	rec[(size_t)n + len] = '\n';
	hull_write_all(w->fd, rec, (size_t)n + len + 1);
	free(rec);
}

void hull_logw_write(struct hull_logw *w, enum hull_stream s, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t take = nl ? (size_t)(nl - buf) : len;

		if (w->part_len[s] + take > PART_MAX && w->part_len[s]) {
			record(w, s, 'P', w->part[s], w->part_len[s]);
			w->part_len[s] = 0;
		}
		if (nl) {
			if (w->part_len[s]) {
				w->part[s] = xrealloc(w->part[s], w->part_len[s] + take);
				memcpy(w->part[s] + w->part_len[s], buf, take);
				record(w, s, 'F', w->part[s], w->part_len[s] + take);
				w->part_len[s] = 0;
			} else {
				record(w, s, 'F', buf, take);
			}
			buf += take + 1;
			len -= take + 1;
			continue;
		}
		if (take >= PART_MAX) {
			record(w, s, 'P', buf, PART_MAX);
			buf += PART_MAX;
			len -= PART_MAX;
			continue;
		}
		w->part[s] = xrealloc(w->part[s], w->part_len[s] + take);
		memcpy(w->part[s] + w->part_len[s], buf, take);
		w->part_len[s] += take;
		len = 0;
	}
}

void hull_logw_close(struct hull_logw *w)
{
	for (int s = 0; s < 2; s++) {
		if (w->part_len[s])
			record(w, (enum hull_stream)s, 'P', w->part[s], w->part_len[s]);
		free(w->part[s]);
		w->part[s] = NULL;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/* One record: its parts point into the line; false when the line is not a record. */
struct rec {
	const char *ts;
	size_t ts_len;
	int stream;
	bool full;
	const char *text;
	size_t len;
};

static bool parse_rec(const char *line, size_t len, struct rec *r)
{
	const char *end = line + len, *p = memchr(line, ' ', len);

	/* " stdout F " is the shortest rest of a record */
	if (!p || end - p < 10)
		return false;
	r->ts = line;
	r->ts_len = (size_t)(p - line);
	p++;
	if (!memcmp(p, "stdout ", 7))
		r->stream = 1;
	else if (!memcmp(p, "stderr ", 7))
		r->stream = 2;
	else
		return false;
	p += 7;
	if ((*p != 'F' && *p != 'P') || p[1] != ' ')
		return false;
	r->full = *p == 'F';
	r->text = p + 2;
	r->len = (size_t)(end - r->text);
	return true;
}

struct printer {
	bool timestamps;
	bool line_start[3];
	int64_t since_ns, until_ns;
	bool past_until; /* following: every later record is past it too */
};

/* A record out of --since/--until is not printed (nor counted by --tail). */
static bool in_window(struct printer *pr, const struct rec *r)
{
	int64_t t;
	if (!pr->since_ns && !pr->until_ns)
		return true;
	t = hull_rfc3339_ns(r->ts, r->ts_len);
	if (pr->until_ns && t >= pr->until_ns)
		pr->past_until = true;
	return t >= 0 && (!pr->since_ns || t >= pr->since_ns) &&
	       (!pr->until_ns || t < pr->until_ns);
}

static void print_rec(struct printer *pr, const struct rec *r)
{
	FILE *f = r->stream == 1 ? stdout : stderr;

	if (pr->timestamps && pr->line_start[r->stream])
		fprintf(f, "%.*s ", (int)r->ts_len, r->ts);
	fwrite(r->text, 1, r->len, f);
	if (r->full)
		fputc('\n', f);
	pr->line_start[r->stream] = r->full;
	if (r->stream == 2)
		fflush(stdout);
}

/* Print the whole records in buf[0..len), starting at the one the tail asks for; returns how
 * many bytes were consumed (an unfinished last line is left for later). */
static size_t print_buf(struct printer *pr, const char *buf, size_t len, long tail)
{
	size_t start = 0, end = len;

	while (end > 0 && buf[end - 1] != '\n')
		end--;
	if (tail >= 0) {
		/* walk back over records, counting finished lines */
		long seen = 0;
		size_t pos = end;
		start = end;
		while (pos > 0) {
			size_t ls = pos - 1;
			struct rec r;
			while (ls > 0 && buf[ls - 1] != '\n')
				ls--;
			/* a line is a record that ends one, or an unfinished last one */
			if (parse_rec(buf + ls, pos - 1 - ls, &r) && (r.full || pos == end) &&
			    in_window(pr, &r) && seen++ == tail)
				break;
			start = ls;
			pos = ls;
		}
	}
	for (size_t p = start; p < end;) {
		const char *nl = memchr(buf + p, '\n', end - p);
		struct rec r;
		if (parse_rec(buf + p, (size_t)(nl - buf) - p, &r) && in_window(pr, &r))
			print_rec(pr, &r);
		p = (size_t)(nl - buf) + 1;
	}
	fflush(stdout);
	fflush(stderr);
	return end;
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int hull_logs_print(const struct hull_logs_opts *o, struct hull_err *err)
{
	struct printer pr = {.timestamps = o->timestamps,
			     .line_start = {true, true, true},
			     .since_ns = o->since_ns,
			     .until_ns = o->until_ns};
	cleanup_close int fd = open(o->path, O_RDONLY | O_CLOEXEC);
	cleanup_close int ino = -1;
	cleanup_free char *buf = NULL;
	size_t len = 0, used;

	if (fd < 0)
		return hull_error(err, errno, "open the log %s", o->path);
	if (hull_read_fd(fd, &buf, &len, err) < 0)
		return -1;
	used = print_buf(&pr, buf, len, o->tail);
	pr.past_until = false; /* the tail's walk back saw every record; from here, new ones */
	if (!o->follow || (o->until_ns && o->until_ns <= now_ns()))
		return 0;
	/* keep what is unfinished, then read on as the writer appends */
	memmove(buf, buf + used, len - used);
	len -= used;
	ino = inotify_init1(IN_CLOEXEC);
	if (ino >= 0)
		inotify_add_watch(ino, o->path, IN_MODIFY);
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n > 0) {
			buf = xrealloc(buf, len + (size_t)n + 1);
			memcpy(buf + len, chunk, (size_t)n);
			len += (size_t)n;
			used = print_buf(&pr, buf, len, -1);
			memmove(buf, buf + used, len - used);
			len -= used;
			continue;
		}
		if (n < 0 && errno != EINTR)
			return hull_error(err, errno, "read the log %s", o->path);
		/* --until in the past: nothing more will be printed */
		if (pr.past_until || (o->until_ns && o->until_ns <= now_ns()))
			return 0;
		if (o->finished && o->finished(o->arg)) {
			/* one last read: the writer may have appended just before finishing */
			while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
				buf = xrealloc(buf, len + (size_t)n + 1);
				memcpy(buf + len, chunk, (size_t)n);
				len += (size_t)n;
			}
			print_buf(&pr, buf, len, -1);
			return 0;
		}
		struct pollfd p = {.fd = ino, .events = POLLIN};
		if (ino >= 0 && poll(&p, 1, 500) > 0) {
			char ev[4096];
			(void)!read(ino, ev, sizeof(ev));
		} else if (ino < 0) {
			usleep(200000);
		}
	}
}
