/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <string.h>

#include "lib/signals.h"
#include "tests/unit/unit.h"

TEST(names_and_numbers)
{
	CHECK_INT_EQ(hull_parse_signal("9", NULL), 9);
	CHECK_INT_EQ(hull_parse_signal("KILL", NULL), SIGKILL);
	CHECK_INT_EQ(hull_parse_signal("SIGTERM", NULL), SIGTERM);
	CHECK_INT_EQ(hull_parse_signal("sigusr1", NULL), SIGUSR1);
	CHECK_INT_EQ(hull_parse_signal("hup", NULL), SIGHUP);
	CHECK_INT_EQ(hull_parse_signal("RTMIN", NULL), SIGRTMIN);
	CHECK_INT_EQ(hull_parse_signal("RTMIN+3", NULL), SIGRTMIN + 3);
	CHECK_INT_EQ(hull_parse_signal("SIGRTMAX-1", NULL), SIGRTMAX - 1);
	CHECK_STR_EQ(hull_signal_name(SIGKILL), "SIGKILL");
	/* the table's ends: the first and the last signal with a name, nothing around them */
	CHECK_STR_EQ(hull_signal_name(SIGHUP), "SIGHUP");
	CHECK_STR_EQ(hull_signal_name(SIGSYS), "SIGSYS");
	CHECK(hull_signal_name(0) == NULL);
	CHECK(hull_signal_name(SIGSYS + 1) == NULL);
	CHECK(hull_signal_name(-1) == NULL);
}

TEST(unknown_signals_are_errors)
{
	struct hull_err err = {0};
	CHECK(hull_parse_signal("FOO", &err) < 0);
	CHECK(strstr(err.msg, "unknown signal `FOO`") != NULL);
	CHECK(hull_parse_signal("0", NULL) < 0);
	CHECK(hull_parse_signal("65", NULL) < 0);
	CHECK(hull_parse_signal("", NULL) < 0);
	CHECK(hull_parse_signal("RTMIN-1", NULL) < 0);
	CHECK(hull_parse_signal("9x", NULL) < 0);
}

UNIT_MAIN()
