/* SPDX-License-Identifier: Apache-2.0 */
/* The log: runc's JSON line format, with escaping. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "lib/log.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

TEST(json_lines_parse_and_escape)
{
	char path[] = "/tmp/hull-unit-log-XXXXXX";
	int fd = mkstemp(path);
	cleanup_free char *text = NULL;
	const char *lvl[] = {"level", NULL}, *msg[] = {"msg", NULL}, *tm[] = {"time", NULL};
	char *nl;
	yajl_val t;

	CHECK(fd >= 0);
	close(fd);
	CHECK(hull_log_init(path, "json", false, NULL) == 0);
	hull_log(HULL_LOG_ERROR, "bad \"thing\"\nsecond line");
	hull_log(HULL_LOG_DEBUG, "not written without --debug");
	CHECK(hull_read_file(path, &text, NULL, NULL) == 0);
	nl = strchr(text, '\n');
	CHECK(nl != NULL && nl[1] == '\0'); /* exactly one record, one line */
	t = yajl_tree_parse(text, NULL, 0);
	CHECK(t != NULL);
	if (t) {
		CHECK_STR_EQ(YAJL_GET_STRING(yajl_tree_get(t, lvl, yajl_t_string)), "error");
		CHECK_STR_EQ(YAJL_GET_STRING(yajl_tree_get(t, msg, yajl_t_string)),
			     "bad \"thing\"\nsecond line");
		CHECK(yajl_tree_get(t, tm, yajl_t_string) != NULL);
		yajl_tree_free(t);
	}
	unlink(path);
}

TEST(unknown_format_is_an_error)
{
	struct hull_err err = {0};
	CHECK(hull_log_init(NULL, "xml", false, &err) < 0);
	CHECK(strstr(err.msg, "xml") != NULL);
}

UNIT_MAIN()
