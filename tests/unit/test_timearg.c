/* SPDX-License-Identifier: Apache-2.0 */
/* lib/timearg.c: --since and --until as docker takes them. */
#include <string.h>

#include "lib/timearg.h"
#include "tests/unit/unit.h"

#define S 1000000000LL

static int64_t t(const char *s)
{
	int64_t v = -1;
	struct hull_err err = {0};
	if (hull_parse_time_arg(s, 1000 * S, &v, &err) < 0)
		return -1;
	return v;
}

TEST(durations_count_back_from_now)
{
	CHECK(t("10s") == 990 * S);
	CHECK(t("1m") == 940 * S);
	CHECK(t("1h") == 1000 * S - 3600 * S);
	CHECK(t("1m30s") == 910 * S);
	CHECK(t("500ms") == 1000 * S - S / 2);
	CHECK(t("2.5s") == 1000 * S - 5 * S / 2);
}

TEST(unix_times_and_rfc3339)
{
	CHECK(t("1700000000") == 1700000000 * S);
	CHECK(t("1700000000.25") == 1700000000 * S + S / 4);
	CHECK(t("2023-11-14T22:13:20Z") == 1700000000 * S);
	CHECK(t("2023-11-14T22:13:20") == 1700000000 * S);
	CHECK(t("2023-11-14T23:13:20+01:00") == 1700000000 * S);
	CHECK(t("2023-11-14T22:13:20.5Z") == 1700000000 * S + S / 2);
	CHECK(t("2023-11-14") == (1700000000 - 80000) * S);
	CHECK(hull_rfc3339_ns("2023-11-14T22:13:20.000000001Z", 30) == 1700000000 * S + 1);
	CHECK(hull_rfc3339_ns("nope", 4) == -1);
}

TEST(anything_else_is_refused_by_name)
{
	struct hull_err err = {0};
	int64_t v;
	CHECK(hull_parse_time_arg("yesterday", 0, &v, &err) < 0);
	CHECK(strstr(err.msg, "`yesterday`") != NULL);
	CHECK(t("10x") == -1);
	CHECK(t("-5m") == -1);
	CHECK(t("2023-13-40") == -1);
	CHECK(t("") == -1);
}

UNIT_MAIN()
