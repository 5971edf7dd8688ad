/* SPDX-License-Identifier: Apache-2.0 */
/* Image references, digests and blob verification, user resolution in an image rootfs. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/ref.h"
#include "image/store.h"
#include "image/userdb.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

static char *norm(const char *ref)
{
	char *out = NULL;
	if (hull_ref_normalize(ref, &out, NULL) < 0)
		return NULL;
	return out;
}

#define CHECK_NORM(in, want)                                                                       \
	do {                                                                                       \
		char *_nn = norm(in);                                                              \
		CHECK_STR_EQ(_nn, want);                                                           \
		free(_nn);                                                                         \
	} while (0)

TEST(ref_normalize)
{
	CHECK_NORM("busybox", "busybox:latest");
	CHECK_NORM("busybox:1.36", "busybox:1.36");
	CHECK_NORM("docker.io/library/busybox", "busybox:latest");
	CHECK_NORM("index.docker.io/library/alpine:3", "alpine:3");
	CHECK_NORM("library/busybox", "busybox:latest");
	CHECK_NORM("docker.io/user/app:v1", "user/app:v1");
	CHECK_NORM("localhost:5000/app", "localhost:5000/app:latest");
	CHECK_NORM("quay.io/a/b-c__d.e:tag_1", "quay.io/a/b-c__d.e:tag_1");
	CHECK_NORM("registry.example.com/library/x", "registry.example.com/library/x:latest");
}

TEST(ref_refused)
{
	struct hull_err err = {0};
	CHECK(hull_ref_normalize("", NULL, NULL) < 0);
	CHECK(hull_ref_normalize("BusyBox", NULL, &err) < 0);
	CHECK(strstr(err.msg, "BusyBox") != NULL);
	CHECK(hull_ref_normalize("a//b", NULL, NULL) < 0);
	CHECK(hull_ref_normalize("a:", NULL, NULL) < 0);
	CHECK(hull_ref_normalize("a:-x", NULL, NULL) < 0);
	CHECK(hull_ref_normalize("a-", NULL, NULL) < 0);
	CHECK(hull_ref_normalize("a/../b", NULL, NULL) < 0);
	CHECK(hull_ref_normalize("a@sha256:00", NULL, NULL) < 0);
}

TEST(ref_split)
{
	char *repo, *tag;
	hull_ref_split("localhost:5000/app:v2", &repo, &tag);
	CHECK_STR_EQ(repo, "localhost:5000/app");
	CHECK_STR_EQ(tag, "v2");
	free(repo);
	free(tag);
}

TEST(digest_valid)
{
	char d[HULL_DIGEST_SIZE];
	hull_sha256_buf("abc", 3, d);
	CHECK_STR_EQ(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(hull_digest_valid(d));
	CHECK(!hull_digest_valid(
		"sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	CHECK(!hull_digest_valid("sha256:../../etc/passwd"));
	CHECK(!hull_digest_valid(
		"sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	CHECK(!hull_digest_valid("sha256:ba7816bf"));
	/* the check says what was wrong, and of what */
	{
		struct hull_err err = {0};
		CHECK(hull_digest_check(d, "blob digest", &err) == 0);
		CHECK(hull_digest_check("sha256:../../etc/passwd", "blob digest", &err) < 0);
		CHECK(strstr(err.msg, "blob digest") && strstr(err.msg, "not a sha256 digest"));
		CHECK(hull_digest_check(NULL, "config digest", &err) < 0);
		CHECK(strstr(err.msg, "config digest") && strstr(err.msg, "(missing)"));
	}
}

static char *tmpdir(void)
{
	char *d = xstrdup("/tmp/hull-unit-XXXXXX");
	if (!mkdtemp(d))
		abort();
	return d;
}

TEST(blob_verified)
{
	cleanup_free char *root = tmpdir();
	struct hull_store s;
	struct hull_err err = {0};
	char d[HULL_DIGEST_SIZE], *data = NULL;
	const char *good =
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	const char *bad = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

	CHECK(hull_store_open(&s, root, false, &err) == 0);
	CHECK(hull_store_put_blob(&s, "abc", 3, good, d, &err) == 0);
	CHECK_STR_EQ(d, good);
	CHECK(hull_store_has_blob(&s, good));
	CHECK(hull_store_put_blob(&s, "abd", 3, bad, d, &err) < 0);
	CHECK(strstr(err.msg, "digest mismatch") != NULL);
	CHECK(!hull_store_has_blob(&s, bad));
	CHECK(hull_store_read_blob(&s, good, &data, NULL, &err) == 0);
	CHECK_STR_EQ(data, "abc");
	free(data);
	{
		/* a blob changed on disk is caught when read */
		cleanup_free char *p = hull_store_blob_path(&s, good);
		chmod(p, 0644);
		CHECK(hull_write_file_atomic(p, "xyz", 3, 0444, NULL) == 0);
		CHECK(hull_store_read_blob(&s, good, &data, NULL, &err) < 0);
		CHECK(strstr(err.msg, "corrupt") != NULL);
	}
	hull_store_close(&s);
	hull_remove_tree(root, NULL);
}

