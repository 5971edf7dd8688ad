/* SPDX-License-Identifier: Apache-2.0 */
/* The progress lines of pull and push (xferview.h).  Reports come from several threads at
 * once: one mutex around everything. */
#include "cmd/hull/xferview.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/hull/cli.h"
#include "lib/util.h"

/* A terminal is redrawn at most this often (state changes are drawn at once). */
#define REDRAW_MS 100
#define BAR_WIDTH 40

struct line {
	char id[13];
	enum hull_xfer_state state;
	uint64_t done, total;
	char note[96];
	uint64_t started_ms; /* when bytes began to move, for the rate */
};

static struct {
	pthread_mutex_t mu;
	struct line *v;
	size_t n;
	size_t drawn; /* lines on the screen from the last redraw */
	uint64_t last_ms;
	bool tty, push;
} view = {.mu = PTHREAD_MUTEX_INITIALIZER};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct line *line_of(const char *id)
{
	for (size_t i = 0; i < view.n; i++)
		if (!strcmp(view.v[i].id, id))
			return &view.v[i];
	view.v = xrealloc(view.v, (view.n + 1) * sizeof(*view.v));
	memset(&view.v[view.n], 0, sizeof(*view.v));
	snprintf(view.v[view.n].id, sizeof(view.v[0].id), "%s", id);
	return &view.v[view.n++];
}

static bool moving(enum hull_xfer_state s)
{
	return s == HULL_XFER_DOWNLOADING || s == HULL_XFER_PUSHING;
}

/* "Downloading [=====>      ]  1.2MB/5MB  3.4MB/s" */
static void format_line(const struct line *l, char *buf, size_t len)
{
	const char *name = hull_xfer_state_name(l->state, view.push);
	int k = snprintf(buf, len, "%s: %s", l->id, name);

	if (k < 0 || (size_t)k >= len)
		return;
	if (l->note[0])
		snprintf(buf + k, len - (size_t)k, " %s", l->note);
	else if (moving(l->state)) {
		char a[32], b[32], bar[BAR_WIDTH + 1], rate[40] = "";
		uint64_t el = now_ms() - l->started_ms;
		size_t fill = l->total ? (size_t)(l->done * BAR_WIDTH / l->total) : 0;

		if (fill > BAR_WIDTH)
			fill = BAR_WIDTH;
		memset(bar, ' ', BAR_WIDTH);
		memset(bar, '=', fill);
		if (fill < BAR_WIDTH)
			bar[fill] = '>';
		bar[BAR_WIDTH] = '\0';
		human_size(l->done, a, sizeof(a));
		human_size(l->total, b, sizeof(b));
		if (el > 200) {
			char r[32];
			human_size(l->done * 1000 / el, r, sizeof(r));
			snprintf(rate, sizeof(rate), "  %s/s", r);
		}
		snprintf(buf + k, len - (size_t)k, " [%s] %s/%s%s", bar, a, b, rate);
	}
}

static void redraw(void)
{
	char buf[256];

	if (view.drawn)
		fprintf(stderr, "\033[%zuA", view.drawn);
	for (size_t i = 0; i < view.n; i++) {
		format_line(&view.v[i], buf, sizeof(buf));
		fprintf(stderr, "\r\033[2K%s\n", buf);
	}
	view.drawn = view.n;
	view.last_ms = now_ms();
	fflush(stderr);
}

static void report(void *ctx, const char *id, enum hull_xfer_state st, uint64_t done,
		   uint64_t total, const char *note)
{
	struct line *l;
	bool changed;

	(void)ctx;
	pthread_mutex_lock(&view.mu);
	l = line_of(id);
	changed = l->state != st || l->started_ms == 0;
	if (moving(st) && (l->state != st || !l->started_ms))
		l->started_ms = now_ms();
	l->state = st;
	l->done = done;
	l->total = total;
	snprintf(l->note, sizeof(l->note), "%s", note ? note : "");
	if (!l->started_ms)
		l->started_ms = 1; /* seen */
	if (view.tty) {
		if (changed || now_ms() - view.last_ms >= REDRAW_MS)
			redraw();
	} else if (changed) {
		char buf[256];
		/* plain lines: a state once, no bar */
		snprintf(buf, sizeof(buf), "%s: %s%s%s", l->id, hull_xfer_state_name(st, view.push),
			 note ? " " : "", note ? note : "");
		fprintf(stderr, "%s\n", buf);
	}
	pthread_mutex_unlock(&view.mu);
}

/* A line of its own above the layers': the next redraw starts below it. */
static void notice(void *ctx, const char *text)
{
	(void)ctx;
	pthread_mutex_lock(&view.mu);
	fprintf(stderr, "%s\n", text);
	view.drawn = 0;
	pthread_mutex_unlock(&view.mu);
}

void xferview_attach(struct hull_xfer *x, bool push)
{
	view.tty = isatty(STDERR_FILENO);
	view.push = push;
	x->fn = report;
	x->notice = notice;
	x->ctx = NULL;
}

void xferview_done(void)
{
	pthread_mutex_lock(&view.mu);
	if (view.tty && view.n)
		redraw();
	free(view.v);
	view.v = NULL;
	view.n = view.drawn = 0;
	pthread_mutex_unlock(&view.mu);
}
