/* SPDX-License-Identifier: Apache-2.0 */
/* cmd/hull's --format templates: the Go text/template subset docker users write. */
#include <string.h>
#include <yajl/yajl_tree.h>

#include "cmd/hull/template.c"
#include "cmd/hull/template_eval.c"
#include "tests/unit/unit.h"

static const char *doc = "{\"ID\":\"abc123\",\"Names\":\"web\",\"State\":{\"Status\":\"running\","
			 "\"Pid\":42,\"Running\":true},\"Config\":{\"Labels\":{\"b\":\"2\",\"a\":"
			 "\"1\",\"dotted.key\":\"x\"},\"Env\":[\"A=1\",\"B=2\"]},\"Empty\":[],"
			 "\"Nothing\":null}";

/* render text over doc: the output, or "ERROR: msg" */
static char *r(const char *text)
{
	static char out[4096];
	struct hull_tmpl *t = NULL;
	struct hull_err err = {0};
	yajl_val v = yajl_tree_parse(doc, NULL, 0);
	char *s = NULL;

	if (hull_tmpl_parse(text, &t, &err) < 0 || hull_tmpl_render(t, v, &s, &err) < 0)
		snprintf(out, sizeof(out), "ERROR: %s", err.msg);
	else
		snprintf(out, sizeof(out), "%s", s);
	free(s);
	hull_tmpl_free(t);
	yajl_tree_free(v);
	return out;
}

TEST(fields_and_text)
{
	CHECK_STR_EQ(r("{{.ID}}"), "abc123");
	CHECK_STR_EQ(r("id={{.ID}} name={{ .Names }}"), "id=abc123 name=web");
	CHECK_STR_EQ(r("{{.State.Status}} {{.State.Pid}} {{.State.Running}}"), "running 42 true");
	CHECK_STR_EQ(r("{{.Missing}}|{{.State.Missing}}|{{.Nothing}}"),
		     "<no value>|<no value>|<no value>");
	CHECK_STR_EQ(r("{{.ID}}\\t{{.Names}}\\n"), "abc123\tweb\n");
	CHECK_STR_EQ(r("plain"), "plain");
}

TEST(values_print_as_go_prints_them)
{
	CHECK_STR_EQ(r("{{.Config.Env}}"), "[A=1 B=2]");
	CHECK_STR_EQ(r("{{.Config.Labels}}"), "map[a:1 b:2 dotted.key:x]");
	CHECK_STR_EQ(r("{{.Empty}}"), "[]");
}

TEST(functions)
{
	CHECK_STR_EQ(r("{{json .Config.Labels}}"),
		     "{\"b\":\"2\",\"a\":\"1\",\"dotted.key\":\"x\"}");
	CHECK_STR_EQ(r("{{json .ID}}"), "\"abc123\"");
	CHECK_STR_EQ(r("{{index .Config.Labels \"dotted.key\"}}"), "x");
	CHECK_STR_EQ(r("{{index .Config.Env 1}}"), "B=2");
	CHECK_STR_EQ(r("{{index .Config.Labels \"nope\"}}"), "<no value>");
	CHECK_STR_EQ(r("{{join .Config.Env \",\"}}"), "A=1,B=2");
	CHECK_STR_EQ(r("{{upper .Names}} {{lower \"AbC\"}} {{title \"ab cd\"}}"), "WEB abc Ab Cd");
	CHECK_STR_EQ(r("{{len .Config.Env}} {{len .Config.Labels}} {{len .ID}}"), "2 3 6");
	CHECK_STR_EQ(r("{{printf \"%s:%d%%\" .Names .State.Pid}}"), "web:42%");
	CHECK_STR_EQ(r("{{.Names | upper}}"), "WEB");
	CHECK_STR_EQ(r("{{.Names | printf \"<%s>\"}}"), "<web>");
	CHECK_STR_EQ(r("{{(index .Config.Env 0) | lower}}"), "a=1");
}

TEST(if_range_with)
{
	CHECK_STR_EQ(r("{{if eq .State.Status \"running\"}}up{{else}}down{{end}}"), "up");
	CHECK_STR_EQ(r("{{if ne .State.Status \"running\"}}up{{else}}down{{end}}"), "down");
	CHECK_STR_EQ(r("{{if .Empty}}x{{else}}empty{{end}}"), "empty");
	CHECK_STR_EQ(r("{{if not .Nothing}}none{{end}}"), "none");
	CHECK_STR_EQ(r("{{if and .ID .Empty}}a{{else}}b{{end}}{{if or .Empty .ID}}c{{end}}"), "bc");
	CHECK_STR_EQ(r("{{range .Config.Env}}[{{.}}]{{end}}"), "[A=1][B=2]");
	CHECK_STR_EQ(r("{{range .Empty}}x{{else}}no env{{end}}"), "no env");
	CHECK_STR_EQ(r("{{with .State}}{{.Status}}/{{.Pid}}{{end}}"), "running/42");
	CHECK_STR_EQ(r("{{range .Config.Env -}} {{.}} {{- end}}"), "A=1B=2");
}

TEST(errors_name_the_problem)
{
	CHECK(strstr(r("{{.ID"), "unclosed action") != NULL);
	CHECK(strstr(r("{{if .ID}}x"), "no {{end}}") != NULL);
	CHECK(strstr(r("{{end}}"), "without an action") != NULL);
	CHECK(strstr(r("{{nosuch .ID}}"), "`nosuch` is not defined") != NULL);
	CHECK(strstr(r("{{json}}"), "json") != NULL);
	CHECK(strstr(r("{{\"abc}}"), "unterminated string") != NULL);
	CHECK(strstr(r("{{}}"), "empty action") != NULL);
	CHECK(strstr(r("{{printf \"%s %s\" .ID}}"), "printf") != NULL);
}

TEST(format_words)
{
	const char *t = "x";
	CHECK(hull_format_is_table("table", &t) && t == NULL);
	CHECK(hull_format_is_table("table {{.ID}}", &t) && !strcmp(t, "{{.ID}}"));
	CHECK(!hull_format_is_table("{{.ID}}", &t));
	CHECK(hull_format_is_json("json"));
	CHECK(!hull_format_is_json("{{json .}}"));
}

UNIT_MAIN()
