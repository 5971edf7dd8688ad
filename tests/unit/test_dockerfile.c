/* SPDX-License-Identifier: Apache-2.0 */
/* engine/dockerfile.c and dockerfile_words.c: the Dockerfile parser and its word rules. */
#include <stdlib.h>
#include <string.h>

#include "engine/dockerfile.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

static struct hull_dockerfile parse_ok(const char *text)
{
	struct hull_dockerfile df;
	struct hull_err err = {0};
	if (hull_dockerfile_parse(text, &df, &err) < 0) {
		UNIT_FAIL("parse: %s", err.msg);
		memset(&df, 0, sizeof(df));
	}
	return df;
}

static const char *vars(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "A"))
		return "one";
	if (!strcmp(name, "SP"))
		return "x y";
	if (!strcmp(name, "EMPTY"))
		return "";
	return NULL;
}

/* the words text expands to, joined with '|' */
static char *expand(const char *text, char escape, bool split)
{
	struct hull_err err = {0};
	char **w = NULL, *out;
	if (hull_df_expand(text, escape, vars, NULL, split, &w, &err) < 0)
		return hull_strfmt("ERROR %s", err.msg);
	out = xstrdup("");
	for (char **p = w; *p; p++) {
		char *n = hull_strfmt("%s%s%s", out, p == w ? "" : "|", *p);
		free(out);
		out = n;
	}
	hull_strv_free(w);
	return out;
}

#define CHECK_EXPAND(text, escape, split, want)                                                    \
	do {                                                                                       \
		char *_got = expand(text, escape, split);                                          \
		CHECK_STR_EQ(_got, want);                                                          \
		free(_got);                                                                        \
	} while (0)

TEST(instructions_flags_and_forms)
{
	struct hull_dockerfile df = parse_ok("FROM --platform=linux/amd64 busybox AS base\n"
					     "run echo hi\n"
					     "CMD [\"/bin/sh\", \"-c\", \"date\"]\n"
					     "ENTRYPOINT [not json\n"
					     "COPY --from=base --chown=1:2 a b /dst/\n"
					     "SHELL [\"/bin/bash\", \"-c\"]\n");
	CHECK_INT_EQ(df.n, 6);
	if (df.n != 6)
		return;
	CHECK_INT_EQ(df.v[0].kind, HULL_DF_FROM);
	CHECK_STR_EQ(hull_df_flag(&df.v[0], "platform"), "linux/amd64");
	CHECK_STR_EQ(df.v[0].rest, "busybox AS base");
	CHECK_INT_EQ(df.v[1].kind, HULL_DF_RUN);
	CHECK_STR_EQ(df.v[1].keyword, "RUN");
	CHECK_STR_EQ(df.v[1].original, "run echo hi");
	CHECK(!df.v[1].json);
	CHECK(df.v[2].json);
	CHECK_INT_EQ(hull_strv_len(df.v[2].args), 3);
	CHECK_STR_EQ(df.v[2].args[2], "date");
	CHECK(!df.v[3].json);
	CHECK_STR_EQ(df.v[3].rest, "[not json");
	CHECK_STR_EQ(hull_df_flag(&df.v[4], "from"), "base");
	CHECK_STR_EQ(hull_df_flag(&df.v[4], "chown"), "1:2");
	CHECK(hull_df_flag(&df.v[4], "chmod") == NULL);
	CHECK_STR_EQ(df.v[4].rest, "a b /dst/");
	CHECK_INT_EQ(df.v[5].line, 6);
	hull_dockerfile_free(&df);
}

TEST(continuations_comments_and_lines)
{
	struct hull_dockerfile df = parse_ok("# a comment\n"
					     "\n"
					     "FROM scratch\n"
					     "RUN echo a \\\n"
					     "# a comment inside\n"
					     "\n"
					     "  b \\  \n"
					     "  c\n"
					     "   # indented comment\n"
					     "ENV X=1\r\n");
	CHECK_INT_EQ(df.n, 3);
	if (df.n != 3)
		return;
	CHECK_STR_EQ(df.v[1].rest, "echo a   b   c");
	CHECK_INT_EQ(df.v[1].line, 4);
	CHECK_INT_EQ(df.v[2].line, 10);
	CHECK_STR_EQ(df.v[2].rest, "X=1");
	hull_dockerfile_free(&df);
}

TEST(directives_escape_and_syntax)
{
	struct hull_dockerfile df = parse_ok("# syntax=docker/dockerfile:1\n"
					     "# escape=`\n"
					     "FROM scratch\n"
					     "RUN dir c:\\ `\n"
					     "  && echo done\n");
	CHECK_INT_EQ(df.escape, '`');
	CHECK_INT_EQ(df.n, 2);
	if (df.n == 2)
		CHECK_STR_EQ(df.v[1].rest, "dir c:\\   && echo done");
	hull_dockerfile_free(&df);
	/* a directive after an instruction or a comment is just a comment */
	df = parse_ok("FROM scratch\n# escape=`\nRUN a \\\n b\n");
	CHECK_INT_EQ(df.escape, '\\');
	CHECK_INT_EQ(df.n, 2);
	hull_dockerfile_free(&df);
}

