/* SPDX-License-Identifier: Apache-2.0 */
/* The Dockerfile parser: lines to instructions.  Expansion of the arguments happens later,
 * step by step, when the builder knows the variables (dockerfile_words.c). */
#include "engine/dockerfile.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_tree.h>

#include "lib/util.h"

#define DIRECTIVE_ESCAPE "escape"

static const struct {
	const char *name;
	enum hull_df_kind kind;
	const char *const flags[6]; /* the flags it takes */
} keywords[] = {
	{"FROM", HULL_DF_FROM, {"platform"}},
	{"RUN", HULL_DF_RUN, {NULL}},
	{"CMD", HULL_DF_CMD, {NULL}},
	{"ENTRYPOINT", HULL_DF_ENTRYPOINT, {NULL}},
	{"ENV", HULL_DF_ENV, {NULL}},
	{"ARG", HULL_DF_ARG, {NULL}},
	{"LABEL", HULL_DF_LABEL, {NULL}},
	{"EXPOSE", HULL_DF_EXPOSE, {NULL}},
	{"VOLUME", HULL_DF_VOLUME, {NULL}},
	{"USER", HULL_DF_USER, {NULL}},
	{"WORKDIR", HULL_DF_WORKDIR, {NULL}},
	{"COPY", HULL_DF_COPY, {"from", "chown", "chmod"}},
	{"ADD", HULL_DF_ADD, {"chown", "chmod"}},
	{"SHELL", HULL_DF_SHELL, {NULL}},
	{"STOPSIGNAL", HULL_DF_STOPSIGNAL, {NULL}},
	{"HEALTHCHECK",
	 HULL_DF_HEALTHCHECK,
	 {"interval", "timeout", "start-period", "start-interval", "retries"}},
	{"ONBUILD", HULL_DF_ONBUILD, {NULL}},
	{"MAINTAINER", HULL_DF_MAINTAINER, {NULL}},
};

void hull_df_instr_clear(struct hull_df_instr *in)
{
	free(in->original);
	free(in->rest);
	hull_strv_free(in->flags);
	hull_strv_free(in->args);
	memset(in, 0, sizeof(*in));
}

void hull_dockerfile_free(struct hull_dockerfile *df)
{
	for (size_t i = 0; i < df->n; i++)
		hull_df_instr_clear(&df->v[i]);
	free(df->v);
	df->v = NULL;
	df->n = 0;
}

const char *hull_df_flag(const struct hull_df_instr *in, const char *name)
{
	size_t n = strlen(name);
	for (char **f = in->flags; f && *f; f++) {
		const char *p = *f + 2;
		if (strncmp(p, name, n))
			continue;
		if (p[n] == '=')
			return p + n + 1;
		if (!p[n])
			return "";
	}
	return NULL;
}

