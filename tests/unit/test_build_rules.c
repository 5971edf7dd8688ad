/* SPDX-License-Identifier: Apache-2.0 */
/* The builder's pure rules: .dockerignore matching (engine/build_context.c), settings
 * instructions on an image config (engine/imgedit.c), the config model (image/imgconfig.c). */
#include <stdlib.h>
#include <string.h>

#include "engine/build_int.h"
#include "engine/imgedit.h"
#include "image/imgconfig.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

TEST(path_patterns)
{
	CHECK(hull_path_match("*.txt", "a.txt"));
	CHECK(!hull_path_match("*.txt", "d/a.txt"));
	CHECK(hull_path_match("**/*.txt", "d/e/a.txt"));
	CHECK(hull_path_match("**/*.txt", "a.txt"));
	CHECK(hull_path_match("d/**", "d/e/f"));
	CHECK(hull_path_match("d/?/f", "d/e/f"));
	CHECK(hull_path_match("[ab]*", "beta"));
	CHECK(!hull_path_match("d/*", "d/e/f"));
}

TEST(dockerignore_rules)
{
	struct hull_ignore ig = {0};
	hull_ignore_parse(&ig, "# comment\n\n/build\n*.log\n!keep.log\n  docs/**/*.md  \n"
			       "../outside\n./tmp/\n");
	CHECK_INT_EQ(ig.n, 5);
	/* a pattern matches the path or a directory above it */
	CHECK(hull_ignore_match(&ig, "build"));
	CHECK(hull_ignore_match(&ig, "build/out/x.o"));
	CHECK(!hull_ignore_match(&ig, "src/build"));
	CHECK(hull_ignore_match(&ig, "x.log"));
	CHECK(!hull_ignore_match(&ig, "keep.log"));
	CHECK(!hull_ignore_match(&ig, "sub/x.log"));
	CHECK(hull_ignore_match(&ig, "docs/a/b/c.md"));
	CHECK(hull_ignore_match(&ig, "docs/c.md"));
	CHECK(!hull_ignore_match(&ig, "docs/c.txt"));
	CHECK(hull_ignore_match(&ig, "tmp/a"));
	CHECK(!hull_ignore_match(&ig, "."));
	hull_ignore_free(&ig);
	/* the last matching pattern decides */
	hull_ignore_parse(&ig, "!a.log\n*.log\n");
	CHECK(hull_ignore_match(&ig, "a.log"));
	hull_ignore_free(&ig);
}

static int apply(struct hull_imgedit *ed, const char *line, struct hull_err *err)
{
	struct hull_df_instr in;
	int rc;
	if (hull_df_parse_line(line, '\\', &in, err) < 0)
		return -1;
	rc = hull_imgedit_apply(ed, &in, err);
	hull_df_instr_clear(&in);
	return rc;
}