TEST(errors_name_the_line)
{
	struct hull_dockerfile df;
	struct hull_err err = {0};
	CHECK(hull_dockerfile_parse("FROM x\nFROBNICATE y\n", &df, &err) < 0);
	CHECK(strstr(err.msg, "line 2") && strstr(err.msg, "unknown instruction: FROBNICATE"));
	CHECK(hull_dockerfile_parse("FROM x\nCOPY --mount=a b c\n", &df, &err) < 0);
	CHECK(strstr(err.msg, "unknown flag: mount") != NULL);
	CHECK(hull_dockerfile_parse("FROM x\nSHELL /bin/sh -c\n", &df, &err) < 0);
	CHECK(strstr(err.msg, "JSON form") != NULL);
	CHECK(hull_dockerfile_parse("FROM x\nONBUILD FROM y\n", &df, &err) < 0);
	CHECK(strstr(err.msg, "isn't allowed as an ONBUILD trigger") != NULL);
	CHECK(hull_dockerfile_parse("# escape=x\nFROM x\n", &df, &err) < 0);
	CHECK(strstr(err.msg, "invalid escape token") != NULL);
	CHECK(hull_dockerfile_parse("FROM x\nWORKDIR\n", &df, &err) < 0);
	CHECK(strstr(err.msg, "WORKDIR requires at least one argument") != NULL);
}

TEST(expansion_quotes_and_variables)
{
	CHECK_EXPAND("$A ${A} x${A}y", '\\', true, "one|one|xoney");
	CHECK_EXPAND("\"$SP\" '$A' \\$A", '\\', true, "x y|$A|$A");
	CHECK_EXPAND("${NOPE:-dflt} ${EMPTY:-e} ${EMPTY-set} ${A:+alt} ${NOPE:+alt}x", '\\', true,
		     "dflt|e||alt|x");
	CHECK_EXPAND("a  \"b  c\"  ''", '\\', true, "a|b  c|");
	CHECK_EXPAND("  keep  spaces $A ", '\\', false, "  keep  spaces one ");
	CHECK_EXPAND("\"a\\\"b\" \"c\\d\"", '\\', true, "a\"b|c\\d");
	CHECK_EXPAND("`$A c:\\x", '`', true, "$A|c:\\x");
	CHECK_EXPAND("cost $ 5 $1", '\\', true, "cost|$|5|$1");
	{
		char *e = expand("${NOPE:?must be set}", '\\', true);
		CHECK(strstr(e, "ERROR NOPE: must be set") != NULL);
		free(e);
		e = expand("\"open", '\\', true);
		CHECK(strstr(e, "double-quote") != NULL);
		free(e);
		e = expand("${A", '\\', true);
		CHECK(strstr(e, "ERROR") != NULL);
		free(e);
	}
}

TEST(env_and_label_pairs)
{
	struct hull_df_instr in;
	struct hull_err err = {0};
	char **kv = NULL;

	CHECK(hull_df_parse_line("ENV A=1 B=\"two words\" C=$A\\ x", '\\', &in, &err) == 0);
	CHECK(hull_df_pairs(&in, '\\', vars, NULL, &kv, &err) == 0);
	CHECK_INT_EQ(hull_strv_len(kv), 6);
	if (hull_strv_len(kv) == 6) {
		CHECK_STR_EQ(kv[3], "two words");
		CHECK_STR_EQ(kv[5], "one x");
	}
	hull_strv_free(kv);
	hull_df_instr_clear(&in);
	/* the older form: the value is the rest of the line */
	CHECK(hull_df_parse_line("ENV NAME some value $A", '\\', &in, &err) == 0);
	CHECK(hull_df_pairs(&in, '\\', vars, NULL, &kv, &err) == 0);
	CHECK_INT_EQ(hull_strv_len(kv), 2);
	if (hull_strv_len(kv) == 2) {
		CHECK_STR_EQ(kv[0], "NAME");
		CHECK_STR_EQ(kv[1], "some value one");
	}
	hull_strv_free(kv);
	hull_df_instr_clear(&in);
	CHECK(hull_df_parse_line("LABEL a=b c", '\\', &in, &err) == 0);
	CHECK(hull_df_pairs(&in, '\\', vars, NULL, &kv, &err) < 0);
	CHECK(strstr(err.msg, "can't find = in \"c\"") != NULL);
	hull_df_instr_clear(&in);
}

UNIT_MAIN()
