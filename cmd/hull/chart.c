/* SPDX-License-Identifier: Apache-2.0 */
/* The figures of `hull compare` drawn: one row of two bars (container, vm) per figure, each
 * pair scaled to its larger value, labelled with the value, so the chart reads without the
 * table.  Plain SVG, no script: any browser or image viewer shows it. */
#include "cmd/hull/chart.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/hull/cli.h"
#include "lib/util.h"

#define WIDTH	  760
#define LABEL_W	  190
#define BAR_MAX	  430
#define ROW_H	  58
#define TOP	  70
#define COLOR_CTR "#4e79a7"
#define COLOR_VM  "#f28e2b"
#define TITLE_MAX 60 /* characters of the workload in the title */
#define FONT	  "font-family=\"sans-serif\" font-size=\"13\""

struct figure {
	const char *name;
	double v[2]; /* < 0: not known */
	bool bytes;
};

static void fmt(const struct figure *f, int i, char *buf, size_t n)
{
	if (f->v[i] < 0)
		snprintf(buf, n, "-");
	else if (f->bytes)
		human_size((unsigned long long)f->v[i], buf, n);
	else if (f->v[i] < 1000)
		snprintf(buf, n, "%.1f ms", f->v[i]);
	else
		snprintf(buf, n, "%.2f s", f->v[i] / 1000);
}

/* &, <, > and quotes in text the user gave (the workload), at most max characters */
static void put_text(FILE *f, const char *s, size_t max)
{
	size_t n = 0;
	for (; *s; s++) {
		if (((unsigned char)*s & 0xC0) != 0x80 && ++n > max) {
			fputs("…", f);
			break;
		}
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static void svg(FILE *out, const struct hull_compare_result r[2], unsigned int runs,
		const char *workload)
{
	const struct figure fig[] = {
		{"start (first output)", {r[0].start_ms, r[1].start_ms}, false},
		{"wall (run to removal)", {r[0].wall_ms, r[1].wall_ms}, false},
		{"host CPU", {r[0].cpu_ms, r[1].cpu_ms}, false},
		{"host memory (peak)",
		 {r[0].peak_bytes ? (double)r[0].peak_bytes : -1,
		  r[1].peak_bytes ? (double)r[1].peak_bytes : -1},
		 true},
		{"block I/O read", {(double)r[0].read_bytes, (double)r[1].read_bytes}, true},
		{"block I/O write", {(double)r[0].write_bytes, (double)r[1].write_bytes}, true},
	};
	const char *color[2] = {COLOR_CTR, COLOR_VM};
	size_t n = sizeof(fig) / sizeof(fig[0]);
	int height = TOP + (int)n * ROW_H + 30;

	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		WIDTH, height, WIDTH, height);
	fprintf(out, "<text x=\"20\" y=\"28\" font-family=\"sans-serif\" font-size=\"17\" "
		     "font-weight=\"bold\">hull compare: ");
	put_text(out, workload, TITLE_MAX);
	fprintf(out,
		"</text>\n<text x=\"20\" y=\"48\" %s fill=\"#555\">medians of %u run%s per "
		"level; shorter is cheaper</text>\n",
		FONT, runs, runs == 1 ? "" : "s");
	for (int i = 0; i < 2; i++)
		fprintf(out,
			"<rect x=\"%d\" y=\"38\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"49\" %s>%s</text>\n",
			WIDTH - 200 + i * 100, color[i], WIDTH - 184 + i * 100, FONT, r[i].level);
	for (size_t k = 0; k < n; k++) {
		int y = TOP + (int)k * ROW_H;
		double max = fig[k].v[0] > fig[k].v[1] ? fig[k].v[0] : fig[k].v[1];
		fprintf(out, "<text x=\"20\" y=\"%d\" %s>%s</text>\n", y + 26, FONT, fig[k].name);
		for (int i = 0; i < 2; i++) {
			char val[32];
			int w = max > 0 && fig[k].v[i] > 0 ? (int)(fig[k].v[i] / max * BAR_MAX) : 0;
			fmt(&fig[k], i, val, sizeof(val));
			if (w < 1 && fig[k].v[i] > 0)
				w = 1;
			fprintf(out,
				"<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" "
				"fill=\"%s\"><title>%s: %s</title></rect>"
				"<text x=\"%d\" y=\"%d\" %s>%s</text>\n",
				LABEL_W, y + 4 + i * 24, w, color[i], r[i].level, val,
				LABEL_W + w + 6, y + 19 + i * 24, FONT, val);
		}
	}
	fprintf(out, "<text x=\"20\" y=\"%d\" %s fill=\"#555\">exit status: %s %d, %s %d</text>\n",
		height - 12, FONT, r[0].level, r[0].status, r[1].level, r[1].status);
	fputs("</svg>\n", out);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcasecmp(s + a - b, suffix);
}

int compare_chart_check(const char *path, struct hull_err *err)
{
	if (!ends_with(path, ".svg") && !ends_with(path, ".html") && !ends_with(path, ".htm"))
		return hull_error(err, EINVAL, "--chart `%s`: the name must end in .svg or .html",
				  path);
	return 0;
}

int compare_chart_write(const char *path, const struct hull_compare_result r[2], unsigned int runs,
			const char *workload, struct hull_err *err)
{
	bool html = ends_with(path, ".html") || ends_with(path, ".htm");
	cleanup_free char *tmp = NULL;
	FILE *out;

	if (compare_chart_check(path, err) < 0)
		return -1;
	tmp = hull_strfmt("%s.tmp", path);
	out = fopen(tmp, "we");
	if (!out)
		return hull_error(err, errno, "write %s", tmp);
	if (html) {
		fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>hull compare"
		      "</title></head>\n<body style=\"font-family: sans-serif\">\n",
		      out);
	}
	svg(out, r, runs, workload);
	if (html) {
		fprintf(out,
			"<table border=\"1\" cellpadding=\"4\" style=\"border-collapse: "
			"collapse; margin-top: 1em\">\n<tr><th>isolation</th><th>%s</th>"
			"<th>%s</th></tr>\n",
			r[0].level, r[1].level);
		for (const struct hull_compare_fact *f = hull_compare_facts; f->what; f++)
			fprintf(out, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>\n", f->what,
				f->container, f->vm);
		fputs("</table>\n</body></html>\n", out);
	}
	if (fclose(out) != 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return hull_error(err, e, "write %s", path);
	}
	return 0;
}