TEST(settings_instructions)
{
	struct hull_imgcfg cfg;
	struct hull_imgedit ed = {.cfg = &cfg, .escape = '\\'};
	struct hull_err err = {0};

	hull_imgcfg_init(&cfg);
	hull_strv_push(&cfg.cmd, "inherited");
	CHECK(apply(&ed, "ENV A=1 B=${A}2", &err) == 0);
	/* one ENV line expands with the values from before it, as docker does */
	CHECK_STR_EQ(hull_imgcfg_getenv(&cfg, "B"), "2");
	CHECK(apply(&ed, "ENV C=$A", &err) == 0);
	CHECK_STR_EQ(hull_imgcfg_getenv(&cfg, "C"), "1");
	CHECK(apply(&ed, "WORKDIR /a", &err) == 0);
	CHECK(apply(&ed, "WORKDIR b/../c/./d", &err) == 0);
	CHECK_STR_EQ(cfg.workdir, "/a/c/d");
	CHECK(apply(&ed, "EXPOSE 80 8000-8002/udp", &err) == 0);
	CHECK_INT_EQ(hull_strv_len(cfg.ports), 4);
	CHECK_STR_EQ(cfg.ports[3], "8002/udp");
	CHECK(apply(&ed, "EXPOSE 70000", &err) < 0);
	/* ENTRYPOINT drops the inherited CMD; a CMD given before it stays */
	CHECK(apply(&ed, "ENTRYPOINT [\"/e\"]", &err) == 0);
	CHECK(cfg.cmd == NULL);
	CHECK(apply(&ed, "CMD run it", &err) == 0);
	CHECK(apply(&ed, "ENTRYPOINT /e2 x", &err) == 0);
	CHECK_INT_EQ(hull_strv_len(cfg.cmd), 3);
	CHECK_STR_EQ(cfg.entrypoint[2], "/e2 x");
	CHECK(apply(&ed, "SHELL [\"/bin/bash\", \"-c\"]", &err) == 0);
	CHECK(apply(&ed, "CMD echo", &err) == 0);
	CHECK_STR_EQ(cfg.cmd[0], "/bin/bash");
	CHECK(apply(&ed, "HEALTHCHECK --interval=1m30s --timeout=5s --retries=2 CMD [\"t\"]",
		    &err) == 0);
	CHECK(cfg.healthcheck && cfg.healthcheck->interval == 90000000000LL);
	CHECK(cfg.healthcheck && cfg.healthcheck->timeout == 5000000000LL);
	CHECK_STR_EQ(cfg.healthcheck ? cfg.healthcheck->test[0] : NULL, "CMD");
	CHECK(apply(&ed, "HEALTHCHECK --interval=30 CMD t", &err) < 0);
	CHECK(apply(&ed, "HEALTHCHECK NONE", &err) == 0);
	CHECK_STR_EQ(cfg.healthcheck->test[0], "NONE");
	CHECK(apply(&ed, "STOPSIGNAL NOPE", &err) < 0);
	CHECK(apply(&ed, "STOPSIGNAL SIGINT", &err) == 0);
	CHECK(apply(&ed, "RUN x", &err) < 0);
	hull_imgcfg_free(&cfg);
}

TEST(config_keeps_what_it_does_not_model)
{
	struct hull_imgcfg cfg;
	struct hull_err err = {0};
	char *out;

	CHECK(hull_imgcfg_parse(
		      "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\","
		      "\"container_config\":{\"Cmd\":[\"old\"]},"
		      "\"config\":{\"Cmd\":[\"c\"],\"Domainname\":\"d\",\"Labels\":{\"a\":\"b\"}},"
		      "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:aa\"]},"
		      "\"history\":[{\"created_by\":\"x\",\"empty_layer\":true}]}",
		      &cfg, &err) == 0);
	hull_strv_push(&cfg.diff_ids, "sha256:bb");
	hull_imgcfg_add_step(&cfg, "step", NULL, "why", false);
	out = hull_imgcfg_write(&cfg);
	CHECK(strstr(out, "\"architecture\":\"arm64\"") && strstr(out, "\"variant\":\"v8\""));
	CHECK(strstr(out, "\"Domainname\":\"d\"") && strstr(out, "\"Labels\":{\"a\":\"b\"}"));
	CHECK(strstr(out, "\"diff_ids\":[\"sha256:aa\",\"sha256:bb\"]") != NULL);
	CHECK(strstr(out, "{\"created_by\":\"x\",\"empty_layer\":true}") != NULL);
	CHECK(strstr(out, "\"created_by\":\"step\",\"comment\":\"why\"") != NULL);
	CHECK(strstr(out, "container_config") == NULL);
	free(out);
	hull_imgcfg_free(&cfg);
	CHECK(hull_imgcfg_parse("[1]", &cfg, &err) < 0);
	CHECK(hull_imgcfg_parse("{\"config\":{\"Env\":\"x\"}}", &cfg, &err) < 0);
}

UNIT_MAIN()
