/* SPDX-License-Identifier: Apache-2.0 */
/* Hooks: state on stdin, args and env, exit status, timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/hooks.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/hull-unit-hooks-XXXXXX";

static struct hull_hook sh_hook(const char *script, int timeout, char **env)
{
	static char *args[4];
	args[0] = "sh";
	args[1] = "-c";
	args[2] = (char *)script;
	args[3] = NULL;
	return (struct hull_hook){.path = "/bin/sh", .args = args, .env = env, .timeout = timeout};
}

TEST(state_on_stdin_and_env)
{
	cleanup_free char *script = hull_strfmt("cat > %s/state; echo \"$K\" > %s/env", dir, dir);
	cleanup_free char *state = NULL, *env = NULL;
	cleanup_free char *sp = hull_strfmt("%s/state", dir), *ep = hull_strfmt("%s/env", dir);
	char *envv[] = {"K=V", NULL};
	struct hull_hook h = sh_hook(script, 0, envv);
	struct hull_hook_list l = {&h, 1};
	CHECK(hull_hooks_run(&l, "prestart", "{\"id\":\"x\"}", NULL) == 0);
	CHECK(hull_read_file(sp, &state, NULL, NULL) == 0);
	CHECK_STR_EQ(state, "{\"id\":\"x\"}");
	CHECK(hull_read_file(ep, &env, NULL, NULL) == 0);
	CHECK_STR_EQ(env, "V\n");
}

/* runc's hooks: no `env`, the runtime's environment; an empty one, nothing at all */
TEST(env_absent_is_the_runtime_s_and_empty_is_empty)
{
	cleanup_free char *script = hull_strfmt("echo \"${HULL_UNIT_HOOK-unset}\" > %s/env", dir);
	cleanup_free char *ep = hull_strfmt("%s/env", dir);
	char *none[] = {NULL};
	struct hull_hook h = sh_hook(script, 0, NULL);
	struct hull_hook_list l = {&h, 1};

	setenv("HULL_UNIT_HOOK", "inherited", 1);
	CHECK(hull_hooks_run(&l, "prestart", "{}", NULL) == 0);
	{
		cleanup_free char *env = NULL;
		CHECK(hull_read_file(ep, &env, NULL, NULL) == 0);
		CHECK_STR_EQ(env, "inherited\n");
	}
	h.env = none;
	CHECK(hull_hooks_run(&l, "prestart", "{}", NULL) == 0);
	{
		cleanup_free char *env = NULL;
		CHECK(hull_read_file(ep, &env, NULL, NULL) == 0);
		CHECK_STR_EQ(env, "unset\n");
	}
	unsetenv("HULL_UNIT_HOOK");
}

TEST(failure_is_named)
{
	struct hull_err err = {0};
	struct hull_hook h = sh_hook("exit 3", 0, NULL);
	struct hull_hook_list l = {&h, 1};
	CHECK(hull_hooks_run(&l, "poststart", "{}", &err) < 0);
	CHECK(strstr(err.msg, "poststart hook `/bin/sh` exited with status 3") != NULL);
}

TEST(timeout_kills_the_hook_and_its_children)
{
	struct hull_err err = {0};
	struct hull_hook h = sh_hook("sleep 30 & sleep 30", 1, NULL);
	struct hull_hook_list l = {&h, 1};
	time_t t0 = time(NULL);
	CHECK(hull_hooks_run(&l, "createRuntime", "{}", &err) < 0);
	CHECK(time(NULL) - t0 < 5);
	CHECK(strstr(err.msg, "timed out after 1 s") != NULL);
}

TEST(missing_hook_binary)
{
	struct hull_err err = {0};
	struct hull_hook h = {.path = "/nonexistent/hook"};
	struct hull_hook_list l = {&h, 1};
	CHECK(hull_hooks_run(&l, "prestart", "{}", &err) < 0);
	CHECK(strstr(err.msg, "/nonexistent/hook") != NULL);
}

int main(void)
{
	int r;
	if (!mkdtemp(dir))
		return 1;
	r = unit_run_all(__FILE__);
	hull_remove_tree(dir, NULL);
	return r;
}
