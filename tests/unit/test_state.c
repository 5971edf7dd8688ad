/* SPDX-License-Identifier: Apache-2.0 */
/* Container ids, state files and the status derived from the live process. */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "lib/timearg.h"
#include "lib/util.h"
#include "runtime/state.h"
#include "tests/unit/unit.h"

TEST(valid_ids)
{
	CHECK(hull_validate_id("abc", NULL) == 0);
	CHECK(hull_validate_id("a-b_c.d+1", NULL) == 0);
}

TEST(invalid_ids_are_named)
{
	struct hull_err err = {0};
	CHECK(hull_validate_id("", &err) < 0);
	CHECK(hull_validate_id("..", &err) < 0);
	CHECK(hull_validate_id(".", &err) < 0);
	CHECK(hull_validate_id("a/b", &err) < 0);
	CHECK(strstr(err.msg, "a/b") != NULL);
	CHECK(hull_validate_id("../x", &err) < 0);
}

static struct hull_state *sample(pid_t pid)
{
	struct hull_state *st = xzalloc(sizeof(*st));
	st->id = xstrdup("c1");
	st->bundle = xstrdup("/b");
	st->rootfs = xstrdup("/b/rootfs");
	st->created = hull_now_rfc3339();
	st->cgroup_path = xstrdup("/hull/c1");
	st->isolation = xstrdup("container");
	st->pid = pid;
	hull_proc_start_time(pid, &st->start_time, NULL);
	st->annotations = xzalloc(sizeof(*st->annotations));
	st->annotations[0].key = xstrdup("k");
	st->annotations[0].value = xstrdup("v \"quoted\"");
	st->n_annotations = 1;
	return st;
}

TEST(save_load_roundtrip_and_live_status)
{
	char root[] = "/tmp/hull-unit-state-XXXXXX";
	cleanup_free char *dir = NULL;
	struct hull_state *st, *back = NULL;
	pid_t child;

	CHECK(mkdtemp(root) != NULL);
	dir = hull_state_dir(root, "c1");
	mkdir(dir, 0700);
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	st = sample(child);
	CHECK(hull_state_save(root, st, NULL) == 0);
	CHECK(hull_state_load(root, "c1", &back, NULL) == 0);
	if (back) {
		CHECK_STR_EQ(back->bundle, "/b");
		CHECK_STR_EQ(back->cgroup_path, "/hull/c1");
		CHECK_INT_EQ(back->pid, child);
		CHECK(back->start_time == st->start_time);
		CHECK_INT_EQ(back->status, HULL_RUNNING);
		CHECK_STR_EQ(back->annotations[0].value, "v \"quoted\"");
		hull_state_free(back);
	}
	/* a stale start time means the pid was reused: stopped */
	st->start_time += 1;
	hull_state_save(root, st, NULL);
	CHECK(hull_state_load(root, "c1", &back, NULL) == 0);
	if (back) {
		CHECK_INT_EQ(back->status, HULL_STOPPED);
		hull_state_free(back);
	}
	st->start_time -= 1;
	hull_state_save(root, st, NULL);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CHECK(hull_state_load(root, "c1", &back, NULL) == 0);
	if (back) {
		CHECK_INT_EQ(back->status, HULL_STOPPED);
		hull_state_free(back);
	}
	hull_state_free(st);
	hull_remove_tree(root, NULL);
}

TEST(state_json_has_the_spec_fields)
{
	struct hull_state *st = sample(getpid());
	cleanup_free char *json = NULL;
	yajl_val t;
	const char *id[] = {"id", NULL}, *status[] = {"status", NULL},
		   *ver[] = {"ociVersion", NULL};
	st->status = HULL_CREATED;
	json = hull_state_to_json(st, true);
	t = yajl_tree_parse(json, NULL, 0);
	CHECK(t != NULL);
	CHECK_STR_EQ(YAJL_GET_STRING(yajl_tree_get(t, id, yajl_t_string)), "c1");
	CHECK_STR_EQ(YAJL_GET_STRING(yajl_tree_get(t, status, yajl_t_string)), "created");
	CHECK(yajl_tree_get(t, ver, yajl_t_string) != NULL);
	yajl_tree_free(t);
	hull_state_free(st);
}

TEST(missing_container_is_enoent)
{
	struct hull_err err = {0};
	struct hull_state *st = NULL;
	CHECK(hull_state_load("/nonexistent-hull-root", "nope", &st, &err) < 0);
	CHECK_INT_EQ(err.errnum, ENOENT);
	CHECK(strstr(err.msg, "does not exist") != NULL);
}

UNIT_MAIN()
