/* SPDX-License-Identifier: Apache-2.0 */
/* Layer path rules and whiteouts (image/whiteout.c), chain IDs. */
#include <stdlib.h>

#include "image/unpack.h"
#include "image/whiteout.h"
#include "tests/unit/unit.h"

static char *clean(const char *p)
{
	char *out = NULL;
	if (hull_layer_path_clean(p, &out, NULL) < 0)
		return NULL;
	return out;
}

TEST(clean_paths)
{
	char *p;
	CHECK_STR_EQ(p = clean("./a//b/"), "a/b");
	free(p);
	CHECK_STR_EQ(p = clean("a/./b/c"), "a/b/c");
	free(p);
	CHECK_STR_EQ(p = clean("./"), ".");
	free(p);
	CHECK_STR_EQ(p = clean("."), ".");
	free(p);
	CHECK_STR_EQ(p = clean("a..b/..c"), "a..b/..c");
	free(p);
}

TEST(refuse_escapes)
{
	struct hull_err err = {0};
	char *out = (char *)1;
	CHECK(hull_layer_path_clean("/etc/passwd", &out, &err) < 0);
	CHECK(out == NULL);
	CHECK(strstr(err.msg, "/etc/passwd") && strstr(err.msg, "absolute"));
	CHECK(hull_layer_path_clean("../x", &out, &err) < 0);
	CHECK(strstr(err.msg, "`../x`") != NULL);
	CHECK(hull_layer_path_clean("a/../../x", &out, NULL) < 0);
	CHECK(hull_layer_path_clean("a/b/..", &out, NULL) < 0);
	CHECK(hull_layer_path_clean("..", &out, NULL) < 0);
}

TEST(whiteout_file)
{
	char *t = NULL;
	CHECK_INT_EQ(hull_whiteout_classify("etc/.wh.passwd", &t, NULL), HULL_WH_FILE);
	CHECK_STR_EQ(t, "etc/passwd");
	free(t);
	CHECK_INT_EQ(hull_whiteout_classify(".wh.top", &t, NULL), HULL_WH_FILE);
	CHECK_STR_EQ(t, "top");
	free(t);
}

TEST(whiteout_opaque)
{
	char *t = NULL;
	CHECK_INT_EQ(hull_whiteout_classify("opt/old/.wh..wh..opq", &t, NULL), HULL_WH_OPAQUE);
	CHECK_STR_EQ(t, "opt/old");
	free(t);
	CHECK_INT_EQ(hull_whiteout_classify(".wh..wh..opq", &t, NULL), HULL_WH_OPAQUE);
	CHECK_STR_EQ(t, ".");
	free(t);
}

TEST(whiteout_other)
{
	char *t = (char *)1;
	struct hull_err err = {0};
	CHECK_INT_EQ(hull_whiteout_classify("etc/passwd", &t, NULL), HULL_WH_NONE);
	CHECK(t == NULL);
	CHECK_INT_EQ(hull_whiteout_classify("a/.whx", &t, NULL), HULL_WH_NONE);
	CHECK_INT_EQ(hull_whiteout_classify("a/.wh..wh.plnk", &t, NULL), HULL_WH_RESERVED);
	CHECK(t == NULL);
	CHECK_INT_EQ(hull_whiteout_classify("a/.wh.", &t, &err), HULL_WH_ERROR);
	CHECK(strstr(err.msg, "a/.wh.") != NULL);
	CHECK_INT_EQ(hull_whiteout_classify("a/.wh...", &t, NULL), HULL_WH_ERROR);
}

TEST(chain_id)
{
	char out[HULL_DIGEST_SIZE];
	const char *a = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	const char *b = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
	hull_chain_id(NULL, a, out);
	CHECK_STR_EQ(out, a);
	/* sha256("<a> <b>"), as computed by sha256sum */
	hull_chain_id(a, b, out);
	CHECK_STR_EQ(out,
		     "sha256:9932074217c35353d2e03a3f5a86549f7c67bfeb0ba53e23d69f4d4c8f7958f5");
}

UNIT_MAIN()
