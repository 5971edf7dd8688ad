/* SPDX-License-Identifier: Apache-2.0 */
/* lib/size.c: one grammar for every size hull reads (docker's). */
#include <stdint.h>
#include <string.h>

#include "lib/size.h"
#include "tests/unit/unit.h"

/* the size, or -1 when refused; -2 when the status is neither 0 nor -1 (the contract of every
 * function of lib/ that can fail) */
static int64_t sz(const char *s, int64_t bare)
{
	struct hull_err err = {0};
	int64_t v = -42;
	int r = hull_parse_size(s, bare, &v, &err);
	if (r == -1)
		return -1;
	return r == 0 ? v : -2;
}

TEST(units_are_binary_and_any_case)
{
	CHECK(sz("1048576", 1) == 1048576);
	CHECK(sz("512k", 1) == 512 * 1024);
	CHECK(sz("512K", 1) == 512 * 1024);
	CHECK(sz("64m", 1) == 64LL << 20);
	CHECK(sz("64MiB", 1) == 64LL << 20);
	CHECK(sz("64mb", 1) == 64LL << 20);
	CHECK(sz("1g", 1) == 1LL << 30);
	CHECK(sz("1.5g", 1) == 3LL << 29);
	CHECK(sz("1t", 1) == 1LL << 40);
	CHECK(sz("2 TiB", 1) == 2LL << 40);
	CHECK(sz("1p", 1) == 1LL << 50);
	CHECK(sz("100b", 1) == 100);
	CHECK(sz("100B", 1) == 100);
}

TEST(a_bare_number_counts_in_the_callers_unit)
{
	CHECK(sz("512", 1 << 20) == 512LL << 20);
	CHECK(sz("1G", 1 << 20) == 1LL << 30);
	CHECK(sz("300b", 1 << 20) == 300);
}

TEST(bad_sizes_are_refused_by_name)
{
	struct hull_err err = {0};
	int64_t v = 7;
	CHECK(hull_parse_size("12x", 1, &v, &err) < 0);
	CHECK(strstr(err.msg, "`12x`") != NULL);
	CHECK(v == 7);
	CHECK(sz("", 1) == -1);
	CHECK(sz("-1", 1) == -1);
	CHECK(sz("k", 1) == -1);
	CHECK(sz("1kk", 1) == -1);
	CHECK(sz("1ib", 1) == -1);
	CHECK(sz("inf", 1) == -1);
	CHECK(sz("0x10", 1) == -1);
	CHECK(sz("9e18", 1) == -1);
	CHECK(sz("8192p", 1) == -1); /* 2^63: beyond int64 */
	CHECK(sz("8191p", 1) == 8191LL << 50);
}

UNIT_MAIN()
