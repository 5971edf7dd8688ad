/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/runstate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "lib/json.h"
#include "lib/util.h"

int hull_ctr_load_run(const struct hull_engine *e, struct hull_ctr *c, struct hull_err *err)
{
	cleanup_free char *path = hull_ctr_path(e, c->id, HULL_RUNSTATE_FILE);
	cleanup_free char *text = NULL;
	char ebuf[256];
	int64_t count = 0;
	yajl_val j;
	int rc = 0;

	if (hull_read_file(path, &text, NULL, NULL) < 0)
		return 0;
	j = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!j)
		return hull_error(err, EINVAL, "parse %s: %s", path, ebuf);
	if (sj_string(j, "started", "started", &c->started, err) < 0 ||
	    sj_int(j, "restartCount", "restartCount", 0, INT32_MAX, &count, err) < 0 ||
	    sj_bool(j, "restarting", "restarting", &c->restarting, err) < 0)
		rc = hull_error_wrap(err, "%s", path);
	c->restart_count = (int)count;
	yajl_tree_free(j);
	return rc;
}

bool hull_ctr_monitor_alive(const struct hull_ctr *c)
{
	char path[64], buf[256];
	cleanup_close int fd = -1;
	ssize_t n;
	char *paren;

	if (c->monitor_pid <= 0 || kill(c->monitor_pid, 0) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", c->monitor_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' */
	paren = strrchr(buf, ')');
	return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

int hull_ctr_save_run(const struct hull_engine *e, const char *id, const char *started,
		      int restart_count, bool restarting, struct hull_err *err)
{
	cleanup_free char *path = hull_ctr_path(e, id, HULL_RUNSTATE_FILE);
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	int rc;

	yajl_gen_map_open(g);
	hull_gen_str(g, "started"), hull_gen_str(g, started);
	hull_gen_str(g, "restartCount"), yajl_gen_integer(g, restart_count);
	hull_gen_str(g, "restarting"), yajl_gen_bool(g, restarting);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	rc = hull_write_file_atomic(path, buf, len, 0600, err);
	yajl_gen_free(g);
	return rc;
}
