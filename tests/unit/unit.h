/* SPDX-License-Identifier: Apache-2.0 */
/* A tiny unit-test framework: TEST(name) registers, CHECK* record failures, and the runner
 * prints `ok - file: name` or `not ok - file: name: why` per test (counted by tests/run.sh). */
#ifndef HULL_UNIT_H
#define HULL_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

#define UNIT_MAX_TESTS 256
static struct unit_test unit_tests[UNIT_MAX_TESTS];
static int unit_n_tests;
static int unit_failed_now, unit_skipped_now;
static char unit_why[4096];

#define TEST(name)                                                                                 \
	static void test_##name(void);                                                             \
	__attribute__((constructor)) static void register_##name(void)                             \
	{                                                                                          \
		if (unit_n_tests < UNIT_MAX_TESTS)                                                 \
			unit_tests[unit_n_tests++] = (struct unit_test){#name, test_##name};       \
	}                                                                                          \
	static void test_##name(void)

#define UNIT_FAIL(...)                                                                             \
	do {                                                                                       \
		if (!unit_failed_now) {                                                            \
			int _n = snprintf(unit_why, sizeof(unit_why), "%s:%d: ", __FILE__,         \
					  __LINE__);                                               \
			snprintf(unit_why + _n, sizeof(unit_why) - (size_t)_n, __VA_ARGS__);       \
		}                                                                                  \
		unit_failed_now = 1;                                                               \
	} while (0)

/* The host lacks what the test needs (root, a cgroup controller): say why, check nothing. */
#define UNIT_SKIP(...)                                                                             \
	do {                                                                                       \
		snprintf(unit_why, sizeof(unit_why), __VA_ARGS__);                                 \
		unit_skipped_now = 1;                                                              \
		return;                                                                            \
	} while (0)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			UNIT_FAIL("CHECK(%s)", #cond);                                             \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b))                                                  \
			UNIT_FAIL("%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)",         \
				  _b ? _b : "(null)");                                             \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                                         \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		if (_a != _b)                                                                      \
			UNIT_FAIL("%s == %lld, expected %lld", #a, _a, _b);                        \
	} while (0)

static inline int unit_run_all(const char *file)
{
	const char *base = strrchr(file, '/');
	int i, failed = 0;
	base = base ? base + 1 : file;
	for (i = 0; i < unit_n_tests; i++) {
		unit_failed_now = unit_skipped_now = 0;
		unit_tests[i].fn();
		if (unit_skipped_now && !unit_failed_now) {
			printf("skip - %s: %s: %s\n", base, unit_tests[i].name, unit_why);
		} else if (unit_failed_now) {
			printf("not ok - %s: %s: %s\n", base, unit_tests[i].name, unit_why);
			failed++;
		} else {
			printf("ok - %s: %s\n", base, unit_tests[i].name);
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}

#define UNIT_MAIN()                                                                                \
	int main(void)                                                                             \
	{                                                                                          \
		return unit_run_all(__FILE__);                                                     \
	}

#endif
