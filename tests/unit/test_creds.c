/* SPDX-License-Identifier: Apache-2.0 */
/* image/creds.c: where stored logins are found and how they are written, with every file
 * under a temporary home. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/creds.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

static char home[] = "/tmp/hull-unit-creds.XXXXXX";

static void put(const char *rel, const char *text)
{
	cleanup_free char *p = hull_strfmt("%s/%s", home, rel);
	cleanup_free char *dir = xstrdup(p);
	*strrchr(dir, '/') = '\0';
	hull_mkdir_p(dir, 0700, NULL);
	hull_write_file_atomic(p, text, strlen(text), 0600, NULL);
}

/* user:password found for host, or "" */
static char *find(const char *host)
{
	struct hull_creds c;
	struct hull_err err = {0};
	char *out;
	if (hull_creds_find(host, NULL, &c, &err) < 0)
		return hull_strfmt("error: %s", err.msg);
	out = hull_strfmt("%s%s%s", c.username ? c.username : "", c.username ? ":" : "",
			  c.password ? c.password : "");
	hull_creds_free(&c);
	return out;
}

static void fresh_home(void)
{
	cleanup_free char *cfg = NULL, *rt = NULL;
	if (home[strlen(home) - 1] != 'X')
		hull_remove_tree(home, NULL);
	strcpy(home + strlen(home) - 6, "XXXXXX");
	if (!mkdtemp(home))
		UNIT_FAIL("mkdtemp");
	cfg = hull_strfmt("%s/cfg", home);
	rt = hull_strfmt("%s/run", home);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	setenv("XDG_RUNTIME_DIR", rt, 1);
	unsetenv("DOCKER_CONFIG");
	unsetenv("REGISTRY_AUTH_FILE");
}

TEST(keys_name_hosts)
{
	char *v;
	fresh_home();
	/* docker's keys: a scheme and a path; Docker Hub under any of its names */
	put(".docker/config.json", "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":"
				   "\"aHViOnB3\"},\"http://h.example:5000/v2/\":{\"auth\":"
				   "\"dTpw\"},\"ns.example/team\":{\"auth\":\"bjpw\"}}}");
	CHECK_STR_EQ((v = find("registry-1.docker.io")), "hub:pw");
	free(v);
	CHECK_STR_EQ((v = find("docker.io")), "hub:pw");
	free(v);
	CHECK_STR_EQ((v = find("h.example:5000")), "u:p");
	free(v);
	/* podman's per-namespace key names no whole registry */
	CHECK_STR_EQ((v = find("ns.example")), "");
	free(v);
	CHECK_STR_EQ((v = find("h.example")), "");
	free(v);
	/* podman's file comes before docker's, hull's before both */
	put("run/containers/auth.json", "{\"auths\":{\"h.example:5000\":{\"auth\":\"cG9kOnB3\"}}}");
	CHECK_STR_EQ((v = find("h.example:5000")), "pod:pw");
	free(v);
	put("cfg/hull/auth.json", "{\"auths\":{\"h.example:5000\":{\"username\":\"me\","
				  "\"password\":\"x:y\"}}}");
	CHECK_STR_EQ((v = find("h.example:5000")), "me:x:y");
	free(v);
	/* an auth that is not base64(user:password) is an error naming the file */
	put("cfg/hull/auth.json", "{\"auths\":{\"h.example:5000\":{\"auth\":\"bm9jb2xvbg==\"}}}");
	v = find("h.example:5000");
	CHECK(strstr(v, "auth.json`: the `auth` of h.example:5000 is not base64(USER:PASSWORD)"));
	free(v);
	put("cfg/hull/auth.json", "[1]");
	v = find("h.example:5000");
	CHECK(strstr(v, "not a JSON object"));
	free(v);
}

TEST(store_keeps_the_rest)
{
	struct hull_err err = {0};
	cleanup_free char *file = NULL, *text = NULL;
	struct stat st;
	bool had = false;
	char *v;

	fresh_home();
	file = hull_creds_file(NULL);
	CHECK(strstr(file, "/cfg/hull/auth.json"));
	put("cfg/hull/auth.json", "{\"auths\":{\"o:1\":{\"auth\":\"YTpi\"}},\"credHelpers\":{}}");
	CHECK(hull_creds_store(file, "https://h:5000/v2/", "me", "pw", &err) == 0);
	CHECK(hull_read_file(file, &text, NULL, NULL) == 0);
	CHECK(strstr(text, "\"h:5000\""));
	CHECK(strstr(text, "\"bWU6cHc=\""));
	CHECK(strstr(text, "\"o:1\""));
	CHECK(strstr(text, "\"credHelpers\""));
	CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_STR_EQ((v = find("h:5000")), "me:pw");
	free(v);
	/* a second login replaces the entry */
	CHECK(hull_creds_store(file, "h:5000", "me", "pw2", &err) == 0);
	CHECK_STR_EQ((v = find("h:5000")), "me:pw2");
	free(v);
	CHECK(hull_creds_erase(file, "h:5000", &had, &err) == 0 && had);
	CHECK_STR_EQ((v = find("h:5000")), "");
	free(v);
	CHECK(hull_creds_erase(file, "h:5000", &had, &err) == 0 && !had);
	CHECK_STR_EQ((v = find("o:1")), "a:b");
	free(v);
	CHECK(hull_creds_erase(file, NULL, &had, &err) == 0 && had);
	CHECK_STR_EQ((v = find("o:1")), "");
	free(v);
	/* Docker Hub is stored as docker.io */
	CHECK(hull_creds_store(file, "index.docker.io", "hub", "pw", &err) == 0);
	free(text);
	text = NULL;
	CHECK(hull_read_file(file, &text, NULL, NULL) == 0);
	CHECK(strstr(text, "\"docker.io\""));
	hull_remove_tree(home, NULL);
}

UNIT_MAIN()
