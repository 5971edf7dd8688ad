/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "lib/err.h"
#include "lib/util.h"

static int log_fd = -1;
static bool log_json;
static bool log_debug;
static const char *program = "hull-oci";

int hull_log_init(const char *path, const char *format, bool debug, struct hull_err *err)
{
	log_debug = debug;
	if (format && strcmp(format, "text") && strcmp(format, "json"))
		return hull_error(err, EINVAL, "--log-format must be `text` or `json`, not `%s`",
				  format);
	log_json = format && !strcmp(format, "json");
	if (path && *path) {
		log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (log_fd < 0)
			return hull_error(err, errno, "open log file `%s`", path);
	}
	return 0;
}

void hull_log_set_program(const char *name)
{
	program = name;
}

bool hull_log_debug_enabled(void)
{
	return log_debug;
}

int hull_log_fd(void)
{
	return log_fd;
}

static const char *level_name(enum hull_log_level l)
{
	static const char *const n[] = {"debug", "info", "warning", "error"};
	return n[l];
}

static void write_record(enum hull_log_level level, const char *msg)
{
	char when[64];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (log_json) {
		/* runc's (logrus) line format, which containerd and podman parse */
		yajl_gen g = yajl_gen_alloc(NULL);
		const unsigned char *buf;
		size_t len;
		yajl_gen_map_open(g);
		yajl_gen_string(g, (const unsigned char *)"level", 5);
		yajl_gen_string(g, (const unsigned char *)level_name(level),
				strlen(level_name(level)));
		yajl_gen_string(g, (const unsigned char *)"msg", 3);
		yajl_gen_string(g, (const unsigned char *)msg, strlen(msg));
		yajl_gen_string(g, (const unsigned char *)"time", 4);
		yajl_gen_string(g, (const unsigned char *)when, strlen(when));
		yajl_gen_map_close(g);
		yajl_gen_get_buf(g, &buf, &len);
		hull_write_all(log_fd, buf, len);
		hull_write_all(log_fd, "\n", 1);
		yajl_gen_free(g);
	} else {
		dprintf(log_fd, "time=\"%s\" level=%s msg=\"%s\"\n", when, level_name(level), msg);
	}
}

void hull_log(enum hull_log_level level, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if (level == HULL_LOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_fd >= 0)
		write_record(level, msg);
	else if (level != HULL_LOG_ERROR)
		/* without a log file errors are printed by cmd/ itself, once */
		dprintf(2, "%s: %s: %s\n", program, level_name(level), msg);
}
