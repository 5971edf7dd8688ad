/* SPDX-License-Identifier: Apache-2.0 */
/* The word rules of a Dockerfile's arguments, as docker's shell lexer applies them: single
 * quotes keep everything, double quotes keep white space and expand variables, the escape
 * character makes the next character literal (inside double quotes only before `"`, `$` and
 * itself), and $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word},
 * ${NAME:?message} and ${NAME?message} take the value of a build variable. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "engine/dockerfile.h"
#include "lib/util.h"

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void putc_(struct buf *b, char c)
{
	put(b, &c, 1);
}

struct lexer {
	const char *p;
	char escape;
	hull_df_lookup *lookup;
	void *ctx;
	struct hull_err *err;
};

static int expand_until(struct lexer *lx, const char *stop, struct buf *out);

static bool name_char(char c, bool first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/* after "${": NAME, then an optional operator and word, then "}" */
static int braced(struct lexer *lx, struct buf *out)
{
	const char *start = lx->p, *value;
	cleanup_free char *name = NULL;
	struct buf word = {0};
	char op[3] = "";
	bool is_set, empty;
	int rc = 0;

	while (name_char(*lx->p, lx->p == start))
		lx->p++;
	name = strndup(start, (size_t)(lx->p - start));
	if (!*name)
		return hull_error(lx->err, 0, "bad substitution: ${%.20s", start);
	if (*lx->p == ':' && strchr("-+?", lx->p[1])) {
		op[0] = ':';
		op[1] = lx->p[1];
		lx->p += 2;
	} else if (*lx->p && strchr("-+?", *lx->p)) {
		op[0] = *lx->p++;
	} else if (*lx->p != '}') {
		return hull_error(lx->err, 0, "bad substitution: ${%s%.1s", name, lx->p);
	}
	if (op[0] && expand_until(lx, "}", &word) < 0) {
		free(word.s);
		return -1;
	}
	if (*lx->p != '}') {
		free(word.s);
		return hull_error(lx->err, 0, "missing '}' in ${%s", name);
	}
	lx->p++;
	value = lx->lookup ? lx->lookup(lx->ctx, name) : NULL;
	is_set = value != NULL;
	empty = !value || !*value;
	if (!op[0]) {
		if (value)
			put(out, value, strlen(value));
	} else if (!strcmp(op, ":-") || !strcmp(op, "-")) {
		bool use_word = op[0] == ':' ? empty : !is_set;
		if (use_word)
			put(out, word.s ? word.s : "", word.len);
		else
			put(out, value, strlen(value));
	} else if (!strcmp(op, ":+") || !strcmp(op, "+")) {
		bool use_word = op[0] == ':' ? !empty : is_set;
		if (use_word)
			put(out, word.s ? word.s : "", word.len);
	} else { /* ? and :? */
		bool fail = op[0] == ':' ? empty : !is_set;
		if (fail)
			rc = hull_error(lx->err, 0, "%s: %s", name,
					word.len ? word.s : "is not allowed to be unset");
		else
			put(out, value, strlen(value));
	}
	free(word.s);
	return rc;
}

/* at "$": a variable, or a literal "$" */
static int dollar(struct lexer *lx, struct buf *out)
{
	const char *start, *value;
	cleanup_free char *name = NULL;

	lx->p++;
	if (*lx->p == '{') {
		lx->p++;
		return braced(lx, out);
	}
	start = lx->p;
	while (name_char(*lx->p, lx->p == start))
		lx->p++;
	if (lx->p == start) {
		putc_(out, '$');
		return 0;
	}
	name = strndup(start, (size_t)(lx->p - start));
	value = lx->lookup ? lx->lookup(lx->ctx, name) : NULL;
	if (value)
		put(out, value, strlen(value));
	return 0;
}

/* the word inside ${NAME:-word}: up to an unquoted stop character */
static int expand_until(struct lexer *lx, const char *stop, struct buf *out)
{
	while (*lx->p && !strchr(stop, *lx->p)) {
		if (*lx->p == lx->escape && lx->p[1]) {
			putc_(out, lx->p[1]);
			lx->p += 2;
		} else if (*lx->p == '$') {
			if (dollar(lx, out) < 0)
				return -1;
		} else {
			putc_(out, *lx->p++);
		}
	}
	return 0;
}

