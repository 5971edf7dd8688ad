/* SPDX-License-Identifier: Apache-2.0 */
/* A container directory or name without a usable record.json (a hull killed half-way) loads
 * as a partial record, so that ps -a lists it and rm -f removes it (engine/ctr.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/ctr.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

#define ID1 "1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "2222222222222222222222222222222222222222222222222222222222222222"
#define ID3 "3333333333333333333333333333333333333333333333333333333333333333"

/* an engine in a fresh directory (top: its path, for the removal at the end) */
static void engine(struct hull_engine *e, char top[32])
{
	char root[128], runroot[128];
	struct hull_err err = {0};
	snprintf(top, 32, "/tmp/hull-partial-XXXXXX");
	if (!mkdtemp(top))
		UNIT_FAIL("mkdtemp");
	snprintf(root, sizeof(root), "%s/store", top);
	snprintf(runroot, sizeof(runroot), "%s/run", top);
	if (hull_engine_init(e, root, runroot, &err) < 0)
		UNIT_FAIL("%s", err.msg);
}

static void put(const char *path, const char *text)
{
	struct hull_err err = {0};
	if (hull_write_file_atomic(path, text, strlen(text), 0600, &err) < 0)
		UNIT_FAIL("%s", err.msg);
}

TEST(directory_without_record)
{
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	struct hull_err err = {0};
	cleanup_free char *dir = NULL, *link = NULL, *cfg = NULL;

	char top[32];

	engine(&e, top);
	dir = hull_ctr_dir(&e, ID1);
	CHECK(mkdir(dir, 0700) == 0);
	link = hull_strfmt("%s/names/web", e.root);
	CHECK(symlink(ID1, link) == 0);
	cfg = hull_ctr_path(&e, ID1, "config.json");
	put(cfg, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, "
		 "\"process\": {\"args\": [\"sleep\", \"5\"], \"cwd\": \"/\"}}");
	CHECK(hull_ctr_lookup(&e, "web", &c, &err) == 0);
	if (c) {
		CHECK(c->command && c->command[0] && c->command[1] && !c->command[2]);
		if (c->command && c->command[0] && c->command[1]) {
			CHECK_STR_EQ(c->command[0], "sleep");
			CHECK_STR_EQ(c->command[1], "5");
		}
		CHECK(c->partial);
		CHECK_STR_EQ(c->id, ID1);
		CHECK_STR_EQ(c->name, "web");
		CHECK_STR_EQ(c->network, "none");
		CHECK_STR_EQ(c->rootfs_kind, "copy");
		CHECK(c->created && *c->created);
	}
	hull_ctr_free(c);
	hull_engine_free(&e);
	hull_remove_tree(top, NULL);
}

TEST(damaged_record_with_network)
{
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	struct hull_err err = {0};
	cleanup_free char *dir = NULL, *rec = NULL, *ns = NULL;

	char top[32];

	engine(&e, top);
	dir = hull_ctr_dir(&e, ID2);
	CHECK(mkdir(dir, 0700) == 0);
	rec = hull_ctr_path(&e, ID2, "record.json");
	put(rec, "{\"id\": \"2222");
	ns = hull_strfmt("%s/.netns/%s", e.runroot, ID2);
	CHECK(hull_mkdir_p(ns, 0700, &err) == 0); /* stands for the bound namespace file */
	CHECK(hull_ctr_load(&e, ID2, &c, &err) == 0);
	if (c) {
		CHECK(c->partial);
		CHECK_STR_EQ(c->name, "");
		CHECK_STR_EQ(c->network, "bridge");
	}
	hull_ctr_free(c);
	hull_engine_free(&e);
	hull_remove_tree(top, NULL);
}

TEST(dangling_name_and_nothing)
{
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL, **v = NULL;
	struct hull_err err = {0};
	cleanup_free char *link = NULL, *dir = NULL;
	size_t n = 0;

	char top[32];

	engine(&e, top);
	link = hull_strfmt("%s/names/gone", e.root);
	CHECK(symlink(ID3, link) == 0);
	CHECK(hull_ctr_lookup(&e, "gone", &c, &err) == 0);
	if (c) {
		CHECK(c->partial);
		CHECK_STR_EQ(c->name, "gone");
	}
	hull_ctr_free(c);
	c = NULL;
	CHECK(unlink(link) == 0);
	CHECK(hull_ctr_load(&e, ID3, &c, &err) < 0);
	/* ps -a lists a directory without a record */
	dir = hull_ctr_dir(&e, ID1);
	CHECK(mkdir(dir, 0700) == 0);
	CHECK(hull_ctr_list(&e, &v, &n, &err) == 0);
	CHECK_INT_EQ(n, 1);
	if (n == 1)
		CHECK(v[0]->partial);
	hull_ctr_list_free(v, n);
	hull_engine_free(&e);
	hull_remove_tree(top, NULL);
}

UNIT_MAIN()