static char *trim(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

/* ["a", "b"]: the strings, or NULL when text is not a JSON array of strings (shell form) */
static char **json_array(const char *text)
{
	yajl_val v;
	char **out = NULL;

	if (*text != '[')
		return NULL;
	v = yajl_tree_parse(text, NULL, 0);
	if (!v || !YAJL_IS_ARRAY(v)) {
		yajl_tree_free(v);
		return NULL;
	}
	out = xzalloc(sizeof(char *));
	for (size_t i = 0; i < v->u.array.len; i++) {
		if (!YAJL_IS_STRING(v->u.array.values[i])) {
			hull_strv_free(out);
			yajl_tree_free(v);
			return NULL;
		}
		hull_strv_push(&out, v->u.array.values[i]->u.string);
	}
	yajl_tree_free(v);
	return out;
}

static bool flag_known(size_t k, const char *flag)
{
	size_t n = strcspn(flag, "=");
	for (size_t i = 0; i < ARRAY_SIZE(keywords[k].flags) && keywords[k].flags[i]; i++)
		if (strlen(keywords[k].flags[i]) == n && !strncmp(keywords[k].flags[i], flag, n))
			return true;
	return false;
}

int hull_df_parse_line(const char *line, char escape, struct hull_df_instr *out,
		       struct hull_err *err)
{
	const char *p = line + strspn(line, " \t");
	size_t klen = strcspn(p, " \t"), k;
	cleanup_free char *word = strndup(p, klen);

	(void)escape;
	memset(out, 0, sizeof(*out));
	for (k = 0; k < ARRAY_SIZE(keywords); k++)
		if (!strcasecmp(keywords[k].name, word))
			break;
	if (k == ARRAY_SIZE(keywords))
		return hull_error(err, 0, "unknown instruction: %s", word);
	out->kind = keywords[k].kind;
	out->keyword = keywords[k].name;
	out->original = trim(line, strlen(line));
	p += klen;
	p += strspn(p, " \t");
	/* leading --flags (docker reads them for every instruction, then checks them) */
	while (p[0] == '-' && p[1] == '-') {
		size_t n = strcspn(p, " \t");
		cleanup_free char *flag = strndup(p, n);
		if (!flag_known(k, flag + 2)) {
			hull_error(err, 0, "%s: unknown flag: %.*s", keywords[k].name,
				   (int)strcspn(flag + 2, "="), flag + 2);
			hull_df_instr_clear(out);
			return -1;
		}
		hull_strv_push(&out->flags, flag);
		p += n;
		p += strspn(p, " \t");
	}
	out->rest = trim(p, strlen(p));
	switch (out->kind) {
	case HULL_DF_RUN:
	case HULL_DF_CMD:
	case HULL_DF_ENTRYPOINT:
	case HULL_DF_SHELL:
	case HULL_DF_COPY:
	case HULL_DF_ADD:
	case HULL_DF_VOLUME:
		out->args = json_array(out->rest);
		out->json = out->args != NULL;
		break;
	default:
		break;
	}
	if (out->kind == HULL_DF_SHELL && !out->json) {
		hull_df_instr_clear(out);
		return hull_error(err, 0, "SHELL requires the arguments to be in JSON form");
	}
	if (!*out->rest && out->kind != HULL_DF_CMD && out->kind != HULL_DF_ENTRYPOINT &&
	    out->kind != HULL_DF_RUN) {
		hull_error(err, 0, "%s requires at least one argument", keywords[k].name);
		hull_df_instr_clear(out);
		return -1;
	}
	if (out->kind == HULL_DF_RUN && !*out->rest) {
		hull_df_instr_clear(out);
		return hull_error(err, 0, "RUN requires at least one argument");
	}
	if (out->kind == HULL_DF_ONBUILD) {
		struct hull_df_instr trigger;
		if (hull_df_parse_line(out->rest, escape, &trigger, err) < 0) {
			hull_df_instr_clear(out);
			return hull_error_wrap(err, "ONBUILD");
		}
		if (trigger.kind == HULL_DF_ONBUILD || trigger.kind == HULL_DF_FROM ||
		    trigger.kind == HULL_DF_MAINTAINER) {
			hull_error(err, 0, "%s isn't allowed as an ONBUILD trigger",
				   trigger.keyword);
			hull_df_instr_clear(&trigger);
			hull_df_instr_clear(out);
			return -1;
		}
		hull_df_instr_clear(&trigger);
	}
	return 0;
}

/* "# name=value" at the top of the file; false for anything else */
static bool directive(const char *line, char **name, char **value)
{
	const char *p = line + strspn(line, " \t"), *n, *v;
	size_t nlen;

	if (*p != '#')
		return false;
	p++;
	p += strspn(p, " \t");
	n = p;
	nlen = 0;
	while (isalnum((unsigned char)n[nlen]))
		nlen++;
	if (!nlen)
		return false;
	v = n + nlen;
	v += strspn(v, " \t");
	if (*v != '=')
		return false;
	v++;
	*name = strndup(n, nlen);
	*value = trim(v, strlen(v));
	return true;
}

/* the line ends with the escape character (white space after it allowed): it continues */
static bool continues(char *line, char escape)
{
	size_t n = strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		n--;
	if (!n || line[n - 1] != escape)
		return false;
	line[n - 1] = '\0';
	return true;
}

static int add(struct hull_dockerfile *df, const char *text, int line, struct hull_err *err)
{
	struct hull_df_instr in;
	if (hull_df_parse_line(text, df->escape, &in, err) < 0)
		return hull_error_wrap(err, "Dockerfile line %d", line);
	in.line = line;
	df->v = xrealloc(df->v, (df->n + 1) * sizeof(*df->v));
	df->v[df->n++] = in;
	return 0;
}

int hull_dockerfile_parse(const char *text, struct hull_dockerfile *df, struct hull_err *err)
{
	cleanup_free char *copy = xstrdup(text);
	cleanup_free char *acc = NULL;
	bool directives = true;
	char *save = NULL, *line;
	int lineno = 0, start = 0;

	memset(df, 0, sizeof(*df));
	df->escape = '\\';
	/* strtok would merge empty lines, which end the directives: split by hand */
	for (line = copy; line; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		if (nl && nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		lineno++;
		if (directives) {
			cleanup_free char *name = NULL, *value = NULL;
			if (directive(line, &name, &value)) {
				if (!strcasecmp(name, DIRECTIVE_ESCAPE)) {
					if (strcmp(value, "\\") && strcmp(value, "`")) {
						hull_dockerfile_free(df);
						return hull_error(
							err, 0,
							"Dockerfile line %d: invalid escape "
							"token '%s' does not match ` or \\",
							lineno, value);
					}
					df->escape = value[0];
				}
				continue; /* syntax= and unknown directives: ignored */
			}
			directives = false;
		}
		{
			const char *p = line + strspn(line, " \t");
			if (*p == '#')
				continue; /* a comment, even inside a continued instruction */
			if (!*p && !acc)
				continue;
			if (!*p)
				continue; /* an empty line inside a continuation: docker skips it */
		}
		if (!acc) {
			acc = xstrdup("");
			start = lineno;
		}
		{
			bool more = continues(line, df->escape);
			char *joined = hull_strfmt("%s%s", acc, line);
			free(acc);
			acc = joined;
			if (more)
				continue;
		}
		if (add(df, acc, start, err) < 0) {
			hull_dockerfile_free(df);
			return -1;
		}
		free(acc);
		acc = NULL;
	}
	if (acc && *acc && add(df, acc, start, err) < 0) {
		hull_dockerfile_free(df);
		return -1;
	}
	return 0;
}
