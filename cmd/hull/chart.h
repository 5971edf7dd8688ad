/* SPDX-License-Identifier: Apache-2.0 */
/* hull compare --chart: the figures of both levels as bars, in SVG or in an HTML page. */
#ifndef HULL_CMD_CHART_H
#define HULL_CMD_CHART_H

#include "engine/compare.h"
#include "lib/err.h"

/* The name says which: .svg, .html or .htm; else an error naming it. */
int compare_chart_check(const char *path, struct hull_err *err);

/* Write the chart of r[0] and r[1] to path: an SVG drawing when it ends in .svg, an HTML
 * page (the drawing and the table of what each level isolates) when in .html or .htm. */
int compare_chart_write(const char *path, const struct hull_compare_result r[2], unsigned int runs,
			const char *workload, struct hull_err *err);

#endif