static int make_rootfs(char *dir)
{
	cleanup_free char *etc = hull_strfmt("%s/etc", dir);
	cleanup_free char *pw = hull_strfmt("%s/etc/passwd", dir);
	cleanup_free char *gr = hull_strfmt("%s/etc/group", dir);
	const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
			     "app:x:1000:1001:app:/home/app:/bin/sh\n"
			     "broken line\n";
	const char *group = "root:x:0:\nappgrp:x:1001:\nstaff:x:50:app,other\nwheel:x:10:app\n";
	mkdir(etc, 0755);
	hull_write_file_atomic(pw, passwd, strlen(passwd), 0644, NULL);
	hull_write_file_atomic(gr, group, strlen(group), 0644, NULL);
	return open(dir, O_PATH | O_DIRECTORY);
}

TEST(user_resolve)
{
	cleanup_free char *dir = tmpdir();
	int fd = make_rootfs(dir);
	struct hull_user u;
	struct hull_err err = {0};

	CHECK(hull_user_resolve(fd, "", &u, &err) == 0);
	CHECK_INT_EQ(u.uid, 0);
	CHECK_INT_EQ(u.gid, 0);
	hull_user_free(&u);
	CHECK(hull_user_resolve(fd, "app", &u, &err) == 0);
	CHECK_INT_EQ(u.uid, 1000);
	CHECK_INT_EQ(u.gid, 1001);
	CHECK_INT_EQ(u.n_groups, 2);
	if (u.n_groups == 2) {
		CHECK_INT_EQ(u.groups[0], 50);
		CHECK_INT_EQ(u.groups[1], 10);
	}
	hull_user_free(&u);
	CHECK(hull_user_resolve(fd, "app:staff", &u, &err) == 0);
	CHECK_INT_EQ(u.gid, 50);
	hull_user_free(&u);
	CHECK(hull_user_resolve(fd, "1000:7", &u, &err) == 0);
	CHECK_INT_EQ(u.uid, 1000);
	CHECK_INT_EQ(u.gid, 7);
	hull_user_free(&u);
	/* a uid the image does not list: group 0, as docker */
	CHECK(hull_user_resolve(fd, "4242", &u, &err) == 0);
	CHECK_INT_EQ(u.uid, 4242);
	CHECK_INT_EQ(u.gid, 0);
	hull_user_free(&u);
	CHECK(hull_user_resolve(fd, "nobody", &u, &err) < 0);
	CHECK(strstr(err.msg, "nobody") != NULL);
	CHECK(hull_user_resolve(fd, "app:nogroup", &u, &err) < 0);
	CHECK(strstr(err.msg, "nogroup") != NULL);
	close(fd);
	hull_remove_tree(dir, NULL);
}

TEST(user_passwd_symlink_stays_inside)
{
	cleanup_free char *dir = tmpdir(), *outside = tmpdir();
	cleanup_free char *etc = hull_strfmt("%s/etc", dir);
	cleanup_free char *pw = hull_strfmt("%s/etc/passwd", dir);
	cleanup_free char *host = hull_strfmt("%s/passwd", outside);
	const char *line = "evil:x:0:0::/:/bin/sh\n";
	struct hull_user u;
	struct hull_err err = {0};
	int fd;

	mkdir(etc, 0755);
	hull_write_file_atomic(host, line, strlen(line), 0644, NULL);
	/* the link names a file outside the rootfs: resolved inside it, it names nothing */
	CHECK(symlink(host, pw) == 0);
	fd = open(dir, O_PATH | O_DIRECTORY);
	CHECK(hull_user_resolve(fd, "evil", &u, &err) < 0);
	CHECK(strstr(err.msg, "unable to find user evil") != NULL);
	close(fd);
	hull_remove_tree(dir, NULL);
	hull_remove_tree(outside, NULL);
}

UNIT_MAIN()
