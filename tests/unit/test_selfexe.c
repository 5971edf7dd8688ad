/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime refuses to put a process into a container from a writable binary
 * (CVE-2019-5736): a library caller that never called hull_selfexe_protect, like this test
 * program, gets an error from create and exec before anything is made. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/container.h"
#include "runtime/selfexe.h"
#include "tests/unit/unit.h"

TEST(check_refuses_a_writable_binary)
{
	struct hull_err err = {0};
	CHECK(hull_selfexe_check(&err) < 0);
	CHECK_INT_EQ(err.errnum, EPERM);
	CHECK(strstr(err.msg, "CVE-2019-5736") != NULL);
	CHECK(strstr(err.msg, "test_selfexe") != NULL);
}

TEST(create_and_exec_refuse_before_making_anything)
{
	char root[] = "/tmp/hull-selfexe-XXXXXX";
	struct hull_create_opts co = {.id = "c1", .bundle = "/nonexistent"};
	struct hull_exec_opts xo = {.id = "c1"};
	struct hull_err err = {0};
	char *args[] = {"true", NULL};
	int status = -1;

	CHECK(mkdtemp(root) != NULL);
	co.root = xo.root = root;
	xo.args = args;
	CHECK(hull_container_create(&co, &err) < 0);
	CHECK(strstr(err.msg, "CVE-2019-5736") != NULL);
	memset(&err, 0, sizeof(err));
	CHECK(hull_container_exec(&xo, &status, &err) < 0);
	CHECK(strstr(err.msg, "CVE-2019-5736") != NULL);
	/* the id was not claimed */
	CHECK(rmdir(root) == 0);
}

UNIT_MAIN()