static int single_quoted(struct lexer *lx, struct buf *out)
{
	const char *end = strchr(++lx->p, '\'');
	if (!end)
		return hull_error(lx->err, 0,
				  "unexpected end of statement while looking for "
				  "matching single-quote");
	put(out, lx->p, (size_t)(end - lx->p));
	lx->p = end + 1;
	return 0;
}

static int double_quoted(struct lexer *lx, struct buf *out)
{
	lx->p++;
	for (;;) {
		char c = *lx->p;
		if (!c)
			return hull_error(lx->err, 0,
					  "unexpected end of statement while "
					  "looking for matching double-quote");
		if (c == '"') {
			lx->p++;
			return 0;
		}
		if (c == lx->escape && lx->p[1] &&
		    (lx->p[1] == '"' || lx->p[1] == '$' || lx->p[1] == lx->escape)) {
			putc_(out, lx->p[1]);
			lx->p += 2;
		} else if (c == '$') {
			if (dollar(lx, out) < 0)
				return -1;
		} else {
			putc_(out, c);
			lx->p++;
		}
	}
}

int hull_df_expand(const char *text, char escape, hull_df_lookup *lookup, void *ctx, bool split,
		   char ***words, struct hull_err *err)
{
	struct lexer lx = {.p = text, .escape = escape, .lookup = lookup, .ctx = ctx, .err = err};
	struct buf cur = {0};
	bool started = false;
	int rc = 0;

	*words = xzalloc(sizeof(char *));
	while (rc == 0 && *lx.p) {
		char c = *lx.p;
		if (split && isspace((unsigned char)c)) {
			if (started)
				hull_strv_push(words, cur.s ? cur.s : "");
			cur.len = 0;
			if (cur.s)
				cur.s[0] = '\0';
			started = false;
			lx.p++;
			continue;
		}
		started = true;
		if (c == escape) {
			if (lx.p[1]) {
				putc_(&cur, lx.p[1]);
				lx.p += 2;
			} else {
				putc_(&cur, c);
				lx.p++;
			}
		} else if (c == '\'') {
			rc = single_quoted(&lx, &cur);
		} else if (c == '"') {
			rc = double_quoted(&lx, &cur);
		} else if (c == '$') {
			rc = dollar(&lx, &cur);
		} else {
			putc_(&cur, c);
			lx.p++;
		}
	}
	if (rc == 0 && (started || !split))
		hull_strv_push(words, cur.s ? cur.s : "");
	free(cur.s);
	if (rc < 0) {
		hull_strv_free(*words);
		*words = NULL;
	}
	return rc;
}

int hull_df_pairs(const struct hull_df_instr *in, char escape, hull_df_lookup *lookup, void *ctx,
		  char ***kv, struct hull_err *err)
{
	const char *rest = in->rest;
	size_t first = strcspn(rest, " \t");
	cleanup_strv char **words = NULL;

	*kv = xzalloc(sizeof(char *));
	if (!memchr(rest, '=', first)) {
		/* the older form: NAME VALUE (the value is the rest of the line) */
		cleanup_free char *name = strndup(rest, first);
		const char *v = rest + first + strspn(rest + first, " \t");
		if (!*v)
			goto bad;
		if (hull_df_expand(v, escape, lookup, ctx, false, &words, err) < 0)
			goto fail;
		hull_strv_push(kv, name);
		hull_strv_push(kv, words[0]);
		return 0;
	}
	if (hull_df_expand(rest, escape, lookup, ctx, true, &words, err) < 0)
		goto fail;
	for (char **w = words; *w; w++) {
		char *eq = strchr(*w, '=');
		cleanup_free char *key = NULL;
		if (!eq || eq == *w) {
			rest = *w;
			goto bad;
		}
		key = strndup(*w, (size_t)(eq - *w));
		hull_strv_push(kv, key);
		hull_strv_push(kv, eq + 1);
	}
	return 0;
bad:
	hull_error(err, 0,
		   "%s: syntax error - can't find = in \"%s\". Must be of the form: "
		   "name=value",
		   in->keyword, rest);
fail:
	hull_strv_free(*kv);
	*kv = NULL;
	return -1;
}
