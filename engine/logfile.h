/* SPDX-License-Identifier: Apache-2.0 */
/* Container logs in the CRI text format that kubelet and podman's k8s-file driver use:
 * "<RFC 3339 nano> <stdout|stderr> <F|P> <text>", one record per line; P marks a piece of a
 * longer line (or a last line without its newline), so the bytes read back are exact. */
#ifndef HULL_ENGINE_LOGFILE_H
#define HULL_ENGINE_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum hull_stream { HULL_STDOUT, HULL_STDERR };

struct hull_logw {
	int fd;
	char *part[2]; /* the unfinished line of each stream */
	size_t part_len[2];
};

int hull_logw_open(struct hull_logw *w, const char *path, struct hull_err *err);
/* Append what a stream produced; whole lines now, the rest when its newline comes. */
void hull_logw_write(struct hull_logw *w, enum hull_stream s, const char *buf, size_t len);
/* Write out the unfinished lines and close. */
void hull_logw_close(struct hull_logw *w);

struct hull_logs_opts {
	const char *path;
	long tail;	 /* last N lines, -1 = all */
	bool timestamps; /* prefix each line with its time */
	bool follow;
	int64_t since_ns, until_ns; /* records in [since, until) only; 0: no bound */
	/* while following: true once the writer is gone for good */
	bool (*finished)(void *arg);
	void *arg;
};

/* Print the log to our stdout/stderr, each record to the stream it came from. */
int hull_logs_print(const struct hull_logs_opts *o, struct hull_err *err);

#endif
