/* SPDX-License-Identifier: Apache-2.0 */
/* Path resolution inside a root: nothing outside it may be reached or created. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/pathres.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

static char base[] = "/tmp/hull-unit-pathres-XXXXXX";
static char root[256], outside[256];

static void setup(void)
{
	if (!mkdtemp(base))
		abort();
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	mkdir(root, 0755);
	mkdir(outside, 0755);
}

static void teardown(void)
{
	hull_remove_tree(base, NULL);
}

static bool exists(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

TEST(mkpath_creates_dirs_inside)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY);
	int fd = hull_mkpath_in_root(rootfd, "/a/b/c", HULL_MK_DIR, 0755, NULL);
	CHECK(fd >= 0);
	CHECK(exists(root, "a/b/c"));
	close(fd);
	close(rootfd);
}

TEST(mkpath_absolute_symlink_stays_inside)
{
	char link[512];
	int rootfd = open(root, O_PATH | O_DIRECTORY), fd;
	snprintf(link, sizeof(link), "%s/evil", root);
	CHECK(symlink(outside, link) == 0); /* absolute: points at the host's outside dir */
	fd = hull_mkpath_in_root(rootfd, "/evil/pwned", HULL_MK_DIR, 0755, NULL);
	CHECK(!exists(outside, "pwned"));
	if (fd >= 0)
		close(fd);
	close(rootfd);
}

TEST(mkpath_dotdot_symlink_stays_inside)
{
	char link[512];
	int rootfd = open(root, O_PATH | O_DIRECTORY), fd;
	snprintf(link, sizeof(link), "%s/up", root);
	CHECK(symlink("../../../../../../outside", link) == 0);
	fd = hull_mkpath_in_root(rootfd, "/up/file", HULL_MK_FILE, 0644, NULL);
	CHECK(!exists(outside, "file"));
	if (fd >= 0)
		close(fd);
	close(rootfd);
}

TEST(mkpath_dangling_symlink_is_created_inside)
{
	char link[512], made[512];
	int rootfd = open(root, O_PATH | O_DIRECTORY), fd;
	snprintf(link, sizeof(link), "%s/dangling", root);
	CHECK(symlink("/elsewhere/deep", link) == 0);
	fd = hull_mkpath_in_root(rootfd, "/dangling/sub", HULL_MK_DIR, 0755, NULL);
	CHECK(fd >= 0);
	snprintf(made, sizeof(made), "%s/elsewhere/deep/sub", root);
	CHECK(access(made, F_OK) == 0);
	CHECK(access("/elsewhere", F_OK) != 0);
	if (fd >= 0)
		close(fd);
	close(rootfd);
}

/* An image's /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf (systemd's, common
 * in real images): a file mounted over it lands at the target, made inside the root. */
TEST(mkpath_dangling_symlink_as_the_last_component_makes_its_target)
{
	char link[512], made[512];
	int rootfd = open(root, O_PATH | O_DIRECTORY), fd;
	struct stat st;
	snprintf(link, sizeof(link), "%s/etc", root);
	mkdir(link, 0755);
	snprintf(link, sizeof(link), "%s/etc/resolv.conf", root);
	CHECK(symlink("../run/systemd/resolve/stub-resolv.conf", link) == 0);
	fd = hull_mkpath_in_root(rootfd, "/etc/resolv.conf", HULL_MK_FILE, 0644, NULL);
	CHECK(fd >= 0);
	snprintf(made, sizeof(made), "%s/run/systemd/resolve/stub-resolv.conf", root);
	CHECK(stat(made, &st) == 0 && S_ISREG(st.st_mode));
	if (fd >= 0)
		close(fd);
	/* and an absolute one, as a directory */
	snprintf(link, sizeof(link), "%s/data", root);
	CHECK(symlink("/srv/data", link) == 0);
	fd = hull_mkpath_in_root(rootfd, "/data", HULL_MK_DIR, 0755, NULL);
	CHECK(fd >= 0);
	snprintf(made, sizeof(made), "%s/srv/data", root);
	CHECK(stat(made, &st) == 0 && S_ISDIR(st.st_mode));
	if (fd >= 0)
		close(fd);
	/* a relative one is relative to its own directory, not to the root */
	snprintf(link, sizeof(link), "%s/opt", root);
	mkdir(link, 0755);
	snprintf(link, sizeof(link), "%s/opt/app", root);
	mkdir(link, 0755);
	snprintf(link, sizeof(link), "%s/opt/app/conf", root);
	CHECK(symlink("data/conf.d", link) == 0);
	fd = hull_mkpath_in_root(rootfd, "/opt/app/conf", HULL_MK_DIR, 0755, NULL);
	CHECK(fd >= 0);
	snprintf(made, sizeof(made), "%s/opt/app/data/conf.d", root);
	CHECK(stat(made, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(!exists(root, "data"));
	if (fd >= 0)
		close(fd);
	close(rootfd);
}

TEST(mkpath_symlink_loop_is_an_error)
{
	char link[512];
	int rootfd = open(root, O_PATH | O_DIRECTORY), fd;
	snprintf(link, sizeof(link), "%s/loop", root);
	CHECK(symlink("/loop/x", link) == 0);
	fd = hull_mkpath_in_root(rootfd, "/loop/y", HULL_MK_DIR, 0755, NULL);
	CHECK(fd < 0);
	close(rootfd);
}

TEST(mkpath_dotdot_in_path_is_clamped)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY);
	int fd = hull_mkpath_in_root(rootfd, "/../../outside/x", HULL_MK_DIR, 0755, NULL);
	CHECK(!exists(outside, "x"));
	if (fd >= 0)
		close(fd);
	close(rootfd);
}

TEST(mkpath_kind_mismatch_is_an_error)
{
	struct hull_err err = {0};
	int rootfd = open(root, O_PATH | O_DIRECTORY), fd;
	fd = hull_mkpath_in_root(rootfd, "/kind/dir", HULL_MK_DIR, 0755, NULL);
	CHECK(fd >= 0);
	close(fd);
	fd = hull_mkpath_in_root(rootfd, "/kind/dir", HULL_MK_FILE, 0644, &err);
	CHECK(fd < 0);
	CHECK(strstr(err.msg, "is a directory") != NULL);
	close(rootfd);
}

TEST(open_in_root_relative_symlink_works)
{
	char link[512];
	int rootfd = open(root, O_PATH | O_DIRECTORY), fd;
	mkdir(strcat(strcpy(link, root), "/real"), 0755);
	snprintf(link, sizeof(link), "%s/rel", root);
	CHECK(symlink("real", link) == 0);
	fd = hull_open_in_root(rootfd, "/rel", O_PATH | O_DIRECTORY, 0, NULL);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	close(rootfd);
}

int main(void)
{
	int r;
	setup();
	r = unit_run_all(__FILE__);
	teardown();
	return r;
}
