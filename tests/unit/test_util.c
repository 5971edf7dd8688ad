/* SPDX-License-Identifier: Apache-2.0 */
/* lib/util.c and lib/json.c: the small helpers every folder shares (string lists, directory
 * walks, lock files, ids, key/value pairs). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/timearg.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/hull-util-XXXXXX";
	return xstrdup(mkdtemp(tmpl));
}

TEST(strv_join_and_sort)
{
	char *v[] = {xstrdup("b"), xstrdup("a"), xstrdup("ab"), NULL};
	char *none[] = {NULL};
	cleanup_free char *j1 = hull_strv_join(v, ", "), *j0 = hull_strv_join(none, " ");
	cleanup_free char *jn = hull_strv_join(NULL, " ");

	CHECK(!strcmp(j1, "b, a, ab"));
	CHECK(!strcmp(j0, ""));
	CHECK(!strcmp(jn, ""));
	hull_strv_sort(v, 3);
	CHECK(!strcmp(v[0], "a") && !strcmp(v[1], "ab") && !strcmp(v[2], "b"));
	hull_strv_sort(v, 0); /* nothing to sort is no error */
	for (int i = 0; i < 3; i++)
		free(v[i]);
}

TEST(dir_walks_skip_dot_entries_and_sort)
{
	cleanup_free char *d = tmpdir();
	cleanup_free char *c = hull_strfmt("%s/c", d), *a = hull_strfmt("%s/a", d);
	cleanup_free char *sub = hull_strfmt("%s/sub", d), *link = hull_strfmt("%s/link", d);
	cleanup_strv char **names = NULL;
	cleanup_dir DIR *dir = NULL, *empty = NULL;
	size_t n = 99;

	CHECK(close(open(c, O_CREAT | O_WRONLY, 0600)) == 0);
	CHECK(close(open(a, O_CREAT | O_WRONLY, 0600)) == 0);
	CHECK(mkdir(sub, 0700) == 0);
	CHECK(symlink(sub, link) == 0);
	dir = hull_opendirat(AT_FDCWD, d, 0);
	CHECK(dir != NULL);
	names = hull_dir_sorted(dir, &n);
	CHECK(n == 4);
	CHECK(!strcmp(names[0], "a") && !strcmp(names[1], "c") && !strcmp(names[2], "link") &&
	      !strcmp(names[3], "sub") && !names[4]);
	empty = hull_opendirat(AT_FDCWD, sub, 0);
	CHECK(empty && hull_readdir(empty) == NULL);
	/* extra flags: O_NOFOLLOW refuses a symlink; a file is no directory */
	CHECK(hull_opendirat(AT_FDCWD, link, O_NOFOLLOW) == NULL);
	CHECK(hull_opendirat(AT_FDCWD, a, 0) == NULL);
	CHECK(hull_remove_tree(d, NULL) == 0);
}

TEST(lock_path_is_exclusive_and_no_symlink)
{
	cleanup_free char *d = tmpdir();
	cleanup_free char *lock = hull_strfmt("%s/x.lock", d), *link = hull_strfmt("%s/l", d);
	struct hull_err err = {0};
	struct stat st;
	int fd = hull_lock_path(lock, &err), other;

	CHECK(fd >= 0);
	CHECK(stat(lock, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* held: another open file description cannot take it */
	other = open(lock, O_RDWR | O_CLOEXEC);
	CHECK(other >= 0 && flock(other, LOCK_EX | LOCK_NB) < 0);
	close(fd);
	CHECK(flock(other, LOCK_EX | LOCK_NB) == 0);
	close(other);
	CHECK(symlink(lock, link) == 0);
	CHECK(hull_lock_path(link, &err) < 0);
	CHECK(strstr(err.msg, link) != NULL);
	CHECK(hull_remove_tree(d, NULL) == 0);
}

TEST(files_written_whole_and_read_back)
{
	cleanup_free char *d = tmpdir();
	cleanup_free char *f = hull_strfmt("%s/f", d), *deep = hull_strfmt("%s/a/b/c", d);
	cleanup_free char *text = NULL, *missing = hull_strfmt("%s/none", d);
	struct hull_err err = {0};
	struct stat st;
	size_t len = 0;

	CHECK(hull_write_file_atomic(f, "hello\n", 6, 0640, &err) == 0);
	CHECK(stat(f, &st) == 0 && (st.st_mode & 0777) == 0640 && st.st_size == 6);
	CHECK(hull_read_file(f, &text, &len, &err) == 0);
	CHECK(len == 6 && !strcmp(text, "hello\n"));
	CHECK(hull_read_file(missing, &text, NULL, &err) < 0 && strstr(err.msg, missing));
	CHECK(hull_mkdir_p(deep, 0700, &err) == 0);
	CHECK(stat(deep, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(hull_has_prefix("HOME=/root", "HOME="));
	CHECK(!hull_has_prefix("HOMER=x", "HOME="));
	CHECK(!hull_has_prefix("HO", "HOME="));
	CHECK(hull_remove_tree(d, NULL) == 0);
}

/* A process whose stdin is closed gets fd 0 from its next open: still a lock. */
TEST(lock_path_as_fd_zero)
{
	cleanup_free char *d = tmpdir();
	cleanup_free char *lock = hull_strfmt("%s/x.lock", d);
	struct hull_err err = {0};
	int saved = dup(0), fd;

	CHECK(saved > 0);
	close(0);
	fd = hull_lock_path(lock, &err);
	CHECK(fd == 0);
	dup2(saved, 0);
	close(saved);
	CHECK(hull_remove_tree(d, NULL) == 0);
}

TEST(random_ids_and_now)
{
	cleanup_free char *a = hull_random_id(), *b = hull_random_id();
	cleanup_free char *now = hull_now_rfc3339();

	CHECK(strlen(a) == 64 && strspn(a, "0123456789abcdef") == 64);
	CHECK(strcmp(a, b) != 0);
	CHECK(hull_rfc3339_ns(now, strlen(now)) > 0);
}

TEST(kv_free_takes_null_and_pairs)
{
	struct hull_kv *kv = xzalloc(2 * sizeof(*kv));
	kv[0].key = xstrdup("k");
	kv[0].value = xstrdup("v");
	kv[1].key = xstrdup("k2");
	kv[1].value = xstrdup("v2");
	hull_kv_free(kv, 2);
	hull_kv_free(NULL, 3);
}

UNIT_MAIN()
